import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { asProblem, callApi, onSessionProblem, sessionToken, tabToken } from "../api/client";
import type { Me } from "../api/types";

/** Where the signed-in UI stands; each status has its own screen. */
export type SessionState =
  | { status: "checking" }
  | { status: "signed-out"; notice?: string }
  | { status: "suspended"; detail: string }
  | { status: "signed-in"; me: Me };

type SessionApi = {
  state: SessionState;
  /** Keeps a token from signup, login or an accepted invitation, then loads GET /me. */
  signIn(token: string): Promise<void>;
  /** Revokes the token and this browser's login session on the server (when it still works) and forgets it. */
  signOut(notice?: string): Promise<void>;
  /** Reloads GET /me, e.g. after a change to one's own role or ownership. */
  refresh(): Promise<void>;
};

const SessionContext = createContext<SessionApi | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  // A tab without a token checks the browser's login session first: a new tab opens signed in.
  const [state, setState] = useState<SessionState>({ status: "checking" });

  const refresh = useCallback(async () => {
    try {
      const me = await callApi<Me>("GET", "/me");
      setState({ status: "signed-in", me });
    } catch (error) {
      const problem = asProblem(error);
      // 401 and member_suspended reach the listener below; anything else leaves us signed out.
      if (problem.status !== 401 && problem.code !== "member_suspended") {
        sessionToken.clear();
        setState({ status: "signed-out", notice: problem.problem.detail });
      }
    }
  }, []);

  useEffect(
    () =>
      onSessionProblem((problem) => {
        if (problem.code === "member_suspended") {
          setState({ status: "suspended", detail: problem.problem.detail });
          return;
        }
        sessionToken.clear();
        setState({ status: "signed-out", notice: "Your session has ended. Please log in again." });
      }),
    [],
  );

  useEffect(() => {
    if (sessionToken.read()) {
      void refresh();
      return;
    }
    void tabToken().then(async (token) => {
      // A login in this tab while the answer was on its way wins.
      if (sessionToken.read()) return;
      if (token) {
        sessionToken.store(token);
        await refresh();
      } else {
        setState((current) => (current.status === "checking" ? { status: "signed-out" } : current));
      }
    });
  }, [refresh]);

  const signIn = useCallback(
    async (token: string) => {
      sessionToken.store(token);
      await refresh();
    },
    [refresh],
  );

  const signOut = useCallback(async (notice?: string) => {
    if (sessionToken.read()) {
      // A suspended member's token cannot revoke itself; forgetting it here is all we can do.
      await callApi("DELETE", "/sessions/current").catch(() => undefined);
    }
    sessionToken.clear();
    setState(notice ? { status: "signed-out", notice } : { status: "signed-out" });
  }, []);

  const api = useMemo(() => ({ state, signIn, signOut, refresh }), [state, signIn, signOut, refresh]);
  return <SessionContext.Provider value={api}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession needs a <SessionProvider> above it");
  return session;
}

/** The signed-in member's /me; only for components rendered inside the signed-in console. */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== "signed-in") throw new Error("useMe outside the signed-in console");
  return state.me;
}
