import type { Executor } from "../db/client";
import { invalidRequest } from "../http/problem";
import { assertOwnerOnlyByTransfer } from "../permissions";
import { findRole } from "../roles/lookup";

/** Loads a role the actor is about to grant, or answers 400 when the workspace has no such role. */
export async function grantableRole(db: Executor, workspaceId: string, roleId: string) {
  assertOwnerOnlyByTransfer(roleId);
  const role = await findRole(db, workspaceId, roleId);
  if (!role) throw invalidRequest("There is no such role.", [{ path: "body.roleId", message: "unknown role" }]);
  return role;
}
