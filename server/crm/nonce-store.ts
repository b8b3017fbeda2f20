import { lt, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { pipedriveOAuthNonces } from "../db/schema";
import type { OAuthNonceStore } from "./oauth-state";

// The table keeps its first CRM's name; nonces are random and MAC'd per CRM key, so every CRM shares it.
/** Single-use values in the database (OAuth state nonces, used panel tokens), burnt for every server process at once. */
export function databaseNonceStore(db: Database): OAuthNonceStore {
  return {
    async consume(nonce, expiresAt) {
      await db.delete(pipedriveOAuthNonces).where(lt(pipedriveOAuthNonces.expiresAt, sql`now()`));
      const inserted = await db
        .insert(pipedriveOAuthNonces)
        .values({ nonce, expiresAt })
        .onConflictDoNothing()
        .returning({ nonce: pipedriveOAuthNonces.nonce });
      return inserted.length === 1;
    },
  };
}
