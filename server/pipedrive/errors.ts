/** What went wrong talking to Pipedrive, in the terms a caller acts on. */
export const pipedriveErrorReasons = [
  /** The refresh token was rejected (revoked, uninstalled, unused for 60 days): the user must reconnect. */
  "reconnect_required",
  /** The authorization code was invalid, already used or older than 5 minutes. */
  "code_rejected",
  /** Our client_id/client_secret were rejected: a configuration problem, not the user's. */
  "client_rejected",
  "unauthorized",
  "forbidden",
  /**
   * The installation's token wasn't granted a scope the call needs (403 "Scope and URL mismatch"):
   * the app's scopes in Developer Hub lack it, or were widened after this user consented.
   */
  "scope_missing",
  "not_found",
  "rate_limited",
  "invalid_request",
  "server_error",
  /** No HTTP answer at all (connection refused, reset, DNS). */
  "unreachable",
  /** A 2xx answer without the data we asked for. */
  "unexpected_response",
] as const;
export type PipedriveErrorReason = (typeof pipedriveErrorReasons)[number];

/** A failed Pipedrive call; callers branch on `reason`. */
export class PipedriveError extends Error {
  override readonly name: string = "PipedriveError";
  constructor(
    readonly reason: PipedriveErrorReason,
    message: string,
    readonly httpStatus: number | null = null,
  ) {
    super(message);
  }
}

/** Pipedrive answered 429. The caller's job queue should retry after `retryAfterMs`. */
export class PipedriveRateLimited extends PipedriveError {
  override readonly name: string = "PipedriveRateLimited";
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super("rate_limited", message, 429);
  }
}

type ResponseMetadata = { status: number; headers: Record<string, string> };
const responseMetadata = Symbol("pipedrive.responseMetadata");

/**
 * Axios options to assign to an SDK `Configuration.baseOptions` (the constructor ignores them).
 * The SDK's error interceptor rejects with the response *body* only, dropping the status and the
 * rate-limit headers; this transform runs before it and pins both onto the error body (as a
 * hidden symbol property), so `pipedriveErrorFrom` can still tell a 401 from a 429 and read
 * `retry-after`. The SDK sets no timeout, so a stalled Pipedrive would hold a job forever.
 */
export const sdkRequestOptions = { transformResponse: [parseAndTagErrorBody], timeout: 20_000 };

function parseAndTagErrorBody(data: unknown, headers: unknown, status?: number): unknown {
  const body = typeof data === "string" ? parseJsonOrKeep(data) : data;
  if (status === undefined || status < 400) return body;
  const errorBody: object = typeof body === "object" && body !== null ? body : { success: false, error: String(body || `HTTP ${status}`) };
  const metadata: ResponseMetadata = { status, headers: plainHeaders(headers) };
  Object.defineProperty(errorBody, responseMetadata, { value: metadata, enumerable: false });
  return errorBody;
}

/**
 * Turns what the official client rejected with (an error body, or an axios error when no answer
 * came) into a PipedriveError; null for anything else, such as our own `saveTokens` failing
 * inside the token getter, which the caller should rethrow unchanged.
 */
export function pipedriveErrorFrom(rejection: unknown): PipedriveError | null {
  if (rejection instanceof PipedriveError) return rejection;
  const metadata = metadataOf(rejection);
  if (!metadata) {
    if (!isAxiosError(rejection)) return null;
    return new PipedriveError("unreachable", `Pipedrive could not be reached: ${rejection.message}`);
  }
  const message = `Pipedrive answered ${metadata.status}: ${errorTextOf(rejection) ?? "no details"}`;
  if (metadata.status === 429) return new PipedriveRateLimited(message, retryAfterMsFrom(metadata.headers));
  // https://pipedrive.readme.io/docs/marketplace-scopes-and-permissions-explanations; the body as
  // Pipedrive sends it: https://github.com/pipedrive/client-php/issues/14.
  if (metadata.status === 403 && /scope and url mismatch/i.test(errorTextOf(rejection) ?? "")) return new PipedriveError("scope_missing", message, 403);
  return new PipedriveError(reasonForStatus(metadata.status), message, metadata.status);
}

/** The wait a 429 asks for: `retry-after`, else the window reset, else Pipedrive's 2-second burst window. */
export function retryAfterMsFrom(headers: Record<string, string>): number {
  const retryAfter = headers["retry-after"];
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - Date.now();
    if (Number.isFinite(ms)) return Math.max(ms, 1000);
  }
  const resetSeconds = Number(headers["x-ratelimit-reset"]);
  if (headers["x-ratelimit-reset"] !== undefined && Number.isFinite(resetSeconds)) return Math.max(resetSeconds * 1000, 1000);
  return 2000;
}

/** The `error`/`error_description`/`message` text of an error body, when there is one. */
export function errorTextOf(body: unknown): string | null {
  if (typeof body !== "object" || body === null) return null;
  const fields = body as Record<string, unknown>;
  const parts = [fields.error, fields.error_description, fields.message].filter((part) => typeof part === "string");
  return parts.length > 0 ? parts.join(": ") : null;
}

function metadataOf(rejection: unknown): ResponseMetadata | null {
  if (typeof rejection !== "object" || rejection === null) return null;
  const tagged = (rejection as { [responseMetadata]?: ResponseMetadata })[responseMetadata];
  if (tagged) return tagged;
  // An axios error whose response had an empty body reaches us untransformed.
  const response = (rejection as { response?: { status?: unknown; headers?: unknown } }).response;
  if (typeof response?.status === "number") return { status: response.status, headers: plainHeaders(response.headers) };
  // A body from an SDK instance built without sdkRequestOptions still names its status.
  const errorCode = (rejection as { errorCode?: unknown }).errorCode;
  return typeof errorCode === "number" ? { status: errorCode, headers: {} } : null;
}

function isAxiosError(rejection: unknown): rejection is Error {
  return rejection instanceof Error && (rejection as { isAxiosError?: unknown }).isAxiosError === true;
}

function reasonForStatus(status: number): PipedriveErrorReason {
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404 || status === 410) return "not_found";
  if (status >= 500) return "server_error";
  return "invalid_request";
}

function plainHeaders(headers: unknown): Record<string, string> {
  if (typeof headers !== "object" || headers === null) return {};
  const source = typeof (headers as { toJSON?: unknown }).toJSON === "function" ? (headers as { toJSON(): object }).toJSON() : headers;
  return Object.fromEntries(
    Object.entries(source)
      .filter(([, value]) => typeof value === "string" || typeof value === "number")
      .map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
}

function parseJsonOrKeep(text: string): unknown {
  if (text.trim() === "") return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
