import type { ProblemBody, Session } from "./types";

export const apiBase = "/api/v1";
const tokenStorageKey = "switchboard.token";

/**
 * The bearer token lives in sessionStorage: one tab, gone when the tab closes. A new tab gets its
 * own from the browser's login session (tabToken below); scripts never see what proves that.
 */
export const sessionToken = {
  read: (): string | null => sessionStorage.getItem(tokenStorageKey),
  store: (token: string): void => sessionStorage.setItem(tokenStorageKey, token),
  clear: (): void => sessionStorage.removeItem(tokenStorageKey),
};

let tabTokenRequest: Promise<string | null> | null = null;

/**
 * A token for a tab that has none, from the login session this browser holds in an HttpOnly
 * cookie (sent by the browser to this one route only); null when there is none, or it has ended.
 * Asked once per page load.
 */
export function tabToken(): Promise<string | null> {
  tabTokenRequest ??= callApi<Session>("POST", "/sessions/cookie-exchange", {}).then(
    (session) => session.token,
    () => null,
  );
  return tabTokenRequest;
}

/** A failed API call, carrying the server's problem+json answer. */
export class ApiProblem extends Error {
  constructor(readonly problem: ProblemBody) {
    super(problem.detail);
  }

  get status() {
    return this.problem.status;
  }

  get code() {
    return this.problem.code;
  }
}

/** Turns anything a call threw into a problem the UI can show. */
export function asProblem(error: unknown): ApiProblem {
  if (error instanceof ApiProblem) return error;
  const detail = error instanceof Error ? error.message : "Something went wrong.";
  return new ApiProblem({ title: "Unexpected error", status: 0, detail, code: "internal" });
}

type SessionProblemListener = (problem: ApiProblem) => void;
const sessionProblemListeners = new Set<SessionProblemListener>();

/** Hears answers that end the signed-in UI: 401 (token no longer valid) and 403 member_suspended. */
export function onSessionProblem(listener: SessionProblemListener): () => void {
  sessionProblemListeners.add(listener);
  return () => sessionProblemListeners.delete(listener);
}

type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export type CallOptions = {
  /** Sent as Idempotency-Key: a repeat with the same key and body is answered from the first and runs once. */
  idempotencyKey?: string;
};

/** Calls the API with the session's bearer token; resolves with the JSON body, throws ApiProblem. */
export async function callApi<Result>(method: HttpMethod, path: string, body?: unknown, options: CallOptions = {}): Promise<Result> {
  const response = await send(method, path, body, options);
  if (response.status === 204) return undefined as Result;
  return (await response.json()) as Result;
}

/** Fetches every page of a `{data, nextCursor}` list. */
export async function callApiForAll<Item>(path: string): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes("?") ? "&" : "?";
    const pagePath: string = cursor ? `${path}${separator}cursor=${encodeURIComponent(cursor)}` : path;
    const page: { data: Item[]; nextCursor: string | null } = await callApi("GET", pagePath);
    items.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** Downloads a file the API answers with (a CSV export): fetched with the token, saved as a Blob. */
export async function downloadFromApi(path: string, fallbackFilename: string): Promise<string> {
  const response = await send("GET", path);
  const blob = await response.blob();
  const filename = filenameFromDisposition(response.headers.get("content-disposition")) ?? fallbackFilename;
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // The click starts the download synchronously; revoke once the browser has taken the blob.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return filename;
}

async function send(method: HttpMethod, path: string, body?: unknown, options: CallOptions = {}): Promise<Response> {
  const token = sessionToken.read();
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.idempotencyKey) headers["idempotency-key"] = options.idempotencyKey;
  // A Blob (a file to send) goes as its own bytes and type; anything else as JSON.
  const file = body instanceof Blob ? body : null;
  if (body !== undefined) headers["content-type"] = file ? file.type || "application/octet-stream" : "application/json";
  let response: Response;
  try {
    response = await fetch(`${apiBase}${path}`, { method, headers, body: body === undefined ? undefined : (file ?? JSON.stringify(body)) });
  } catch {
    throw new ApiProblem({
      title: "Network error",
      status: 0,
      detail: "The server could not be reached. Check your connection and try again.",
      code: "network_error",
    });
  }
  if (response.ok) return response;
  const problem = new ApiProblem(await readProblem(response));
  if (token && (problem.status === 401 || problem.code === "member_suspended")) {
    for (const listener of sessionProblemListeners) listener(problem);
  }
  throw problem;
}

async function readProblem(response: Response): Promise<ProblemBody> {
  const text = await response.text();
  try {
    const parsed = JSON.parse(text) as Partial<ProblemBody>;
    if (typeof parsed.detail === "string" && typeof parsed.code === "string") {
      return { ...parsed, title: parsed.title ?? response.statusText, status: response.status, detail: parsed.detail, code: parsed.code };
    }
  } catch {
    // not JSON: described below
  }
  return { title: response.statusText || "Error", status: response.status, detail: `The server answered ${response.status}.`, code: "internal" };
}

function filenameFromDisposition(disposition: string | null): string | null {
  const match = disposition?.match(/filename\*?=(?:UTF-8'')?"?([^";]+)"?/i);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}
