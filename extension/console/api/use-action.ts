import { useCallback, useState } from "react";
import { type ApiProblem, asProblem } from "./client";

export type Action = {
  pending: boolean;
  problem: ApiProblem | undefined;
  /** Runs a mutation (which applies its own result); resolves true when it succeeded. */
  run(mutation: () => Promise<unknown>): Promise<boolean>;
  clearProblem(): void;
};

/** State for one button or form that calls the API: pending while it runs, the problem if it failed. */
export function useAction(): Action {
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<ApiProblem>();
  const run = useCallback(async (mutation: () => Promise<unknown>) => {
    setPending(true);
    setProblem(undefined);
    try {
      await mutation();
      return true;
    } catch (error) {
      setProblem(asProblem(error));
      return false;
    } finally {
      setPending(false);
    }
  }, []);
  const clearProblem = useCallback(() => setProblem(undefined), []);
  return { pending, problem, run, clearProblem };
}
