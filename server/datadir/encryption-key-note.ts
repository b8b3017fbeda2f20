import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "../config";

/** DATA_DIR/encryption.key: the key a development server generates when ENCRYPTION_KEY is unset. */
export const keyFileIn = (dataDir: string) => path.join(dataDir, "encryption.key");

/** The key file saved beside a backup by `npm run backup -- --include-key`. */
export const keyFileBeside = (backupFile: string) => `${backupFile}.encryption.key`;

/** Whether the server's key is DATA_DIR/encryption.key (else it is ENCRYPTION_KEY). */
export function keyComesFromDataDir(config: Config): boolean {
  const file = keyFileIn(config.dataDir);
  return existsSync(file) && Buffer.from(readFileSync(file, "utf8").trim(), "base64").equals(config.encryptionKey);
}

/** What to keep with a backup so its tokens and secrets can be decrypted and its activity log verified. */
export function encryptionKeyReminder(config: Config, savedBeside: string | null): string {
  const source = keyComesFromDataDir(config) ? `the key in ${keyFileIn(config.dataDir)}` : "the ENCRYPTION_KEY this server runs with";
  const where = savedBeside
    ? `It was saved beside the backup as ${savedBeside}: store that file as carefully as the key itself (anyone with both can read every secret).`
    : "It is NOT in the backup: keep a copy of it with the backup (`--include-key` writes it beside the backup).";
  return `Tokens and secrets in this backup are encrypted with ${source}, and its activity log is keyed with it: restoring without that key loses them. ${where}`;
}
