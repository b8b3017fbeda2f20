import type { ApiProblem } from "../api/client";
import { problemInWords } from "./problem-words";

/** Shows an API problem in a member's words: what happened, and a sentence per field. */
export function ProblemMessage({ problem }: { problem: ApiProblem | undefined }) {
  if (!problem) return null;
  const { summary, fields } = problemInWords(problem.problem);
  return (
    <div className="problem" role="alert">
      {summary}
      {fields.length > 0 && (
        <ul>
          {fields.map((sentence) => (
            <li key={sentence}>{sentence}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
