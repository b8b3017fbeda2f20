import { z } from "zod";
import { safeEqual, sha256 } from "../ids";
import type { PipedriveApp } from "./oauth";

// Pipedrive announces an uninstall with `DELETE <Callback URL>`, a JSON body
// `{ client_id, company_id, user_id, timestamp }` and `Authorization: Basic client_id:client_secret`
// (pipedrive.md §1.3). Its response is ignored, so a rejected call simply does nothing.

export const uninstallFailures = ["missing_auth", "bad_auth", "bad_body"] as const;
export type UninstallFailure = (typeof uninstallFailures)[number];

export type UninstallNotice = {
  pipedriveCompanyId: number;
  pipedriveUserId: number;
  /** As Pipedrive sent it; its format is not documented. */
  timestamp: string | null;
};

export type UninstallVerification = { ok: true; notice: UninstallNotice } | { ok: false; reason: UninstallFailure };

const PipedriveId = z.union([z.number().int().positive(), z.string().regex(/^\d+$/).transform(Number)]);
const UninstallBody = z.looseObject({
  client_id: z.string().min(1),
  company_id: PipedriveId,
  user_id: PipedriveId,
  timestamp: z.union([z.string(), z.number()]).optional(),
});

/**
 * Checks an uninstall callback: the Basic credentials must be our client id and secret
 * (compared in constant time) and the body must name our app, a company and a user.
 */
export function verifyUninstallRequest(
  app: Pick<PipedriveApp, "clientId" | "clientSecret">,
  request: { authorization: string | undefined; body: unknown },
): UninstallVerification {
  const credentials = basicCredentialsOf(request.authorization);
  if (!credentials) return { ok: false, reason: "missing_auth" };
  // Hashing first keeps the comparison's time independent of where, or whether, lengths differ.
  const expected = sha256(`${app.clientId}:${app.clientSecret}`);
  if (!safeEqual(sha256(credentials), expected)) return { ok: false, reason: "bad_auth" };
  const body = UninstallBody.safeParse(request.body);
  if (!body.success || body.data.client_id !== app.clientId) return { ok: false, reason: "bad_body" };
  return {
    ok: true,
    notice: {
      pipedriveCompanyId: body.data.company_id,
      pipedriveUserId: body.data.user_id,
      timestamp: body.data.timestamp === undefined ? null : String(body.data.timestamp),
    },
  };
}

function basicCredentialsOf(header: string | undefined): string | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  return match?.[1] ? Buffer.from(match[1], "base64").toString("utf8") : null;
}
