import type { Executor } from "../../server/db/client";
import { type BuiltinRoleId, builtinRoleIds } from "../../server/permissions";
import { type BuiltMember, type BuiltWorkspace, insertMemberDirectly, insertWorkspaceDirectly } from "./factories";

export type Team = { workspace: BuiltWorkspace } & Record<BuiltinRoleId, BuiltMember>;

/** A workspace with one active member per built-in role. */
export async function insertTeamDirectly(db: Executor): Promise<Team> {
  const workspace = await insertWorkspaceDirectly(db);
  const team = { workspace } as Team;
  for (const roleId of builtinRoleIds) team[roleId] = await insertMemberDirectly(db, workspace, { roleId, name: `The ${roleId}` });
  return team;
}
