import { and, inArray, notInArray, or, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { chats, whatsappAccounts } from "../db/schema";
import type { ScopedPermission } from "./catalogue";
import {
  type AccountRecord,
  type ArmDriver,
  armDriver,
  armsOf,
  type ChatRecord,
  type Condition,
  compile,
  evaluate,
  type ResourceName,
  resources,
} from "./rules";

// Per-number access overrides: beside the role, a member or a role may hold `full`, `read` or
// `none` on one WhatsApp account. They wrap a rule's condition tree on the records bound to an
// account (chats and accounts), so can() and scope() still come from the one definition.

export const accountAccessLevels = ["full", "read", "none"] as const;
export type AccountAccess = (typeof accountAccessLevels)[number];

/** The override that applies to an actor on one account (a member's beats their role's). */
export type AccountOverride = {
  accountId: string;
  access: AccountAccess;
  /** Whose override it is: the member's own, or their role's. */
  subject: "member" | "role";
  /** How sentences name the account: "Support (+44 20 7946 0000)". */
  accountLabel: string;
};

/** The part of an Actor overrides read (optional: an actor without the list has no overrides). */
export type OverriddenActor = { roleId: string; status: "active" | "suspended"; accountOverrides?: readonly AccountOverride[] };

type Effect = "all" | "deny";

/**
 * What each access does to the permissions bound to an account: `all` grants it there whatever the
 * role's level, `deny` refuses it there, a missing entry leaves the role's level. `full` widens
 * seeing, replying, starting and assigning (mass sending, taking over and deleting stay with the
 * role); `read` shows every chat of the account and refuses every change; `none` refuses all.
 */
export const overrideEffects: Record<AccountAccess, Partial<Record<ScopedPermission, Effect>>> = {
  full: { "chats.view": "all", "chats.reply": "all", "chats.start": "all", "chats.assign": "all" },
  read: {
    "chats.view": "all",
    "chats.reply": "deny",
    "chats.start": "deny",
    "chats.assign": "deny",
    "chats.take_over": "deny",
    "messages.delete": "deny",
    "campaigns.send": "deny",
  },
  none: {
    "chats.view": "deny",
    "chats.reply": "deny",
    "chats.start": "deny",
    "chats.assign": "deny",
    "chats.take_over": "deny",
    "messages.delete": "deny",
    "campaigns.send": "deny",
  },
};

/** Which account a record belongs to, in both faces; resources not bound to an account have none. */
const accountBindings: Partial<Record<ResourceName, { read(record: never): string; column: () => AnyPgColumn }>> = {
  chat: { read: (chat: ChatRecord) => chat.account.id, column: () => chats.accountId },
  account: { read: (account: AccountRecord) => account.id, column: () => whatsappAccounts.id },
};

/** The overrides that count: none while suspended; the Owner is never narrowed (nor widened: they hold everything). */
export function effectiveOverrides(actor: OverriddenActor): readonly AccountOverride[] {
  return actor.roleId === "owner" || actor.status !== "active" ? [] : (actor.accountOverrides ?? []);
}

/** The actor's override on one account, if any. */
export function overrideOn(actor: OverriddenActor, accountId: string): AccountOverride | undefined {
  return effectiveOverrides(actor).find((override) => override.accountId === accountId);
}

/** The accounts where an override grants a permission outright, and those where it refuses it. */
export function overrideSets(actor: OverriddenActor, permission: ScopedPermission): { granted: string[]; denied: string[] } {
  const granted: string[] = [];
  const denied: string[] = [];
  for (const override of effectiveOverrides(actor)) {
    const effect = overrideEffects[override.access][permission];
    if (effect === "all") granted.push(override.accountId);
    if (effect === "deny") denied.push(override.accountId);
  }
  return { granted, denied };
}

/** Whether some override grants the permission on some account (so the route gate lets the actor through). */
export function overrideGrantsSomewhere(actor: OverriddenActor, permission: ScopedPermission): boolean {
  return overrideSets(actor, permission).granted.length > 0;
}

/** The override that refuses `permission` on this record, if one does. */
export function overrideRefusing(actor: OverriddenActor, permission: ScopedPermission, resource: ResourceName, record: unknown): AccountOverride | undefined {
  const binding = accountBindings[resource];
  if (!binding) return undefined;
  const override = overrideOn(actor, binding.read(record as never));
  return override && overrideEffects[override.access][permission] === "deny" ? override : undefined;
}

/** The predicate face: the role's condition for `permission`, with the actor's override on the record's account applied. */
export function evaluateWithOverrides(
  actor: OverriddenActor & { memberId: string },
  permission: ScopedPermission,
  resource: ResourceName,
  condition: Condition,
  record: unknown,
): boolean {
  const binding = accountBindings[resource];
  const override = binding ? overrideOn(actor, binding.read(record as never)) : undefined;
  const effect = override ? overrideEffects[override.access][permission] : undefined;
  if (effect === "all") return true;
  if (effect === "deny") return false;
  return evaluate(condition, resources[resource] as never, actor.memberId, record as never);
}

/** The SQL face: account in the granted ids, or not in the refused ids and the role's condition. */
export function compileWithOverrides(
  actor: OverriddenActor & { memberId: string; workspaceId: string },
  permission: ScopedPermission,
  resource: ResourceName,
  condition: Condition,
): SQL {
  const base = compile(condition, resources[resource] as never, actor.memberId, actor.workspaceId);
  const binding = accountBindings[resource];
  if (!binding) return base;
  const { granted, denied } = overrideSets(actor, permission);
  const column = binding.column();
  const narrowed = denied.length > 0 ? (and(notInArray(column, denied), base) as SQL) : base;
  return granted.length > 0 ? (or(inArray(column, granted), narrowed) as SQL) : narrowed;
}

/** One arm of a scope: its where-clause, and how a list walks it in order when a plain where would not. */
export type ScopeArm = { where: SQL; driver?: ArmDriver };

/**
 * compileWithOverrides as a list of arms whose OR is the same where-clause: the granted accounts,
 * then each arm of the role's condition outside the refused accounts.
 */
export function compileArmsWithOverrides(
  actor: OverriddenActor & { memberId: string; workspaceId: string },
  permission: ScopedPermission,
  resource: ResourceName,
  condition: Condition,
): ScopeArm[] {
  const definition = resources[resource] as never;
  const conditionArms = armsOf(condition);
  const arms: ScopeArm[] = conditionArms.map((arm) => {
    const driver = armDriver(arm, definition, actor.memberId, actor.workspaceId);
    return { where: compile(arm, definition, actor.memberId, actor.workspaceId), ...(driver ? { driver } : {}) };
  });
  const binding = accountBindings[resource];
  if (!binding) return arms;
  const { granted, denied } = overrideSets(actor, permission);
  const column = binding.column();
  const narrowed = denied.length > 0 ? arms.map((arm) => ({ ...arm, where: and(notInArray(column, denied), arm.where) as SQL })) : arms;
  // The role's level already covers every account an override grants (`all`): the granted arm adds nothing.
  const coversGranted = conditionArms.some((arm) => arm.kind === "always");
  if (granted.length === 0 || coversGranted) return narrowed;
  const grantedKeys = sql`select unnest(array[${sql.join(
    granted.map((id) => sql`${id}`),
    sql`, `,
  )}]::text[])`;
  return [{ where: inArray(column, granted), driver: { column, keys: grantedKeys } }, ...narrowed];
}

/** The accounts an override shows (full, read) and hides (none) in the account list. */
export function accountListOverrides(actor: OverriddenActor): { shown: string[]; hidden: string[] } {
  const overrides = effectiveOverrides(actor);
  return {
    shown: overrides.filter((override) => override.access !== "none").map((override) => override.accountId),
    hidden: overrides.filter((override) => override.access === "none").map((override) => override.accountId),
  };
}

/** Orders accesses: a manager grants no more than they hold on the account themselves. */
export const accountAccessRank: Record<AccountAccess, number> = { full: 2, read: 1, none: 0 };
