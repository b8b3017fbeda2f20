import { and, eq, inArray, notInArray, or, type SQL, sql } from "drizzle-orm";
import { chats, whatsappAccounts } from "../db/schema";
import {
  type BooleanPermission,
  grantsAnything,
  isScoped,
  type Permission,
  type PermissionMap,
  permissionNames,
  type ScopedLevel,
  type ScopedPermission,
} from "./catalogue";
import {
  type AccountOverride,
  accountListOverrides,
  compileArmsWithOverrides,
  compileWithOverrides,
  effectiveOverrides,
  evaluateWithOverrides,
  overrideEffects,
  overrideGrantsSomewhere,
  overrideRefusing,
  type ScopeArm,
} from "./overrides";
import {
  type AccountRecord,
  type ChatRecord,
  type Condition,
  conditionFor,
  inWorkspace,
  ownershipLockCondition,
  ownershipLockedActions,
  type RecordAction,
  type RecordOf,
  type ResourceOfAction,
  recordActions,
  resources,
} from "./rules";

/** Who is acting: read fresh from the database on every request. */
export type Actor = {
  workspaceId: string;
  memberId: string;
  roleId: string;
  roleName: string;
  status: "active" | "suspended";
  permissions: PermissionMap;
  /** Per-number overrides that apply to the member (theirs beat their role's), read with the role. */
  accountOverrides?: readonly AccountOverride[];
  /** The workspace's ownership lock (rules.ts ownershipLockedActions), read with the role. */
  ownershipLock: boolean;
};

/** What a suspended member is told, by the access gate and by explain alike. */
export const suspendedSentence = "Your membership in this workspace is suspended.";

/** A denial: the permission at stake and one sentence saying why. */
export class PermissionDenied extends Error {
  constructor(
    readonly permission: Permission,
    readonly detail: string,
  ) {
    super(detail);
  }
}

const verbs: Record<Permission, string> = {
  "chats.view": "see chats",
  "chats.reply": "reply in chats",
  "chats.start": "start chats",
  "chats.assign": "set the responsible of chats",
  "campaigns.send": "run mass sending",
  "campaigns.reports": "see campaign reports",
  "templates.use": "use templates",
  "chats.take_over": "take over chats held by someone else",
  "messages.delete": "delete messages",
  "contacts.view_numbers": "see contacts' full phone numbers",
  "whatsapp.connect": "connect a WhatsApp account",
  "team.manage": "manage the team",
  "roles.manage": "manage roles",
  "integrations.workspace": "manage the workspace's integrations",
  "integrations.individual": "set up your own CRM connection",
  "data.export": "export data",
  "audit.view": "view the activity log",
  "billing.manage": "manage the subscription",
  "workspace.delete": "delete the workspace",
  "workspace.transfer": "transfer ownership of the workspace",
};

/** Whether the actor holds a permission at any level (the gate checked before any lookup). */
export function holds(actor: Actor, permission: Permission): boolean {
  if (actor.status !== "active") return false;
  // An override granting it on one account (a Collaborator with full access to the Sales line) passes the gate too.
  return grantsAnything(actor.permissions[permission]) || (isScoped(permission) && overrideGrantsSomewhere(actor, permission));
}

/** Throws PermissionDenied unless the actor holds the permission at some level. */
export function requirePermission(actor: Actor, permission: Permission): void {
  if (!holds(actor, permission)) throw new PermissionDenied(permission, explainMissing(actor, permission));
}

/** The predicate face: may the actor perform `action` on this one record? */
export function can<A extends RecordAction>(actor: Actor, action: A, record: RecordOf<ResourceOfAction<A>>): boolean {
  if (actor.status !== "active" || record.workspaceId !== actor.workspaceId) return false;
  return failingPermission(actor, action, record) === null;
}

/** The SQL face: a where-clause selecting exactly the records `can()` allows. */
export function scope(actor: Actor, action: RecordAction): SQL {
  const definition = resources[recordActions[action].resource];
  const resource = recordActions[action].resource;
  const conditions = checksOf(actor, action).map((check) => compileWithOverrides(actor, check.permission, resource, check.condition));
  return inWorkspace(definition as never, actor.workspaceId, and(...conditions) as SQL);
}

/**
 * scope() as arms whose OR selects the same records, each in the workspace, so a list can take each
 * arm through its own ordered index scan (issue 14: the `own` scope as a union). Null when there is
 * one arm or none (`all`, `assigned`, nothing) or when the action makes more than one check (the
 * arms of a conjunction are not computed): then the list uses scope() as it is.
 */
export function scopeArms(actor: Actor, action: RecordAction): ScopeArm[] | null {
  const checks = checksOf(actor, action);
  const [check] = checks;
  if (!check || checks.length > 1 || actor.status !== "active") return null;
  const resource = recordActions[action].resource;
  const definition = resources[resource];
  const arms = compileArmsWithOverrides(actor, check.permission, resource, check.condition);
  return arms.length > 1 ? arms.map((arm) => ({ ...arm, where: inWorkspace(definition as never, actor.workspaceId, arm.where) })) : null;
}

