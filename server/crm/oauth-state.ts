import { createHash, createHmac, randomBytes } from "node:crypto";
import { z } from "zod";
import { safeEqual } from "../ids";

// The OAuth `state` that binds a CRM's OAuth callback to the member who started the connection and
// to the browser they started it in: `<base64url(JSON payload)>.<base64url(HMAC-SHA256(key, payload))>`.
// The payload holds the SHA-256 of a secret that only that browser's cookie carries. A connect
// ticket, in the same format under another label, is the single-use link that brings the browser
// to Switchboard to receive that cookie. Each CRM signs with its own key (config: the Pipedrive and
// HubSpot state keys are derived apart), so a state or ticket of one is never accepted by another.

export const oauthStatePurposes = ["workspace", "individual"] as const;
export type OAuthStatePurpose = (typeof oauthStatePurposes)[number];

/**
 * Where the callback sends the browser when it is done: the console's Integrations page, or the
 * small page that ends a connection made in a popup (opened from a CRM panel), which says how it
 * went and closes.
 */
export const connectLandings = ["console", "popup"] as const;
export type ConnectLanding = (typeof connectLandings)[number];

export const oauthStateFailures = ["malformed", "forged", "tampered", "expired", "replayed", "wrong_purpose", "other_browser"] as const;
export type OAuthStateFailure = (typeof oauthStateFailures)[number];

export class OAuthStateError extends Error {
  override readonly name = "OAuthStateError";
  constructor(
    readonly reason: OAuthStateFailure,
    message: string,
  ) {
    super(message);
  }
}

export type OAuthStateClaims = {
  memberId: string;
  workspaceId: string;
  purpose: OAuthStatePurpose;
  nonce: string;
  expiresAt: Date;
  landing?: ConnectLanding;
};

/** Single-use nonces: `consume` answers true the first time a nonce is seen, false ever after. */
export type OAuthNonceStore = { consume(nonce: string, expiresAt: Date): Promise<boolean> };

/** Who starts a connection, and for what: what a connect ticket carries (the same claims as the OAuth state). */
export type ConnectTicketClaims = OAuthStateClaims;

type StateKey = string | Buffer;
type Label = "state" | "ticket";
const defaultTtlMinutes = 10;
/** The ticket only has to survive the browser opening it. */
const ticketTtlMinutes = 5;
const TicketPayload = z.strictObject({
  memberId: z.string().min(1),
  workspaceId: z.string().min(1),
  purpose: z.enum(oauthStatePurposes),
  landing: z.enum(connectLandings).optional(),
  nonce: z.string().min(1),
  /** Unix seconds. */
  expiresAt: z.number().int().positive(),
});
/** `browser`: base64url SHA-256 of the secret in the starting browser's cookie. */
const Payload = TicketPayload.extend({ browser: z.string().min(1) });

/** A fresh secret for the browser that opens a connect ticket: its cookie holds it, the state its hash. */
export function mintBrowserSecret(): string {
  return randomBytes(32).toString("base64url");
}

const browserHash = (secret: string) => createHash("sha256").update(secret).digest("base64url");

/** Creates a signed, expiring, single-use `state` for a CRM's authorize URL, bound to a browser secret. */
export function createOAuthState(
  key: StateKey,
  input: { memberId: string; workspaceId: string; purpose: OAuthStatePurpose; landing?: ConnectLanding; browserSecret: string },
  options: { ttlMinutes?: number; now?: Date } = {},
): string {
  const { browserSecret, ...claims } = input;
  return sign(key, "state", Payload.parse({ ...claims, browser: browserHash(browserSecret), ...freshClaims(key, options) }));
}

/** Creates the signed, single-use, short-lived ticket a connect link carries (see createOAuthState). */
export function createConnectTicket(
  key: StateKey,
  input: { memberId: string; workspaceId: string; purpose: OAuthStatePurpose; landing?: ConnectLanding },
  options: { now?: Date } = {},
): string {
  return sign(key, "ticket", TicketPayload.parse({ ...input, ...freshClaims(key, { ...options, ttlMinutes: ticketTtlMinutes }) }));
}

/** Verifies a connect ticket and burns it; throws OAuthStateError as verifyOAuthState does. */
export async function verifyConnectTicket(key: StateKey, ticket: string, options: { nonceStore: OAuthNonceStore; now?: Date }): Promise<ConnectTicketClaims> {
  const payload = await open(key, "ticket", ticket, TicketPayload, options);
  return { ...payload, expiresAt: new Date(payload.expiresAt * 1000) };
}

function freshClaims(key: StateKey, options: { ttlMinutes?: number; now?: Date }) {
  const now = options.now ?? new Date();
  return { nonce: mintNonce(key), expiresAt: Math.floor(now.getTime() / 1000) + (options.ttlMinutes ?? defaultTtlMinutes) * 60 };
}

