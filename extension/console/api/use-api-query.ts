import { useCallback, useEffect, useState } from "react";
import { type ApiProblem, asProblem, callApi, callApiForAll } from "./client";

export type ApiQuery<Data> = {
  data: Data | undefined;
  problem: ApiProblem | undefined;
  loading: boolean;
  reload(): void;
};

/** `one`: GET the path; `all`: GET every page of a `{data, nextCursor}` list. */
type Fetch = "one" | "all";

function useLoader<Data>(path: string | null, fetch: Fetch): ApiQuery<Data> {
  const [state, setState] = useState<{ data?: Data; problem?: ApiProblem; loading: boolean }>({ loading: path !== null });
  const [version, setVersion] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` is the trigger reload() bumps.
  useEffect(() => {
    if (path === null) {
      setState({ loading: false });
      return;
    }
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    const request = fetch === "all" ? callApiForAll(path) : callApi("GET", path);
    request.then(
      (data) => current && setState({ data: data as Data, loading: false }),
      (error: unknown) => current && setState({ problem: asProblem(error), loading: false }),
    );
    return () => {
      current = false;
    };
  }, [path, fetch, version]);
  const reload = useCallback(() => setVersion((value) => value + 1), []);
  return { data: state.data, problem: state.problem, loading: state.loading, reload };
}

/** GETs a path (null: don't fetch) and keeps the answer, the problem, and a reload. */
export function useApiQuery<Data>(path: string | null): ApiQuery<Data> {
  return useLoader(path, "one");
}

/** GETs every page of a `{data, nextCursor}` list. */
export function useApiList<Item>(path: string | null): ApiQuery<Item[]> {
  return useLoader(path, "all");
}
