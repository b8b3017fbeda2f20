import { lookup as dnsLookup } from "node:dns/promises";
import type { Config } from "../config";
import { type AddressKind, classifyAddress } from "./ip-ranges";

/** Where webhooks may point. Production: https to public addresses only. */
export type UrlPolicy = { requireHttps: boolean; allowLoopback: boolean };

export const maxWebhookUrlLength = 2000;

/** The policy for this deployment; development and tests deliver to local receivers over http. */
export function webhookUrlPolicy(config: Pick<Config, "nodeEnv">): UrlPolicy {
  const production = config.nodeEnv === "production";
  return { requireHttps: production, allowLoopback: !production };
}

export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

/** The kind of a literal address that `policy` refuses as a target, or null when it is allowed. */
export function refusedAddressKind(address: string, policy: UrlPolicy): Exclude<AddressKind, "public"> | null {
  // Something that is not an address cannot be judged, so it is refused.
  const kind = classifyAddress(address) ?? "reserved";
  if (kind === "public" || (kind === "loopback" && policy.allowLoopback)) return null;
  return kind;
}

const withArticle = (kind: string) => `${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind}`;

function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  return name === "localhost" || name.endsWith(".localhost");
}

/**
 * Checks a webhook URL as typed: absolute http(s), at most 2000 characters, no credentials,
 * and — when the host is a literal IP or `localhost` — an allowed target. Host names are
 * resolved and checked again at every delivery (see {@link refusedResolvedHost}).
 */
export function checkWebhookUrl(raw: string, policy: UrlPolicy): UrlVerdict {
  if (raw.length > maxWebhookUrlLength) return { ok: false, reason: `must be at most ${maxWebhookUrlLength} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "must be an absolute URL" };
  }
  if (url.href.length > maxWebhookUrlLength) return { ok: false, reason: `must be at most ${maxWebhookUrlLength} characters once normalized` };
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, reason: "must be an http(s) URL" };
  if (url.protocol === "http:" && policy.requireHttps) return { ok: false, reason: "must use https" };
  // fetch refuses URLs with credentials; a receiver wanting auth checks our signature instead.
  if (url.username || url.password) return { ok: false, reason: "must not contain a user name or password" };
  if (!url.hostname) return { ok: false, reason: "must name a host" };
  if (isLocalhostName(url.hostname)) {
    return policy.allowLoopback ? { ok: true, url } : { ok: false, reason: "must not point at localhost" };
  }
  if (classifyAddress(url.hostname) !== null) {
    const refused = refusedAddressKind(url.hostname, policy);
    if (refused) return { ok: false, reason: `must not point at ${withArticle(refused)} address` };
  }
  return { ok: true, url };
}

export type HostLookup = (hostname: string) => Promise<string[]>;

/** Every address the host resolves to, as the operating system's resolver answers (dns.lookup). */
export const systemLookup: HostLookup = async (hostname) => (await dnsLookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * At delivery time: the addresses the URL may be called at now, or why not. Re-checks the URL
 * and refuses a host any of whose current addresses is not allowed, so a name re-pointed (DNS
 * rebinding) at a private address after the webhook was created is refused too. The delivery then
 * connects to one of these checked addresses (server/webhooks/attempt.ts), never resolving again.
 * `addresses` is empty when the URL's host is itself an address.
 */
export async function resolveAllowedHost(
  url: string,
  policy: UrlPolicy,
  lookup: HostLookup = systemLookup,
): Promise<{ ok: true; addresses: string[] } | { ok: false; reason: string }> {
  const verdict = checkWebhookUrl(url, policy);
  if (!verdict.ok) return { ok: false, reason: `URL ${verdict.reason}` };
  const hostname = verdict.url.hostname;
  if (classifyAddress(hostname) !== null) return { ok: true, addresses: [] };
  let addresses: string[];
  try {
    addresses = await lookup(hostname);
  } catch (error) {
    return { ok: false, reason: `DNS lookup of ${hostname} failed (${(error as { code?: string }).code ?? "error"})` };
  }
  if (addresses.length === 0) return { ok: false, reason: `DNS lookup of ${hostname} returned no address` };
  for (const address of addresses) {
    const refused = refusedAddressKind(address, policy);
    if (refused) return { ok: false, reason: `${hostname} resolves to ${address}, ${withArticle(refused)} address` };
  }
  return { ok: true, addresses };
}

/** Why the URL may not be called now (resolveAllowedHost), or null. */
export async function refusedResolvedHost(url: string, policy: UrlPolicy, lookup: HostLookup = systemLookup): Promise<string | null> {
  const resolved = await resolveAllowedHost(url, policy, lookup);
  return resolved.ok ? null : resolved.reason;
}