/** Throws PermissionDenied (with its reason) unless `can()` allows the action on the record. */
export function authorize<A extends RecordAction>(actor: Actor, action: A, record: RecordOf<ResourceOfAction<A>>): void {
  if (can(actor, action, record)) return;
  const { permission } = recordActions[action];
  throw new PermissionDenied(failingPermission(actor, action, record)?.lock ? "chats.take_over" : permission, explain(actor, action, record));
}

/** One sentence on why the actor may not perform `action` (on `record`, when given). */
export function explain<A extends RecordAction>(actor: Actor, action: A, record?: RecordOf<ResourceOfAction<A>>): string {
  const { resource, permission } = recordActions[action];
  if (actor.status !== "active") return suspendedSentence;
  const failingCheck = record ? failingPermission(actor, action, record) : null;
  if (failingCheck?.lock) return lockSentence(action, record as ChatRecord);
  const failing = failingCheck?.permission ?? permission;
  const override = record ? overrideRefusing(actor, failing, resource, record) : undefined;
  if (override) return overrideSentence(actor, override, failing);
  const level = actor.permissions[failing] as ScopedLevel;
  const description = resources[resource].describe[level];
  if (!description) return explainMissing(actor, failing);
  return `Your role (${actor.roleName}) allows you to ${verbs[failing]} only for ${description}.`;
}

/** The abilities map shipped with a record, so the UI never re-derives the rules. */
export function abilities<A extends RecordAction>(actor: Actor, actions: readonly A[], record: RecordOf<ResourceOfAction<A>>): Record<string, boolean> {
  return Object.fromEntries(actions.map((action) => [action.split(".")[1], can(actor, action, record)]));
}

/** The actor's effective permission map (for GET /me): nothing while suspended. */
export function effectivePermissions(actor: Actor): PermissionMap {
  if (actor.status === "active") return actor.permissions;
  return Object.fromEntries(permissionNames.map((name) => [name, typeof actor.permissions[name] === "boolean" ? false : "none"])) as PermissionMap;
}

/** Why the gate refuses a permission the actor holds at no level: the detail of the route's 403. */
export function explainMissing(actor: Actor, permission: Permission): string {
  if (actor.status !== "active") return suspendedSentence;
  return `Your role (${actor.roleName}) does not allow you to ${verbs[permission]} (${permission}).`;
}

/** How explain names a refusing override: whose it is, the account, and what it refuses. */
export function overrideSentence(actor: Actor, override: AccountOverride, permission: ScopedPermission): string {
  const whose = override.subject === "member" ? "An override for you" : `An override for your role (${actor.roleName})`;
  const access = override.access === "read" ? "read-only access" : "no access";
  return `${whose} gives you ${access} to the WhatsApp account ${override.accountLabel}, so you may not ${verbs[permission]} there (${permission}).`;
}

/** One positive sentence on what the actor's role grants for a permission they hold (the rule data explain reads). */
export function explainAllowed(actor: Actor, permission: Permission): string {
  const value = actor.permissions[permission];
  if (!grantsAnything(value) && isScoped(permission)) {
    // Held through overrides alone (a full override on a line the role does not reach).
    const accounts = effectiveOverrides(actor)
      .filter((override) => overrideEffects[override.access][permission] === "all")
      .map((override) => override.accountLabel);
    return `An override allows you to ${verbs[permission]} on the WhatsApp account${accounts.length > 1 ? "s" : ""} ${accounts.join(", ")} (${permission}).`;
  }
  const resource = typeof value === "string" && permission in recordActions ? recordActions[permission as RecordAction].resource : null;
  const description = resource ? resources[resource].describe[value as ScopedLevel] : undefined;
  if (!description) return `Your role (${actor.roleName}) allows you to ${verbs[permission]} (${permission}).`;
  return `Your role (${actor.roleName}) allows you to ${verbs[permission]} for ${description}.`;
}

/** May the actor do it, and the one sentence saying why: a refusal's sentence is the 403's detail. */
export type Decision = { allowed: boolean; sentence: string };

/** The gate's answer for a permission (suspended, held at no level, or held), before any record is looked up. */
export function decide(actor: Actor, permission: Permission): Decision {
  if (!holds(actor, permission)) return { allowed: false, sentence: explainMissing(actor, permission) };
  return { allowed: true, sentence: explainAllowed(actor, permission) };
}

/** The answer for an action on one (visible) record: the gate first, then the rule, as `authorize` decides. */
export function decideOn<A extends RecordAction>(actor: Actor, action: A, record: RecordOf<ResourceOfAction<A>>): Decision {
  const gate = decide(actor, recordActions[action].permission);
  if (!gate.allowed || can(actor, action, record)) return gate;
  return { allowed: false, sentence: explain(actor, action, record) };
}

/** Whether the ownership lock (and only it) stops the actor: they could act on the chat were it not held by someone else. */
export function stoppedByLock(actor: Actor, action: RecordAction, record: ChatRecord): boolean {
  return can(actor, "chats.view", record) && failingPermission(actor, action, record)?.lock === true;
}

