import { decryptSecret, encryptSecret } from "../crypto/secrets";
import type { PipedriveTokens } from "./oauth";

/**
 * The columns an installation row keeps: both tokens encrypted under ENCRYPTION_KEY (the
 * ciphertext of a ~300-character access token fits comfortably in varchar(1024)); the expiry,
 * domain and scope in clear, since refresh decisions and routing need them without decrypting.
 */
export type StoredPipedriveTokens = {
  accessTokenEncrypted: string;
  refreshTokenEncrypted: string;
  scope: string;
  apiDomain: string;
  expiresAt: Date;
};

/** Encrypts tokens for storage. */
export function sealPipedriveTokens(encryptionKey: Buffer, tokens: PipedriveTokens): StoredPipedriveTokens {
  return {
    accessTokenEncrypted: encryptSecret(encryptionKey, tokens.accessToken),
    refreshTokenEncrypted: encryptSecret(encryptionKey, tokens.refreshToken),
    scope: tokens.scope,
    apiDomain: tokens.apiDomain,
    expiresAt: tokens.expiresAt,
  };
}

/** Decrypts stored tokens; throws if they were tampered with or the key is wrong. */
export function openPipedriveTokens(encryptionKey: Buffer, stored: StoredPipedriveTokens): PipedriveTokens {
  return {
    accessToken: decryptSecret(encryptionKey, stored.accessTokenEncrypted),
    refreshToken: decryptSecret(encryptionKey, stored.refreshTokenEncrypted),
    scope: stored.scope,
    apiDomain: stored.apiDomain,
    expiresAt: stored.expiresAt,
  };
}