function sign(key: StateKey, label: Label, payload: object): string {
  assertUsableKey(key);
  const encoded = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${encoded}.${mac(key, label, encoded)}`;
}

/**
 * Verifies a `state` from the OAuth callback and burns its nonce. Throws OAuthStateError:
 * `forged` when neither the signature nor the nonce is ours, `tampered` when the nonce is ours
 * but the signed contents were changed, then `wrong_purpose`, `expired`, `other_browser` (the
 * callback's browser lacks the secret the state was bound to; the state stays usable by its own
 * browser) and `replayed`.
 */
export async function verifyOAuthState(
  key: StateKey,
  state: string,
  options: { nonceStore: OAuthNonceStore; browserSecret: string | undefined; expectedPurpose?: OAuthStatePurpose; now?: Date },
): Promise<OAuthStateClaims> {
  const { browser, ...payload } = await open(key, "state", state, Payload, {
    ...options,
    check(claims) {
      if (options.expectedPurpose && claims.purpose !== options.expectedPurpose) {
        throw new OAuthStateError("wrong_purpose", `OAuth state is for a ${claims.purpose} connection`);
      }
    },
    beforeBurning(claims) {
      if (!options.browserSecret || !safeEqual(browserHash(options.browserSecret), claims.browser)) {
        throw new OAuthStateError("other_browser", "OAuth state was started in another browser");
      }
    },
  });
  return { ...payload, expiresAt: new Date(payload.expiresAt * 1000) };
}

async function open<Claims extends z.infer<typeof TicketPayload>>(
  key: StateKey,
  label: Label,
  token: string,
  schema: z.ZodType<Claims>,
  options: { nonceStore: OAuthNonceStore; now?: Date; check?: (claims: Claims) => void; beforeBurning?: (claims: Claims) => void },
): Promise<Claims> {
  assertUsableKey(key);
  const [encoded, signature, ...rest] = token.split(".");
  if (!encoded || !signature || rest.length > 0) throw new OAuthStateError("malformed", `OAuth ${label} is not <payload>.<signature>`);
  const payload = schema.safeParse(decodeJson(encoded)).data;
  if (!safeEqual(signature, mac(key, label, encoded))) {
    // A genuine nonce under a bad signature means someone edited a state we issued.
    if (payload && isOurNonce(key, payload.nonce)) throw new OAuthStateError("tampered", `OAuth ${label} was altered after signing`);
    throw new OAuthStateError("forged", `OAuth ${label} was not signed by us`);
  }
  if (!payload) throw new OAuthStateError("malformed", `OAuth ${label} payload is unreadable`);
  options.check?.(payload);
  const now = options.now ?? new Date();
  const expiresAt = new Date(payload.expiresAt * 1000);
  if (expiresAt.getTime() <= now.getTime()) throw new OAuthStateError("expired", `OAuth ${label} has expired`);
  options.beforeBurning?.(payload);
  if (!(await options.nonceStore.consume(payload.nonce, expiresAt))) {
    throw new OAuthStateError("replayed", `OAuth ${label} was already used`);
  }
  return payload;
}

/**
 * The landing a state asks for, read without verifying it: only to choose which of our own pages
 * shows an outcome whose state was never verified (a denial, a forged or expired state). Nothing
 * else may be read from an unverified state.
 */
export function unverifiedLanding(state: unknown): ConnectLanding {
  if (typeof state !== "string") return "console";
  const landing = (decodeJson(state.split(".")[0] ?? "") as { landing?: unknown } | null)?.landing;
  return landing === "popup" ? "popup" : "console";
}

/** An in-process nonce store for tests and single-process development; production uses a table. */
export function createMemoryNonceStore(clock: () => Date = () => new Date()): OAuthNonceStore {
  const expiryByNonce = new Map<string, number>();
  return {
    async consume(nonce, expiresAt) {
      const now = clock().getTime();
      // An expired state is rejected before its nonce is consulted, so forgetting it is safe.
      for (const [seen, expiry] of expiryByNonce) if (expiry <= now) expiryByNonce.delete(seen);
      if (expiryByNonce.has(nonce)) return false;
      expiryByNonce.set(nonce, expiresAt.getTime());
      return true;
    },
  };
}

// A nonce is 16 random bytes plus a 16-byte MAC of them, so it proves on its own that we minted it.
function mintNonce(key: StateKey): string {
  const random = randomBytes(16);
  return Buffer.concat([random, macBytes(key, "nonce", random.toString("base64url")).subarray(0, 16)]).toString("base64url");
}

function isOurNonce(key: StateKey, nonce: string): boolean {
  const bytes = Buffer.from(nonce, "base64url");
  if (bytes.length !== 32) return false;
  const random = bytes.subarray(0, 16).toString("base64url");
  const expected = macBytes(key, "nonce", random).subarray(0, 16).toString("base64url");
  return safeEqual(bytes.subarray(16).toString("base64url"), expected);
}

// The label keeps a nonce, ticket or state MAC from ever being accepted as another.
function macBytes(key: StateKey, label: Label | "nonce", value: string): Buffer {
  return createHmac("sha256", key).update(`switchboard.crm.oauth-${label}.${value}`).digest();
}

const mac = (key: StateKey, label: Label | "nonce", value: string) => macBytes(key, label, value).toString("base64url");

function decodeJson(encoded: string): unknown {
  try {
    return JSON.parse(Buffer.from(encoded, "base64url").toString("utf8"));
  } catch {
    return null;
  }
}

function assertUsableKey(key: StateKey) {
  if (Buffer.byteLength(key) < 16) throw new RangeError("OAuth state key must be at least 16 bytes");
}
