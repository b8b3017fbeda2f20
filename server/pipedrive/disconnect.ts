import type { Services } from "../services";
import { type InstallationRow, pipedriveApp } from "./connections";
import { revokeRefreshToken } from "./oauth";
import { openPipedriveTokens } from "./token-storage";

/** Whether Pipedrive confirmed each revoke (a 200, which RFC 7009 also gives an unknown token). */
export type RevokeOutcome = { pipedriveUserId: number; revoked: boolean };

/**
 * Revokes installations' refresh tokens at Pipedrive before Switchboard forgets them, which marks
 * the app uninstalled for those users (pipedrive.md §1.3). Call it outside any transaction. A
 * failure (unreachable, 5xx, a token we can no longer decrypt) is logged and reported, never
 * thrown: the disconnect still removes the installation here, since the user asked to be disconnected.
 */
export async function revokeInstallations(services: Services, installations: InstallationRow[]): Promise<RevokeOutcome[]> {
  const outcomes: RevokeOutcome[] = [];
  for (const installation of installations) {
    const who = { companyId: installation.companyId, pipedriveUserId: installation.pipedriveUserId };
    try {
      const { refreshToken } = openPipedriveTokens(services.config.encryptionKey, installation);
      await revokeRefreshToken(pipedriveApp(services), refreshToken);
      outcomes.push({ pipedriveUserId: installation.pipedriveUserId, revoked: true });
    } catch (error) {
      services.logger.warn({ ...who, err: error }, "Pipedrive revoke failed; removing the installation anyway");
      outcomes.push({ pipedriveUserId: installation.pipedriveUserId, revoked: false });
    }
  }
  return outcomes;
}
