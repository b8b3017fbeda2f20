import { grantsAtLeast, type Permission, type PermissionMap, permissionNames } from "./catalogue";
import { type Actor, PermissionDenied } from "./engine";

/** A role-administration rule that no permission can override (answered as 409). */
export class InvariantViolation extends Error {
  constructor(
    readonly invariant: string,
    detail: string,
  ) {
    super(detail);
  }
}

/** Nobody assigns the owner role except by ownership transfer. */
export function assertOwnerOnlyByTransfer(targetRoleId: string): void {
  if (targetRoleId === "owner") {
    throw new InvariantViolation("owner_only_by_transfer", "The owner role is never assigned directly; ownership moves only by transfer.");
  }
}

/** The Owner can't be suspended or have their role changed. */
export function assertNotTheOwner(target: { roleId: string }, change: "suspend" | "role_change"): void {
  if (target.roleId === "owner") {
    const what = change === "suspend" ? "suspended" : "given another role";
    throw new InvariantViolation("owner_untouchable", `The Owner cannot be ${what}; transfer ownership first.`);
  }
}

/** Nobody grants a role more than they hold themselves. */
export function assertGrantWithinOwn(actor: Actor, granted: PermissionMap): void {
  const exceeded = permissionNames.find((name) => !grantsAtLeast(actor.permissions[name], granted[name]));
  if (exceeded) {
    throw new PermissionDenied(
      exceeded,
      `You cannot grant ${exceeded} at "${String(granted[exceeded])}" because your own role holds it at "${String(actor.permissions[exceeded])}".`,
    );
  }
}

/** Ownership moves only to an active Admin. */
export function assertOwnershipTarget(target: { roleId: string; status: string }): void {
  if (target.roleId !== "admin" || target.status !== "active") {
    throw new InvariantViolation("ownership_to_active_admin", "Ownership can be transferred only to an active Admin.");
  }
}

const selfManagementPermissions: Permission[] = ["team.manage", "roles.manage"];

/** Nobody removes their own team.manage / roles.manage by editing or changing their own role. */
export function assertKeepsOwnManagement(actor: Actor, newPermissions: PermissionMap): void {
  const lost = selfManagementPermissions.find((name) => actor.permissions[name] && !newPermissions[name]);
  if (lost) {
    throw new InvariantViolation("keeps_own_management", `This change would remove your own ${lost}; ask another member who holds it to make it.`);
  }
}
