import { grantsAtLeast, type Permission, type PermissionMap, permissionNames } from "./catalogue";
import { type Actor, holds, PermissionDenied } from "./engine";

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

/** The Owner can't be suspended, removed or have their role changed. */
export function assertNotTheOwner(target: { roleId: string }, change: "suspend" | "role_change" | "remove"): void {
  if (target.roleId === "owner") {
    const what = { suspend: "suspended", remove: "removed", role_change: "given another role" }[change];
    throw new InvariantViolation("owner_untouchable", `The Owner cannot be ${what}; transfer ownership first.`);
  }
}

/** The first permission `other` grants beyond `own`, or undefined when `own` grants at least as much everywhere. */
function firstPermissionBeyond(own: PermissionMap, other: PermissionMap): Permission | undefined {
  return permissionNames.find((name) => !grantsAtLeast(own[name], other[name]));
}

/** Nobody grants a role more than they hold themselves. */
export function assertGrantWithinOwn(actor: Actor, granted: PermissionMap): void {
  const exceeded = firstPermissionBeyond(actor.permissions, granted);
  if (exceeded) {
    throw new PermissionDenied(
      exceeded,
      `You cannot grant ${exceeded} at "${String(granted[exceeded])}" because your own role holds it at "${String(actor.permissions[exceeded])}".`,
    );
  }
}

export type MemberChange = "role_change" | "suspend" | "activate" | "remove";
const memberChangeVerbs: Record<MemberChange, string> = {
  role_change: "change the role of",
  suspend: "suspend",
  activate: "re-activate",
  remove: "remove",
};
/** A member another member acts on, with their role's complete permission map. */
export type ManagedMember = { id: string; roleId: string; permissions: PermissionMap };

/**
 * Why the actor may not make `change` to another member, or null. act_within_own: nobody acts on a
 * member whose role grants more than their own (a PermissionDenied naming the first such
 * permission, as grant-within-own does: 403). admins_by_owner_only: only the Owner acts on an
 * Admin, since another Admin or an Admin-like custom role holds as much (409). Oneself is exempt:
 * stepping down is allowed, and keeps_own_management / no self-suspension guard the rest.
 */
export function memberChangeViolation(actor: Actor, target: ManagedMember, change: MemberChange): PermissionDenied | InvariantViolation | null {
  if (target.id === actor.memberId) return null;
  const verb = memberChangeVerbs[change];
  const beyond = firstPermissionBeyond(actor.permissions, target.permissions);
  if (beyond) {
    return new PermissionDenied(
      beyond,
      `You cannot ${verb} this member: their role holds ${beyond} at "${String(target.permissions[beyond])}" and yours at "${String(actor.permissions[beyond])}".`,
    );
  }
  if (target.roleId === "admin" && actor.roleId !== "owner") {
    return new InvariantViolation("admins_by_owner_only", `Only the Owner can ${verb} an Admin.`);
  }
  return null;
}

/** Throws memberChangeViolation's answer: nobody suspends, re-activates, re-roles or removes above their own rank. */
export function assertActsWithinOwn(actor: Actor, target: ManagedMember, change: MemberChange): void {
  const violation = memberChangeViolation(actor, target, change);
  if (violation) throw violation;
}

/** What the actor may do to another member (shipped with GET /members for the console). */
export function memberAbilities(actor: Actor, target: ManagedMember & { status: string }) {
  const manages = holds(actor, "team.manage");
  const mayMake = (change: MemberChange) => manages && target.roleId !== "owner" && memberChangeViolation(actor, target, change) === null;
  return {
    changeRole: mayMake("role_change"),
    suspend: mayMake("suspend") && target.id !== actor.memberId && target.status === "active",
    activate: mayMake("activate") && target.status === "suspended",
    remove: mayMake("remove") && target.id !== actor.memberId,
    transferOwnership: holds(actor, "workspace.transfer") && target.roleId === "admin" && target.status === "active",
  };
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

/** A member a CRM link change touches, whichever CRM: `ownConnection` when their own OAuth made the link. */
export type CrmLinkedMember = { roleId: string; permissions: PermissionMap; ownConnection: boolean };

/**
 * Who may say which member a CRM user is, the same for every CRM. A linked CRM user acts as the
 * member in the CRM's panel, so linking grants the member's role: `gains` (the member the CRM user
 * will act as) may hold no more than the actor (answered 403, as for role assignment). The Owner's
 * link is made, moved or removed by the Owner alone, and a link a member made through their own
 * CRM connection changes only through that connection (both 409). `loses` are the members whose
 * current link the change replaces or removes.
 */
export function assertCrmLinkChange(actor: Actor, change: { gains: CrmLinkedMember | null; loses: CrmLinkedMember[] }): void {
  for (const member of [change.gains, ...change.loses]) {
    if (member?.roleId === "owner" && actor.roleId !== "owner") {
      throw new InvariantViolation("owner_crm_link_by_owner", "Only the Owner links a CRM user to the Owner, or changes the Owner's link.");
    }
  }
  if ([change.gains, ...change.loses].some((member) => member?.ownConnection)) {
    throw new InvariantViolation(
      "crm_link_by_own_connection",
      "This link was made by the member's own CRM connection: only they change it, by reconnecting or disconnecting their account on the Integrations page of the Switchboard console (/#/integrations).",
    );
  }
  if (change.gains) assertGrantWithinOwn(actor, change.gains.permissions);
}
