import { eq, inArray } from "drizzle-orm";
import { recordAudit } from "../audit/recorder";
import { loadActor } from "../crm/actor";
import type { Executor } from "../db/client";
import { members, users } from "../db/schema";
import { type DemoCrmUser, demoCrmCompany, demoCrmUserFor, demoCrmUsers } from "../demo-crm/company";
import { issueDemoCrmTokens } from "../demo-crm/tokens";
import { holds } from "../permissions";
import { loadIndividualConnection, loadWorkspaceConnection } from "../pipedrive/connections";
import { InstallRefused, linkPipedriveUser, storeIndividualConnection, storeWorkspaceConnection } from "../pipedrive/installations";
import type { PipedriveIdentity } from "../pipedrive/oauth";
import type { Services } from "../services";
import { demoEmail } from "./members";

export type DemoCrmConnectionOutcome = "connected" | "refreshed" | "unchanged" | "skipped";

/**
 * Connects the demo workspace to the demo CRM the way its people would: the Owner connects the
 * workspace (company 67890); every member who may connects their own Pipedrive user (101–104), so
 * notes are written under their name; the Collaborator, who may not, is mapped by the Owner (105).
 * Tokens go through the ordinary connection storage, encrypted. Runs on every start: a workspace
 * without a connection is connected; connections made for another address (PUBLIC_URL or PORT
 * changed since) get tokens for this one. Does nothing unless the demo CRM is this server's app.
 */
export async function connectDemoWorkspaceToDemoCrm(services: Services): Promise<DemoCrmConnectionOutcome> {
  const { config, database } = services;
  if (!config.pipedrive.usesDemoCrm) return "skipped";
  const demoMembers = await findDemoMembers(database.db);
  const owner = demoMembers.get("owner");
  if (!owner) return "skipped";
  const workspaceId = owner.workspaceId;
  try {
    return await database.db.transaction(async (tx) => {
      const existing = await loadWorkspaceConnection(tx, workspaceId);
      // Someone connected another company (a real Pipedrive): leave it alone.
      if (existing && existing.companyId !== demoCrmCompany.id) return "skipped";
      const fresh = !existing;
      const stale = (row: { apiDomain: string } | null) => row !== null && row.apiDomain !== config.demoCrm.url;
      // The Owner's installation was uninstalled or made for another address: connect again.
      if (!fresh && existing.installation && !stale(existing.installation)) return "unchanged";
      const ownerUser = demoCrmUserFor("owner");
      await storeWorkspaceConnection(tx, config.encryptionKey, {
        workspaceId,
        memberId: owner.memberId,
        tokens: issueDemoCrmTokens(config, ownerUser.id),
        identity: identityOf(ownerUser),
      });
      for (const user of demoCrmUsers) {
        const member = demoMembers.get(user.roleId);
        if (!member) continue;
        const actor = await loadActor(tx, workspaceId, member.memberId);
        const connection = await loadIndividualConnection(tx, workspaceId, member.memberId);
        if (actor && holds(actor, "integrations.individual") && (fresh || stale(connection))) {
          const input = { workspaceId, memberId: member.memberId, tokens: issueDemoCrmTokens(config, user.id), identity: identityOf(user) };
          await storeIndividualConnection(tx, config.encryptionKey, input);
        } else if (fresh && !connection) {
          await linkPipedriveUser(tx, workspaceId, user.id, member.memberId, owner.memberId);
        }
      }
      await recordAudit(tx, config.auditChainKey, {
        workspaceId,
        actorId: owner.memberId,
        action: "pipedrive.connect",
        targetType: "pipedrive_company",
        targetId: String(demoCrmCompany.id),
        details: { demoCrm: true, apiDomain: config.demoCrm.url, reason: fresh ? "demo seed" : "address changed" },
      });
      return fresh ? "connected" : "refreshed";
    });
  } catch (error) {
    // Company 67890 is connected to another workspace of this database: nothing to do here.
    if (error instanceof InstallRefused) return "skipped";
    throw error;
  }
}

type DemoMember = { workspaceId: string; memberId: string };

/** The demo workspace's members by role, found by their demo e-mail addresses. */
async function findDemoMembers(db: Executor): Promise<Map<string, DemoMember>> {
  const emails = demoCrmUsers.map((user) => demoEmail(user.roleId));
  const rows = await db
    .select({ email: users.email, workspaceId: members.workspaceId, memberId: members.id })
    .from(users)
    .innerJoin(members, eq(members.userId, users.id))
    .where(inArray(users.email, emails));
  const ownerRow = rows.find((row) => row.email === demoEmail("owner"));
  const byRole = new Map<string, DemoMember>();
  for (const user of demoCrmUsers) {
    const row = rows.find((candidate) => candidate.email === demoEmail(user.roleId) && candidate.workspaceId === ownerRow?.workspaceId);
    if (row) byRole.set(user.roleId, { workspaceId: row.workspaceId, memberId: row.memberId });
  }
  return byRole;
}

function identityOf(user: DemoCrmUser): PipedriveIdentity {
  return {
    pipedriveUserId: user.id,
    pipedriveCompanyId: demoCrmCompany.id,
    name: user.name,
    email: user.email,
    companyDomain: demoCrmCompany.domain,
    companyName: demoCrmCompany.name,
    isAdmin: user.isAdmin,
  };
}
