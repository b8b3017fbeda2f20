import { sql } from "drizzle-orm";
import {
  bigint,
  foreignKey,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

// Every tenant table carries workspace_id, leads its primary key and indexes with it,
// and references other tenant rows through (workspace_id, id), so tables can be
// distributed by workspace on a sharded PostgreSQL.

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

/** The tenant root. */
export const workspaces = pgTable(
  "workspaces",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    joinCode: text("join_code").notNull(),
    plan: text("plan").notNull().default("free"),
    auditHeadSeq: bigint("audit_head_seq", { mode: "number" }).notNull().default(0),
    auditHeadHash: text("audit_head_hash").notNull().default(""),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex("workspaces_join_code_key").on(table.joinCode)],
);

/** A person's login identity, shared by the workspaces they belong to. */
export const users = pgTable(
  "users",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    passwordHash: text("password_hash").notNull(),
    lastWorkspaceId: text("last_workspace_id"),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex("users_email_key").on(table.email)],
);

export const roles = pgTable(
  "roles",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    name: text("name").notNull(),
    permissions: jsonb("permissions").notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.id] }),
    uniqueIndex("roles_workspace_name_key").on(table.workspaceId, sql`lower(${table.name})`),
  ],
);

export const members = pgTable(
  "members",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    roleId: text("role_id").notNull(),
    status: text("status", { enum: ["active", "suspended"] }).notNull().default("active"),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.id] }),
    uniqueIndex("members_workspace_user_key").on(table.workspaceId, table.userId),
    index("members_workspace_role_idx").on(table.workspaceId, table.roleId),
    // Exactly one owner per workspace, held by the database as well as the code.
    uniqueIndex("members_one_owner_key")
      .on(table.workspaceId)
      .where(sql`${table.roleId} = 'owner'`),
  ],
);

/** Bearer tokens of every kind; only a SHA-256 hash of the secret is stored. */
export const authTokens = pgTable(
  "auth_tokens",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    memberId: text("member_id").notNull(),
    kind: text("kind", { enum: ["session", "personal"] }).notNull(),
    name: text("name"),
    tokenHash: text("token_hash").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.id] }),
    uniqueIndex("auth_tokens_hash_key").on(table.workspaceId, table.tokenHash),
    index("auth_tokens_member_idx").on(table.workspaceId, table.memberId),
    foreignKey({
      columns: [table.workspaceId, table.memberId],
      foreignColumns: [members.workspaceId, members.id],
    }).onDelete("cascade"),
  ],
);

export const invitations = pgTable(
  "invitations",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    email: text("email").notNull(),
    roleId: text("role_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    invitedBy: text("invited_by").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.id] }),
    uniqueIndex("invitations_token_key").on(table.workspaceId, table.tokenHash),
  ],
);

export const joinRequests = pgTable(
  "join_requests",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    name: text("name").notNull(),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    status: text("status", { enum: ["pending", "accepted", "rejected"] })
      .notNull()
      .default("pending"),
    decidedBy: text("decided_by"),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.id] }),
    index("join_requests_status_idx").on(table.workspaceId, table.status, table.createdAt),
  ],
);

export const whatsappAccounts = pgTable(
  "whatsapp_accounts",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    provider: text("provider", { enum: ["sandbox", "cloud"] }).notNull(),
    phoneNumber: text("phone_number").notNull(),
    displayName: text("display_name").notNull(),
    connectedBy: text("connected_by").notNull(),
    status: text("status", { enum: ["connected", "disconnected"] }).notNull().default("connected"),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.id] }),
    index("whatsapp_accounts_connected_by_idx").on(table.workspaceId, table.connectedBy),
  ],
);

export const chats = pgTable(
  "chats",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    accountId: text("account_id").notNull(),
    contactPhone: text("contact_phone"),
    contactName: text("contact_name"),
    // One column, so "at most one responsible" is a property of the row itself.
    responsibleId: text("responsible_id"),
    lastMessageAt: timestamp("last_message_at", { withTimezone: true }).notNull().defaultNow(),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.id] }),
    index("chats_activity_idx").on(table.workspaceId, table.lastMessageAt, table.id),
    index("chats_account_activity_idx").on(
      table.workspaceId,
      table.accountId,
      table.lastMessageAt,
      table.id,
    ),
    index("chats_responsible_activity_idx").on(
      table.workspaceId,
      table.responsibleId,
      table.lastMessageAt,
      table.id,
    ),
    foreignKey({
      columns: [table.workspaceId, table.accountId],
      foreignColumns: [whatsappAccounts.workspaceId, whatsappAccounts.id],
    }).onDelete("cascade"),
  ],
);

/** Append-only, hash-chained per workspace: each entry stores its predecessor's hash. */
export const auditLog = pgTable(
  "audit_log",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    seq: bigint("seq", { mode: "number" }).notNull(),
    id: text("id").notNull(),
    at: timestamp("at", { withTimezone: true, mode: "string" }).notNull(),
    actorId: text("actor_id"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    details: jsonb("details").notNull(),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.seq] }),
    uniqueIndex("audit_log_id_key").on(table.workspaceId, table.id),
    index("audit_log_actor_idx").on(table.workspaceId, table.actorId, table.seq),
    index("audit_log_action_idx").on(table.workspaceId, table.action, table.seq),
    index("audit_log_target_idx").on(table.workspaceId, table.targetId, table.seq),
  ],
);
