import { z } from "zod";
import { safeEqual, sha256 } from "../ids";
import type { PipedriveApp } from "./oauth";

// Pipedrive announces an uninstall with `DELETE <Callback URL>`, a JSON body
// `{ client_id, company_id, user_id, timestamp }` and `Authorization: Basic client_id:client_secret`
// (pipedrive.md §1.3). Its response is ignored, so a rejected call simply does nothing.
// It announces app sharing with `POST <Callback URL>` and `{ company_id, user_id, isShared }`
// (pipedrive.md §1.2a, https://pipedrive.readme.io/docs/app-sharing-adding-apps-to-multiple-users).
// Our reference doesn't say how that notice is authenticated; we assume (and require) the same
// Basic client credentials as the uninstall notice, since both come from Pipedrive's back end.

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
  const refused = checkClientCredentials(app, request.authorization);
  if (refused) return { ok: false, reason: refused };
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

export type AppSharingNotice = { pipedriveCompanyId: number; pipedriveUserId: number; isShared: boolean };
export type AppSharingVerification = { ok: true; notice: AppSharingNotice } | { ok: false; reason: UninstallFailure };

const AppSharingBody = z.looseObject({
  client_id: z.string().min(1).optional(),
  company_id: PipedriveId,
  user_id: PipedriveId,
  isShared: z.boolean(),
});

/** Checks an app-sharing notice: our Basic client credentials, and a body naming company, user and isShared. */
export function verifyAppSharingRequest(
  app: Pick<PipedriveApp, "clientId" | "clientSecret">,
  request: { authorization: string | undefined; body: unknown },
): AppSharingVerification {
  const refused = checkClientCredentials(app, request.authorization);
  if (refused) return { ok: false, reason: refused };
  const body = AppSharingBody.safeParse(request.body);
  if (!body.success || (body.data.client_id !== undefined && body.data.client_id !== app.clientId)) return { ok: false, reason: "bad_body" };
  return { ok: true, notice: { pipedriveCompanyId: body.data.company_id, pipedriveUserId: body.data.user_id, isShared: body.data.isShared } };
}

function checkClientCredentials(app: Pick<PipedriveApp, "clientId" | "clientSecret">, authorization: string | undefined): UninstallFailure | null {
  const credentials = basicCredentialsOf(authorization);
  if (!credentials) return "missing_auth";
  // Hashing first keeps the comparison's time independent of where, or whether, lengths differ.
  const expected = sha256(`${app.clientId}:${app.clientSecret}`);
  return safeEqual(sha256(credentials), expected) ? null : "bad_auth";
}

function basicCredentialsOf(header: string | undefined): string | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  return match?.[1] ? Buffer.from(match[1], "base64").toString("utf8") : null;
}
