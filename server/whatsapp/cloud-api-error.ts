/** What went wrong with a Cloud API call, in the terms a caller acts on. */
export const cloudApiErrorKinds = ["rate_limited", "pair_rate_limited", "outside_window", "undeliverable", "token_invalid", "other"] as const;
export type CloudApiErrorKind = (typeof cloudApiErrorKinds)[number];

// Meta asks integrators to branch on `code` (titles are being deprecated); see whatsapp.md §2-3.
const kindByCode: ReadonlyMap<number, CloudApiErrorKind> = new Map([
  [130429, "rate_limited"],
  [131056, "pair_rate_limited"],
  [131047, "outside_window"],
  [131026, "undeliverable"],
  [190, "token_invalid"],
]);

// Meta's "unknown error", "service temporarily unavailable" and "something went wrong": retry with backoff.
const transientCodes: ReadonlySet<number> = new Set([1, 2, 131000]);

/** About one message per 6 s per recipient is what Meta's pair rate tolerates (whatsapp.md §5). */
export const pairRateDelayMs = 6_000;

/** The `error` object of a Graph API error response. */
export type GraphErrorBody = {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_data?: { details?: string };
  fbtrace_id?: string;
};

export type CloudApiErrorFields = {
  /** Graph error `code`; null when no Graph error came back (network, timeout, non-JSON body). */
  code: number | null;
  subcode: number | null;
  /** HTTP status; null when no response arrived. */
  httpStatus: number | null;
  /** `error_data.details`, Meta's explanation; the field Meta says to rely on beside `code`. */
  details: string | null;
  retryable: boolean;
  retryAfterMs: number | null;
  fbtraceId: string | null;
};

/**
 * A failed Cloud API call. Callers branch on `kind` and `retryable`; `retryAfterMs` is the delay
 * to wait before retrying when the API (a Retry-After header) or Meta's documented pair rate
 * gives one. Retrying a *send* after a network error or timeout may deliver the message twice:
 * the Cloud API has no idempotency key, so the request may have been accepted before it failed.
 */
export class CloudApiError extends Error implements CloudApiErrorFields {
  override readonly name = "CloudApiError";
  readonly code: number | null;
  readonly subcode: number | null;
  readonly httpStatus: number | null;
  readonly details: string | null;
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;
  readonly fbtraceId: string | null;

  constructor(
    readonly kind: CloudApiErrorKind,
    message: string,
    fields: CloudApiErrorFields,
  ) {
    super(message);
    this.code = fields.code;
    this.subcode = fields.subcode;
    this.httpStatus = fields.httpStatus;
    this.details = fields.details;
    this.retryable = fields.retryable;
    this.retryAfterMs = fields.retryAfterMs;
    this.fbtraceId = fields.fbtraceId;
  }
}

/** Builds the CloudApiError for a Graph error response. */
export function cloudApiErrorFromGraph(httpStatus: number, error: GraphErrorBody | null, retryAfterHeader: string | null): CloudApiError {
  const code = error?.code ?? null;
  const kind = (code !== null && kindByCode.get(code)) || "other";
  const headerDelayMs = parseRetryAfter(retryAfterHeader);
  const retryable =
    kind === "rate_limited" || kind === "pair_rate_limited" || (kind === "other" && (httpStatus >= 500 || (code !== null && transientCodes.has(code))));
  const retryAfterMs = headerDelayMs ?? (kind === "pair_rate_limited" ? pairRateDelayMs : null);
  const message = error?.message ?? `Graph API answered HTTP ${httpStatus}`;
  return new CloudApiError(kind, message, {
    code,
    subcode: error?.error_subcode ?? null,
    httpStatus,
    details: error?.error_data?.details ?? null,
    retryable,
    retryAfterMs,
    fbtraceId: error?.fbtrace_id ?? null,
  });
}

/** Builds the CloudApiError for a request that got no HTTP response (refused, reset, timed out). */
export function cloudApiErrorFromNetwork(cause: unknown): CloudApiError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const error = new CloudApiError("other", `Graph API unreachable: ${reason}`, {
    code: null,
    subcode: null,
    httpStatus: null,
    details: null,
    retryable: true,
    retryAfterMs: null,
    fbtraceId: null,
  });
  error.cause = cause;
  return error;
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
function parseRetryAfter(header: string | null): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}
