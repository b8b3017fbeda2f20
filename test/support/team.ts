import type { Executor } from "../../server/db/client";
import { type BuiltinRoleId, builtinRoleIds } from "../../server/permissions";
import { type BuiltMember, type BuiltWorkspace, buildMember, buildWorkspace } from "./factories";

export type Team = { workspace: BuiltWorkspace } & Record<BuiltinRoleId, BuiltMember>;

/** A workspace with one active member per built-in role. */
export async function buildTeam(db: Executor): Promise<Team> {
  const workspace = await buildWorkspace(db);
  const team = { workspace } as Team;
  for (const roleId of builtinRoleIds) team[roleId] = await buildMember(db, workspace, { roleId, name: `The ${roleId}` });
  return team;
}
