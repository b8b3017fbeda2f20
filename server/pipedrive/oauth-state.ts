import { createHmac, randomBytes } from "node:crypto";
import { z } from "zod";
import { safeEqual } from "../ids";

// The OAuth `state` that binds a Pipedrive callback to the member who started the connection:
// `<base64url(JSON payload)>.<base64url(HMAC-SHA256(key, payload))>`.

export const oauthStatePurposes = ["workspace", "individual"] as const;
export type OAuthStatePurpose = (typeof oauthStatePurposes)[number];

export const oauthStateFailures = ["malformed", "forged", "tampered", "expired", "replayed", "wrong_purpose"] as const;
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
};

/** Single-use nonces: `consume` answers true the first time a nonce is seen, false ever after. */
export type OAuthNonceStore = { consume(nonce: string, expiresAt: Date): Promise<boolean> };

type StateKey = string | Buffer;
const defaultTtlMinutes = 10;
const Payload = z.strictObject({
  memberId: z.string().min(1),
  workspaceId: z.string().min(1),
  purpose: z.enum(oauthStatePurposes),
  nonce: z.string().min(1),
  /** Unix seconds. */
  expiresAt: z.number().int().positive(),
});

/** Creates a signed, expiring, single-use `state` for the Pipedrive authorize URL. */
export function createOAuthState(
  key: StateKey,
  input: { memberId: string; workspaceId: string; purpose: OAuthStatePurpose },
  options: { ttlMinutes?: number; now?: Date } = {},
): string {
  assertUsableKey(key);
  const now = options.now ?? new Date();
  const expiresAt = Math.floor(now.getTime() / 1000) + (options.ttlMinutes ?? defaultTtlMinutes) * 60;
  const payload = Payload.parse({ ...input, nonce: mintNonce(key), expiresAt });
  const encoded = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${encoded}.${mac(key, "state", encoded)}`;
}

/**
 * Verifies a `state` from the OAuth callback and burns its nonce. Throws OAuthStateError:
 * `forged` when neither the signature nor the nonce is ours, `tampered` when the nonce is ours
 * but the signed contents were changed, then `wrong_purpose`, `expired` and `replayed`.
 */
export async function verifyOAuthState(
  key: StateKey,
  state: string,
  options: { nonceStore: OAuthNonceStore; expectedPurpose?: OAuthStatePurpose; now?: Date },
): Promise<OAuthStateClaims> {
  assertUsableKey(key);
  const [encoded, signature, ...rest] = state.split(".");
  if (!encoded || !signature || rest.length > 0) throw new OAuthStateError("malformed", "OAuth state is not <payload>.<signature>");
  const payload = Payload.safeParse(decodeJson(encoded)).data;
  if (!safeEqual(signature, mac(key, "state", encoded))) {
    // A genuine nonce under a bad signature means someone edited a state we issued.
    if (payload && isOurNonce(key, payload.nonce)) throw new OAuthStateError("tampered", "OAuth state was altered after signing");
    throw new OAuthStateError("forged", "OAuth state was not signed by us");
  }
  if (!payload) throw new OAuthStateError("malformed", "OAuth state payload is unreadable");
  if (options.expectedPurpose && payload.purpose !== options.expectedPurpose) {
    throw new OAuthStateError("wrong_purpose", `OAuth state is for a ${payload.purpose} connection`);
  }
  const now = options.now ?? new Date();
  const expiresAt = new Date(payload.expiresAt * 1000);
  if (expiresAt.getTime() <= now.getTime()) throw new OAuthStateError("expired", "OAuth state has expired");
  if (!(await options.nonceStore.consume(payload.nonce, expiresAt))) {
    throw new OAuthStateError("replayed", "OAuth state was already used");
  }
  return { ...payload, expiresAt };
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

// The label keeps a nonce MAC from ever being accepted as a state MAC, and vice versa.
function macBytes(key: StateKey, label: "state" | "nonce", value: string): Buffer {
  return createHmac("sha256", key).update(`switchboard.pipedrive.oauth-${label}.${value}`).digest();
}

const mac = (key: StateKey, label: "state" | "nonce", value: string) => macBytes(key, label, value).toString("base64url");

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
