import type { ScopedPermission } from "./catalogue";
import { type Actor, PermissionDenied } from "./engine";
import { InvariantViolation, type ManagedMember, memberChangeViolation } from "./invariants";
import { type AccountAccess, accountAccessRank, overrideOn } from "./overrides";

/** Whom an override is for: a member (with their role) or a role (with its permissions). */
export type OverrideSubject = ({ type: "member" } & ManagedMember) | ({ type: "role"; name: string } & Omit<ManagedMember, "roleId">);

/** The permissions `full` needs at `all` (what it grants on the account) and `read` needs (seeing every chat). */
const accessNeeds: Record<Exclude<AccountAccess, "none">, ScopedPermission[]> = {
  full: ["chats.view", "chats.reply", "chats.start", "chats.assign"],
  read: ["chats.view"],
};

/** What the actor holds on one account: their own override, else what their role grants on every account. */
export function accessHeldOn(actor: Actor, accountId: string): AccountAccess {
  const own = overrideOn(actor, accountId);
  if (own) return own.access;
  if (accessNeeds.full.every((name) => actor.permissions[name] === "all")) return "full";
  return actor.permissions["chats.view"] === "all" ? "read" : "none";
}

/**
 * Who may set or clear an override, and what: nobody narrows the Owner (owner_never_narrowed, 409);
 * nobody changes their own access or their own role's (override_not_own, 409); a member override
 * follows act-within-own (403 above one's rank, 409 an Admin unless by the Owner), a role override
 * needs the role within one's own (403) and the Admin role is the Owner's alone (409).
 */
export function assertMayOverride(actor: Actor, subject: OverrideSubject): void {
  if ((subject.type === "member" && subject.roleId === "owner") || (subject.type === "role" && subject.id === "owner")) {
    throw new InvariantViolation("owner_never_narrowed", "The Owner's access is never overridden.");
  }
  if ((subject.type === "member" && subject.id === actor.memberId) || (subject.type === "role" && subject.id === actor.roleId)) {
    throw new InvariantViolation("override_not_own", "You cannot change your own access to a WhatsApp account; ask another member who manages the team.");
  }
  if (subject.type === "member") {
    const violation = memberChangeViolation(actor, subject, "role_change");
    if (violation) throw violation;
    return;
  }
  const violation = memberChangeViolation(actor, { id: `role:${subject.id}`, roleId: subject.id, permissions: subject.permissions }, "role_change");
  if (violation instanceof InvariantViolation) throw new InvariantViolation(violation.invariant, "Only the Owner can override the Admin role's access.");
  if (violation) throw new PermissionDenied(violation.permission, `You cannot override the access of the role ${subject.name}: it holds more than yours.`);
}

/** Nobody grants more on an account than they hold there themselves (403 naming the permission they lack). */
export function assertAccessWithinOwn(actor: Actor, accountId: string, granted: AccountAccess): void {
  const held = accessHeldOn(actor, accountId);
  if (granted === "none" || accountAccessRank[granted] <= accountAccessRank[held]) return;
  const missing = accessNeeds[granted].find((name) => actor.permissions[name] !== "all") ?? "chats.view";
  throw new PermissionDenied(missing, `You cannot grant ${granted} access to this WhatsApp account: you hold ${held} access to it yourself.`);
}
