import { and, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { authTokens, pipedriveInstallations } from "../db/schema";
import { HttpProblem, notFound } from "../http/problem";
import type { Principal } from "../identity/tokens";
import type { Services } from "../services";
import { getDealWithPersons, getPersonWithPhones, type PanelPerson, permittedUserIds } from "./api";
import type { PipedriveClient } from "./client";
import { clientFor, type InstallationRow, loadIndividualConnection, loadWorkspaceConnection, workspaceClient } from "./connections";
import { PipedriveError } from "./errors";
import { answeringPipedriveErrors } from "./http-errors";

// Whose Pipedrive token reads a record for a member, so Pipedrive's own visibility applies
// (pipedrive.md §1.2a). A member with their own installation reads with it, and Pipedrive refuses
// what it hides from them. Without one, the workspace's token reads only the record Pipedrive
// opened the panel on, bound to the panel session when it began, and only when Pipedrive lists
// the panel's user among the record's permitted users: the record id arrives unsigned in the
// iframe's URL (§2.2), so the binding alone would trust what the member typed.

export const panelResources = ["deal", "person"] as const;
export type PanelRecord = { resource: (typeof panelResources)[number]; id: number };

/** Who opened a panel session (from the verified JWT) and the record it was opened on (null: none, e.g. settings). */
export type PanelBinding = { companyId: number; pipedriveUserId: number; record: PanelRecord | null };

/** The record a surface is on, from the iframe's `resource` and `selectedIds`; null unless one deal or person. */
export function panelRecordFrom(resource: string | undefined, selectedIds: string | undefined): PanelRecord | null {
  if (!panelResources.includes(resource as PanelRecord["resource"]) || !selectedIds || !/^\d{1,15}$/.test(selectedIds)) return null;
  const id = Number(selectedIds);
  return id > 0 ? { resource: resource as PanelRecord["resource"], id } : null;
}

// A panel token's binding lives in its auth_tokens `name`: panel tokens are never listed or named
// by anyone, the binding lives and dies with the token, and it is written once, here, and read
// with a strict pattern.
const bindingPattern = /^Pipedrive panel: company (\d+) user (\d+)(?: on (deal|person) (\d+))?$/;

export function panelTokenName(binding: PanelBinding): string {
  const on = binding.record ? ` on ${binding.record.resource} ${binding.record.id}` : "";
  return `Pipedrive panel: company ${binding.companyId} user ${binding.pipedriveUserId}${on}`;
}

export function parsePanelTokenName(name: string | null): PanelBinding | null {
  const match = name ? bindingPattern.exec(name) : null;
  if (!match) return null;
  const [, companyId, pipedriveUserId, resource, id] = match;
  return {
    companyId: Number(companyId),
    pipedriveUserId: Number(pipedriveUserId),
    record: resource && id ? { resource: resource as PanelRecord["resource"], id: Number(id) } : null,
  };
}

async function loadPanelBinding(db: Database, actor: Principal): Promise<PanelBinding | null> {
  if (actor.tokenKind !== "panel") return null;
  const [row] = await db
    .select({ name: authTokens.name })
    .from(authTokens)
    .where(and(eq(authTokens.workspaceId, actor.workspaceId), eq(authTokens.id, actor.tokenId)));
  return parsePanelTokenName(row?.name ?? null);
}

/**
 * The member's own working installation, each proven by an OAuth consent or a Pipedrive-signed JWT:
 * in a panel, the one of the Pipedrive user who opened it; elsewhere their individual connection,
 * else the workspace's serving installation when they made it. (An Admin's user mapping alone is
 * not proof: it never lends a member another user's token.)
 */
async function ownInstallation(db: Database, actor: Principal, binding: PanelBinding | null): Promise<InstallationRow | null> {
  let row: InstallationRow | null | undefined;
  if (binding) {
    [row] = await db
      .select()
      .from(pipedriveInstallations)
      .where(
        and(
          eq(pipedriveInstallations.workspaceId, actor.workspaceId),
          eq(pipedriveInstallations.companyId, binding.companyId),
          eq(pipedriveInstallations.pipedriveUserId, binding.pipedriveUserId),
        ),
      );
  } else {
    row = await loadIndividualConnection(db, actor.workspaceId, actor.memberId);
    if (!row) {
      const connection = await loadWorkspaceConnection(db, actor.workspaceId);
      if (connection?.connectedBy === actor.memberId) row = connection.installation;
    }
  }
  return row?.status === "connected" ? row : null;
}

/** How a member's panel reads: `own` with their own token, else the workspace's for the bound record only. */
export type PanelReader = { client: PipedriveClient; own: boolean; pipedriveUserId: number | null };

/**
 * The client that may read `record` for this member: 404 when the record is not the panel's
 * (without an own token) or Pipedrive does not permit the panel's user to see it; 403 outside a
 * panel without an own connection.
 */
export async function panelReaderFor(services: Services, actor: Principal, record: PanelRecord): Promise<PanelReader> {
  const db = services.database.db;
  const binding = await loadPanelBinding(db, actor);
  const own = await ownInstallation(db, actor, binding);
  if (own) return { client: await readingAsMember(() => clientFor(services, own)), own: true, pipedriveUserId: own.pipedriveUserId };
  if (!binding) {
    throw new HttpProblem(
      403,
      "crm_not_linked",
      "Your own Pipedrive account is needed",
      "Outside the Pipedrive panel, Pipedrive records are read with your own Pipedrive account: press Connect my account on the Integrations page of the Switchboard console (/#/integrations) first.",
      { missing: "individual_connection" },
    );
  }
  if (binding.record?.resource !== record.resource || binding.record.id !== record.id) throw notFound(record.resource);
  return readingAsMember(async () => {
    const client = await workspaceClient(services, actor.workspaceId);
    if (!(await permittedUserIds(client, record)).includes(binding.pipedriveUserId)) throw notFound(record.resource);
    return { client, own: false, pipedriveUserId: binding.pipedriveUserId };
  });
}

/** The record's persons as the reader may see them (a deal's contact person first). */
export async function readPanelPersons(reader: PanelReader, record: PanelRecord): Promise<PanelPerson[]> {
  return readingAsMember(async () => {
    if (record.resource === "person") return [await getPersonWithPhones(reader.client, record.id)];
    const { persons } = await getDealWithPersons(reader.client, record.id);
    if (reader.own || reader.pipedriveUserId === null) return persons;
    // Through the workspace's token: only the deal's persons Pipedrive lets the panel's user see.
    const userId = reader.pipedriveUserId;
    const permitted = await Promise.all(
      persons.map(async (person) => (await permittedUserIds(reader.client, { resource: "person", id: person.id })).includes(userId)),
    );
    return persons.filter((_person, index) => permitted[index]);
  });
}

/** Pipedrive's refusal to show a record to this member (403 or 404) is "not found" to them. */
async function readingAsMember<T>(work: () => Promise<T>): Promise<T> {
  return answeringPipedriveErrors(async () => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof PipedriveError && error.reason === "forbidden") throw notFound("record");
      throw error;
    }
  });
}
