import { and, eq, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { campaigns, chats, templates, whatsappAccounts } from "../db/schema";
import type { ScopedLevel, ScopedPermission } from "./catalogue";

// A rule is written once as a small condition tree; `can()` evaluates it against a record
// and `scope()` compiles it into SQL, so the two faces cannot drift apart.

export type Condition =
  | { kind: "always" }
  | { kind: "never" }
  | { kind: "memberIs"; field: string }
  | { kind: "unset"; field: string }
  | { kind: "anyOf"; conditions: Condition[] };

const always: Condition = { kind: "always" };
const never: Condition = { kind: "never" };
const memberIs = (field: string): Condition => ({ kind: "memberIs", field });
const anyOf = (...conditions: Condition[]): Condition => ({ kind: "anyOf", conditions });
const unset = (field: string): Condition => ({ kind: "unset", field });

/** The records rules speak about, as plain objects (what `can()` receives). */
export type ChatRecord = {
  workspaceId: string;
  responsibleId: string | null;
  /** The chat's WhatsApp account: its id (per-number overrides) and who connected it. */
  account: { id: string; connectedBy: string };
  /** The responsible's name, for the ownership lock's sentence (rules never read it). */
  responsibleName?: string | null;
};
export type AccountRecord = { workspaceId: string; id: string; connectedBy: string };
export type OwnedRecord = { workspaceId: string; ownerId: string };

type FieldBinding<RecordType> = {
  read(record: RecordType): string | null;
  /** SQL true exactly when read(record) === memberId. */
  sqlMemberIs(memberId: string, workspaceId: string): SQL;
  /** SQL true exactly when read(record) === null (fields a rule may find unset). */
  sqlIsUnset?(): SQL;
  /**
   * For a field read through another table: the column and the keys (a one-column select) that
   * sqlMemberIs tests, so a list can walk one ordered index range per key (scope arms, issue 14).
   */
  sqlMemberKeys?(memberId: string, workspaceId: string): ArmDriver;
};

/** How a list walks an arm: one ordered index range per key of `column` (the arm's rows have `column` among `keys`). */
export type ArmDriver = { column: AnyPgColumn; keys: SQL };

type ResourceDefinition<RecordType> = {
  workspaceColumn: () => AnyPgColumn;
  fields: Record<string, FieldBinding<RecordType>>;
  levels: Partial<Record<ScopedLevel, Condition>>;
  /** How a sentence names the records a level grants. */
  describe: Partial<Record<ScopedLevel, string>>;
};

const chatResource: ResourceDefinition<ChatRecord> = {
  workspaceColumn: () => chats.workspaceId,
  fields: {
    responsibleId: {
      read: (chat) => chat.responsibleId,
      sqlMemberIs: (memberId) => eq(chats.responsibleId, memberId),
      sqlIsUnset: () => isNull(chats.responsibleId),
    },
    accountConnectedBy: {
      read: (chat) => chat.account.connectedBy,
      sqlMemberKeys: (memberId, workspaceId) => ({
        column: chats.accountId,
        keys: sql`select ${whatsappAccounts.id} from ${whatsappAccounts} where ${whatsappAccounts.workspaceId} = ${workspaceId} and ${whatsappAccounts.connectedBy} = ${memberId}`,
      }),
      sqlMemberIs: (memberId, workspaceId) =>
        inArray(
          chats.accountId,
          sql`(select ${whatsappAccounts.id} from ${whatsappAccounts} where ${whatsappAccounts.workspaceId} = ${workspaceId} and ${whatsappAccounts.connectedBy} = ${memberId})`,
        ),
    },
  },
  levels: {
    all: always,
    own: anyOf(memberIs("accountConnectedBy"), memberIs("responsibleId")),
    assigned: memberIs("responsibleId"),
    none: never,
  },
  describe: {
    all: "every chat of the workspace",
    own: "chats of WhatsApp accounts you connected and chats you are responsible for",
    assigned: "chats you are responsible for",
  },
};

const accountResource: ResourceDefinition<AccountRecord> = {
  workspaceColumn: () => whatsappAccounts.workspaceId,
  fields: {
    connectedBy: {
      read: (account) => account.connectedBy,
      sqlMemberIs: (memberId) => eq(whatsappAccounts.connectedBy, memberId),
    },
  },
  levels: { all: always, own: memberIs("connectedBy"), none: never },
  describe: {
    all: "every WhatsApp account of the workspace",
    own: "WhatsApp accounts you connected",
  },
};

/** Templates and campaigns: records owned by one member. Their tables bind the column. */
export function ownedResource(ownerColumn: Parameters<typeof eq>[0], workspaceColumn: Parameters<typeof eq>[0], noun: string): ResourceDefinition<OwnedRecord> {
  return {
    workspaceColumn: () => workspaceColumn as AnyPgColumn,
    fields: {
      ownerId: {
        read: (record) => record.ownerId,
        sqlMemberIs: (memberId) => eq(ownerColumn, memberId),
      },
    },
    levels: { all: always, own: memberIs("ownerId"), none: never },
    describe: { all: `every ${noun} of the workspace`, own: `your own ${noun}s` },
  };
}

export const resources = {
  chat: chatResource,
  account: accountResource,
  template: ownedResource(templates.ownerId, templates.workspaceId, "template"),
  campaign: ownedResource(campaigns.createdBy, campaigns.workspaceId, "campaign"),
} as const;
export type ResourceName = keyof typeof resources;
/** The kinds of record the rules decide on. */
export const resourceNames = Object.keys(resources) as ResourceName[];
export type RecordOf<R extends ResourceName> = R extends "chat" ? ChatRecord : R extends "account" ? AccountRecord : OwnedRecord;

/** Actions on records: the permission that governs each, and the visibility it acts within. */
export const recordActions = {
  "chats.view": { resource: "chat", permission: "chats.view", within: null },
  "chats.reply": { resource: "chat", permission: "chats.reply", within: "chats.view" },
  "chats.assign": { resource: "chat", permission: "chats.assign", within: "chats.view" },
  "chats.take_over": { resource: "chat", permission: "chats.take_over", within: "chats.view" },
  "messages.delete": { resource: "chat", permission: "messages.delete", within: "chats.view" },
  "chats.start": { resource: "account", permission: "chats.start", within: null },
  "campaigns.send": { resource: "account", permission: "campaigns.send", within: null },
  "templates.use": { resource: "template", permission: "templates.use", within: null },
  "campaigns.reports": { resource: "campaign", permission: "campaigns.reports", within: null },
} as const satisfies Record<string, { resource: ResourceName; permission: ScopedPermission; within: ScopedPermission | null }>;
export type RecordAction = keyof typeof recordActions;
export type ResourceOfAction<A extends RecordAction> = (typeof recordActions)[A]["resource"];

/**
 * The ownership lock (a workspace setting): replying in a chat and setting its responsible (taking,
 * releasing, reassigning) also need chats.take_over on it once someone else is responsible.
 */
export const ownershipLockedActions: readonly RecordAction[] = ["chats.reply", "chats.assign"];

/** What the lock lets through at a chats.take_over level: an unassigned chat, your own, or one that level covers. */
export function ownershipLockCondition(takeOverLevel: ScopedLevel): Condition {
  return anyOf(unset("responsibleId"), memberIs("responsibleId"), conditionFor("chat", takeOverLevel));
}

export function conditionFor(resource: ResourceName, level: ScopedLevel): Condition {
  return resources[resource].levels[level] ?? never;
}

export function evaluate<RecordType>(condition: Condition, definition: ResourceDefinition<RecordType>, memberId: string, record: RecordType): boolean {
  switch (condition.kind) {
    case "always":
      return true;
    case "never":
      return false;
    case "memberIs":
      return requireField(definition, condition.field).read(record) === memberId;
    case "unset":
      return requireField(definition, condition.field).read(record) === null;
    case "anyOf":
      return condition.conditions.some((inner) => evaluate(inner, definition, memberId, record));
  }
}

/**
 * The condition as a disjunction of arms (its anyOf flattened): a record meets the condition exactly
 * when it meets one arm. Lists select each arm through its own ordered index scan (issue 14).
 */
export function armsOf(condition: Condition): Condition[] {
  switch (condition.kind) {
    case "never":
      return [];
    case "anyOf": {
      const arms = condition.conditions.flatMap(armsOf);
      return arms.some((arm) => arm.kind === "always") ? [always] : arms;
    }
    default:
      return [condition];
  }
}

/** The driver of an arm read through another table (memberIs on a field with sqlMemberKeys), if it has one. */
export function armDriver<RecordType>(
  arm: Condition,
  definition: ResourceDefinition<RecordType>,
  memberId: string,
  workspaceId: string,
): ArmDriver | undefined {
  if (arm.kind !== "memberIs") return undefined;
  return requireField(definition, arm.field).sqlMemberKeys?.(memberId, workspaceId);
}

export function compile<RecordType>(condition: Condition, definition: ResourceDefinition<RecordType>, memberId: string, workspaceId: string): SQL {
  switch (condition.kind) {
    case "always":
      return sql`true`;
    case "never":
      return sql`false`;
    case "memberIs":
      return requireField(definition, condition.field).sqlMemberIs(memberId, workspaceId);
    case "unset": {
      const isUnset = requireField(definition, condition.field).sqlIsUnset;
      if (!isUnset) throw new Error(`Rule asks whether ${condition.field} is unset, which it never is`);
      return isUnset();
    }
    case "anyOf":
      return or(...condition.conditions.map((inner) => compile(inner, definition, memberId, workspaceId))) ?? sql`false`;
  }
}

export function inWorkspace<RecordType>(definition: ResourceDefinition<RecordType>, workspaceId: string, condition: SQL): SQL {
  return and(eq(definition.workspaceColumn(), workspaceId), condition) as SQL;
}

function requireField<RecordType>(definition: ResourceDefinition<RecordType>, field: string) {
  const binding = definition.fields[field];
  if (!binding) throw new Error(`Rule refers to unknown field ${field}`);
  return binding;
}

export type { ResourceDefinition };
