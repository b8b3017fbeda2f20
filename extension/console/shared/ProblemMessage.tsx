import type { ApiProblem } from "../api/client";

/** Shows an API problem: its title and detail, the missing permission, and field errors. */
export function ProblemMessage({ problem }: { problem: ApiProblem | undefined }) {
  if (!problem) return null;
  const { title, detail, permission, errors } = problem.problem;
  return (
    <div className="problem" role="alert">
      <strong>{title}</strong> {detail}
      {permission && (
        <div className="problem-permission">
          Needs the <code>{permission}</code> permission.
        </div>
      )}
      {errors && errors.length > 0 && (
        <ul>
          {errors.map((error) => (
            <li key={`${error.path}:${error.message}`}>
              <code>{error.path.replace(/^body\./, "")}</code>: {error.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
