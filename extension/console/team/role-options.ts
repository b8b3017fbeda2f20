import type { Role } from "../api/types";

/** The API never assigns the owner role directly (ownership moves only by transfer). */
const ownerRoleId = "owner";

export function roleNameOf(roles: readonly Role[] | undefined, roleId: string): string {
  return roles?.find((role) => role.id === roleId)?.name ?? roleId;
}

/** Roles a member can be given, invited with, or accepted into: every role but the owner's. */
export function assignableRoleOptions(roles: readonly Role[] | undefined) {
  return (roles ?? []).filter((role) => role.id !== ownerRoleId).map((role) => ({ value: role.id, label: role.name }));
}
