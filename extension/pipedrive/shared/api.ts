import { ApiProblem, apiBase, type CallOptions } from "../../console/api/client";
import type { ProblemBody } from "../../console/api/types";
import { problemSentence } from "../../console/shared/problem-words";

// The panel's API client. The bearer lives in memory only: an iframe inside Pipedrive is a
// third-party context, so no cookies and no storage are relied on (pipedrive.md §2.3). A new
// bearer comes from trading a fresh Pipedrive-signed JWT at POST /panel/pipedrive/session.

export { ApiProblem };
export type PanelMember = { id: string; name: string; roleId: string; status: string };
export type PanelSession = {
  token: string;
  expiresAt: string;
  member: PanelMember;
  workspace: { id: string; name: string };
  /** The start-chat modal's id in Developer Hub (OPEN_MODAL's `action_id`); null: not configured, no "Start chat…". */
  startChatModalId: string | null;
};

type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";
type SessionListener = (session: PanelSession) => void;

/** Refresh this long before the bearer expires. */
const refreshMarginMs = 60_000;

export type PanelApi = {
  /**
   * Trades the iframe's JWT for a session, once per JWT; if the server refuses it (401: each JWT
   * opens one session and lives 5 minutes), with a fresh one from the host. Throws ApiProblem
   * (crm_not_linked, member_suspended, 401).
   */
  start(jwt: string): Promise<PanelSession>;
  call<Result>(method: HttpMethod, path: string, body?: unknown, options?: CallOptions): Promise<Result>;
  bearer(): string | null;
  onSession(listener: SessionListener): () => void;
  stop(): void;
};

/**
 * `freshJwt` asks the host for a new signed token (GET_SIGNED_TOKEN); null when it cannot.
 * `openedOn` is the iframe URL's record (resource, selectedIds): each session is bound to it, and
 * without the member's own Pipedrive connection it is the only record the session reads.
 */
export function createPanelApi(freshJwt: () => Promise<string | null>, openedOn: { resource?: string; selectedIds?: string } = {}): PanelApi {
  let session: PanelSession | null = null;
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  let refreshing: Promise<PanelSession | null> | null = null;
  let started: { jwt: string; session: Promise<PanelSession> } | null = null;
  const listeners = new Set<SessionListener>();

  const adopt = (next: PanelSession) => {
    session = next;
    clearTimeout(refreshTimer);
    const wait = Math.max(5_000, Date.parse(next.expiresAt) - Date.now() - refreshMarginMs);
    refreshTimer = setTimeout(() => void refresh(), wait);
    for (const listener of listeners) listener(next);
    return next;
  };

  const exchange = async (jwt: string) => adopt(await request<PanelSession>(null, "POST", "/panel/pipedrive/session", { token: jwt, ...openedOn }));

  // One refresh at a time, however many calls found the bearer expired.
  const refresh = () => {
    refreshing ??= (async () => {
      try {
        const jwt = await freshJwt();
        return jwt ? await exchange(jwt) : null;
      } catch {
        return null;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  };

  // The server accepts a JWT once: a second start with it (React's StrictMode runs effects twice)
  // shares the first; a refused URL token (used before, or longer-lived than 5 minutes) gives way
  // to a fresh one from GET_SIGNED_TOKEN.
  const startWith = async (jwt: string) => {
    try {
      return await exchange(jwt);
    } catch (error) {
      if (!(error instanceof ApiProblem) || error.status !== 401) throw error;
      const renewed = await refresh();
      if (!renewed) throw error;
      return renewed;
    }
  };

  return {
    start(jwt) {
      if (started?.jwt !== jwt) started = { jwt, session: startWith(jwt) };
      return started.session;
    },
    async call<Result>(method: HttpMethod, path: string, body?: unknown, options: CallOptions = {}) {
      try {
        return await request<Result>(session?.token ?? null, method, path, body, options);
      } catch (error) {
        if (!(error instanceof ApiProblem) || error.status !== 401) throw error;
        const renewed = await refresh();
        if (!renewed) throw error;
        return request<Result>(renewed.token, method, path, body, options);
      }
    },
    bearer: () => session?.token ?? null,
    onSession(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop() {
      clearTimeout(refreshTimer);
    },
  };
}

async function request<Result>(bearer: string | null, method: HttpMethod, path: string, body?: unknown, options: CallOptions = {}): Promise<Result> {
  const headers: Record<string, string> = {};
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (options.idempotencyKey) headers["idempotency-key"] = options.idempotencyKey;
  // A Blob (a file to send) goes as its own bytes and type; anything else as JSON.
  const file = body instanceof Blob ? body : null;
  if (body !== undefined) headers["content-type"] = file ? file.type || "application/octet-stream" : "application/json";
  let response: Response;
  try {
    response = await fetch(`${apiBase}${path}`, {
      method,
      headers,
      credentials: "omit",
      body: body === undefined ? undefined : (file ?? JSON.stringify(body)),
    });
  } catch {
    throw new ApiProblem({
      title: "Network error",
      status: 0,
      detail: "Switchboard could not be reached. Check your connection and try again.",
      code: "network_error",
    });
  }
  if (response.status === 204) return undefined as Result;
  const text = await response.text();
  if (response.ok) return JSON.parse(text) as Result;
  let problem: ProblemBody = {
    title: response.statusText || "Error",
    status: response.status,
    detail: `Switchboard answered ${response.status}.`,
    code: "internal",
  };
  try {
    const parsed = JSON.parse(text) as ProblemBody;
    if (typeof parsed.detail === "string" && typeof parsed.code === "string") problem = { ...parsed, status: response.status };
  } catch {
    // not JSON: the generic problem above
  }
  throw new ApiProblem(problem);
}

export const problemOf = (error: unknown): ApiProblem =>
  error instanceof ApiProblem
    ? error
    : new ApiProblem({ title: "Error", status: 0, detail: error instanceof Error ? error.message : "Something went wrong.", code: "internal" });

/** Whatever a call threw, as one sentence a member understands (no codes, field paths or seconds). */
export const problemText = (error: unknown): string => problemSentence(problemOf(error).problem);

/**
 * A panel API with a bearer that is never renewed from a host (HubSpot's modal: the member signed
 * in to Switchboard there, and signs in again once it expires); `start` is not used.
 */
export function createBearerApi(token: string): PanelApi {
  return {
    start: () => Promise.reject(new Error("This panel signs in with Switchboard credentials, not a CRM token.")),
    call: <Result>(method: HttpMethod, path: string, body?: unknown, options: CallOptions = {}) => request<Result>(token, method, path, body, options),
    bearer: () => token,
    onSession: () => () => undefined,
    stop() {},
  };
}

/** A request without a bearer (a sign-in): the same problem handling as every panel call. */
export function publicRequest<Result>(method: HttpMethod, path: string, body?: unknown): Promise<Result> {
  return request<Result>(null, method, path, body);
}
