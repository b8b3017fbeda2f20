import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { deliveryHeaders } from "./signing";
import { type HostLookup, resolveAllowedHost, type UrlPolicy } from "./url-policy";

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
async function readSnippet(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).byteLength;
      if (size >= snippetBytes) break;
    }
  } finally {
    response.destroy();
  }
  return Buffer.concat(chunks).subarray(0, snippetBytes).toString("utf8").replace(/\s+/g, " ").trim();
}

/** A resolver that answers only the addresses already checked against the URL policy. */
function pinnedLookup(addresses: string[]): LookupFunction {
  const entries = addresses.map((address) => ({ address, family: isIP(address) }));
  return ((_hostname: string, options: { all?: boolean }, callback: (...answer: unknown[]) => void) => {
    const [first] = entries;
    if (options.all) callback(null, entries);
    else callback(null, first?.address, first?.family);
  }) as LookupFunction;
}

/**
 * POSTs the body and resolves with the response head. The connection goes to the checked
 * `addresses` (the TLS certificate is still verified for the URL's host name); redirects are
 * never followed.
 */
function post(url: URL, headers: Record<string, string>, body: string, addresses: string[], signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const outgoing = send(
      url,
      {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        signal,
        agent: false,
        ...(addresses.length > 0 ? { lookup: pinnedLookup(addresses) } : {}),
      },
      resolve,
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
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
  return cause?.code ?? (error as { code?: string }).code ?? cause?.message ?? (error as Error).message ?? String(error);
}

/**
 * One signed POST of a stored event body: the host's addresses are checked against the URL
 * policy first and the connection goes to those very addresses (no second lookup a rebinding
 * DNS server could answer differently), redirects are not followed (they could lead anywhere),
 * and the whole attempt, DNS included, is bounded by `timeoutMs`.
 */
export async function attemptDelivery(input: AttemptInput): Promise<AttemptOutcome> {
  const signal = AbortSignal.any([AbortSignal.timeout(input.timeoutMs), input.stopSignal]);
  try {
    const resolved = await abortable(resolveAllowedHost(input.url, input.policy, input.lookup), signal);
    if (!resolved.ok) return { kind: "failed", statusCode: null, error: `Refused: ${resolved.reason}` };
    const headers = deliveryHeaders({ secret: input.secret, rawBody: input.rawBody, event: input.event, deliveryId: input.deliveryId });
    const response = await post(new URL(input.url), headers, input.rawBody, resolved.addresses, signal);
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) {
      response.destroy();
      return { kind: "delivered", statusCode: status };
    }
    if (status >= 300 && status < 400) {
      response.destroy();
      return { kind: "failed", statusCode: status, error: `HTTP ${status}: redirects are not followed` };
    }
    const snippet = await readSnippet(response);
    return { kind: "failed", statusCode: status, error: `HTTP ${status}${snippet ? `: ${snippet}` : ""}` };
  } catch (error) {
    if (input.stopSignal.aborted) return { kind: "interrupted" };
    if (signal.aborted) return { kind: "failed", statusCode: null, error: `Timed out after ${input.timeoutMs} ms` };
    return { kind: "failed", statusCode: null, error: `Request failed: ${describeError(error)}` };
  }
}
