import { deliveryHeaders } from "./signing";
import { type HostLookup, refusedResolvedHost, type UrlPolicy } from "./url-policy";

export type AttemptOutcome =
  | { kind: "delivered"; statusCode: number }
  | { kind: "failed"; statusCode: number | null; error: string }
  /** The worker is stopping; the attempt does not count. */
  | { kind: "interrupted" };

export type AttemptInput = {
  url: string;
  secret: string;
  rawBody: string;
  event: string;
  deliveryId: string;
  policy: UrlPolicy;
  lookup?: HostLookup;
  timeoutMs: number;
  /** Aborted when the worker stops. */
  stopSignal: AbortSignal;
};

const snippetBytes = 200;

/** The first bytes of an error answer, for the delivery log; never reads a large body whole. */
async function readSnippet(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < snippetBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, snippetBytes).toString("utf8").replace(/\s+/g, " ").trim();
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    promise.then(resolve, reject);
  });
}

function describeError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

/**
 * One signed POST of a stored event body: the host's addresses are checked against the URL
 * policy first, redirects are not followed (they could lead anywhere), and the whole attempt,
 * DNS included, is bounded by `timeoutMs`.
 */
export async function attemptDelivery(input: AttemptInput): Promise<AttemptOutcome> {
  const signal = AbortSignal.any([AbortSignal.timeout(input.timeoutMs), input.stopSignal]);
  try {
    const refusal = await abortable(refusedResolvedHost(input.url, input.policy, input.lookup), signal);
    if (refusal) return { kind: "failed", statusCode: null, error: `Refused: ${refusal}` };
    const response = await fetch(input.url, {
      method: "POST",
      headers: deliveryHeaders({ secret: input.secret, rawBody: input.rawBody, event: input.event, deliveryId: input.deliveryId }),
      body: input.rawBody,
      redirect: "manual",
      signal,
    });
    if (response.status >= 200 && response.status < 300) {
      await response.body?.cancel().catch(() => undefined);
      return { kind: "delivered", statusCode: response.status };
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel().catch(() => undefined);
      return { kind: "failed", statusCode: response.status, error: `HTTP ${response.status}: redirects are not followed` };
    }
    const snippet = await readSnippet(response);
    return { kind: "failed", statusCode: response.status, error: `HTTP ${response.status}${snippet ? `: ${snippet}` : ""}` };
  } catch (error) {
    if (input.stopSignal.aborted) return { kind: "interrupted" };
    if (signal.aborted) return { kind: "failed", statusCode: null, error: `Timed out after ${input.timeoutMs} ms` };
    return { kind: "failed", statusCode: null, error: `Request failed: ${describeError(error)}` };
  }
}