/**
 * Whether the UI offers "Ask to take over" (POST /chats/{id}/take-over-requests, gated on
 * chats.assign): the lock alone keeps the actor from replying in or taking the chat.
 */
export function mayAskToTakeOver(actor: Actor, record: ChatRecord): boolean {
  return holds(actor, "chats.assign") && (stoppedByLock(actor, "chats.reply", record) || stoppedByLock(actor, "chats.assign", record));
}

/**
 * Throws the lock's 403 when the ownership lock keeps the actor out of this chat (someone else holds
 * it, no chats.take_over on it): for routes that send into a chat they found rather than were given,
 * such as starting a chat with a number that already has one.
 */
export function authorizeUnderLock(actor: Actor, record: ChatRecord): void {
  const lock = checksOf(actor, "chats.reply").find((check) => check.lock);
  if (lock && !evaluateWithOverrides(actor, lock.permission, "chat", lock.condition, record)) {
    throw new PermissionDenied("chats.take_over", lockSentence("chats.reply", record));
  }
}

/** What a 403 of the ownership lock says: who holds the chat and which permission lets others in. */
export function lockSentence(action: RecordAction, chat: ChatRecord): string {
  const holder = chat.responsibleName ?? "Another member";
  const doing = action === "chats.assign" ? "take, release or reassign it" : "reply in it";
  return `${holder} holds this chat; the ownership lock lets only members with chats.take_over ${doing}.`;
}

type Check = { permission: ScopedPermission; condition: Condition; lock: boolean };

/** Every condition an action on a record must meet: visibility, the action's own permission, and the ownership lock. */
function checksOf(actor: Actor, action: RecordAction): Check[] {
  const { resource, permission, within } = recordActions[action];
  const levelOf = (name: ScopedPermission) => (actor.status === "active" ? (actor.permissions[name] as ScopedLevel) : "none");
  const checks = (within ? [within, permission] : [permission]).map((name) => ({
    permission: name,
    condition: conditionFor(resource, levelOf(name)),
    lock: false,
  }));
  if (actor.ownershipLock && ownershipLockedActions.includes(action)) {
    checks.push({ permission: "chats.take_over", condition: ownershipLockCondition(levelOf("chats.take_over")), lock: true });
  }
  return checks;
}

function failingPermission<A extends RecordAction>(actor: Actor, action: A, record: RecordOf<ResourceOfAction<A>>): Check | null {
  const resource = recordActions[action].resource;
  return checksOf(actor, action).find((check) => !evaluateWithOverrides(actor, check.permission, resource, check.condition, record)) ?? null;
}

export type { BooleanPermission };

/** What the actor may do to a role (shipped with GET /roles). */
export function roleAbilities(actor: Actor, role: { builtin: boolean }) {
  const manages = holds(actor, "roles.manage") && !role.builtin;
  return { edit: manages, delete: manages };
}

/**
 * Which WhatsApp accounts the actor sees: every account with `team.manage` (they administer the
 * numbers and their overrides); otherwise an account a full or read override names, none that a
 * `none` override names, and of the rest every account with `chats.view: all`, else the ones they
 * connected and those holding a chat they may see.
 */
export function accountScope(actor: Actor): SQL {
  const inWorkspaceOnly = eq(whatsappAccounts.workspaceId, actor.workspaceId);
  if (actor.status !== "active") return and(inWorkspaceOnly, sql`false`) as SQL;
  if (actor.permissions["team.manage"]) return inWorkspaceOnly;
  const { shown, hidden } = accountListOverrides(actor);
  const visibleChat = sql`exists (select 1 from ${chats} where ${chats.workspaceId} = ${whatsappAccounts.workspaceId} and ${chats.accountId} = ${whatsappAccounts.id} and ${scope(actor, "chats.view")})`;
  let byRole: SQL = actor.permissions["chats.view"] === "all" ? sql`true` : (or(eq(whatsappAccounts.connectedBy, actor.memberId), visibleChat) as SQL);
  if (hidden.length > 0) byRole = and(notInArray(whatsappAccounts.id, hidden), byRole) as SQL;
  if (shown.length > 0) byRole = or(inArray(whatsappAccounts.id, shown), byRole) as SQL;
  return and(inWorkspaceOnly, byRole) as SQL;
}

/** The predicate face of accountScope; `chatsOfAccount` are the account's chats. */
export function canSeeAccount(actor: Actor, account: AccountRecord, chatsOfAccount: ChatRecord[]): boolean {
  if (actor.status !== "active" || account.workspaceId !== actor.workspaceId) return false;
  if (actor.permissions["team.manage"]) return true;
  const { shown, hidden } = accountListOverrides(actor);
  if (shown.includes(account.id)) return true;
  if (hidden.includes(account.id)) return false;
  if (actor.permissions["chats.view"] === "all") return true;
  return account.connectedBy === actor.memberId || chatsOfAccount.some((chat) => can(actor, "chats.view", chat));
}

/** May the actor disconnect this (visible) account: the member who connected it, or team.manage. */
export function canDisconnectAccount(actor: Actor, account: AccountRecord): boolean {
  return actor.status === "active" && (account.connectedBy === actor.memberId || holds(actor, "team.manage"));
}
