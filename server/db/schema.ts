import { sql } from "drizzle-orm";
import { bigint, boolean, date, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

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
    /** ISO 3166 alpha-2 country that numbers typed without a country code are read in ("GB": 07700 900123); null: none. */
    defaultCountry: text("default_country"),
    /** Whether built-in Agents and Collaborators see contacts' full numbers (contacts.view_numbers). */
    agentsSeeNumbers: boolean("agents_see_numbers").notNull().default(true),
    /** The ownership lock: a chat held by someone else is taken, released or replied in only with chats.take_over. */
    ownershipLock: boolean("ownership_lock").notNull().default(false),
    auditHeadSeq: bigint("audit_head_seq", { mode: "number" }).notNull().default(0),
    auditHeadHash: text("audit_head_hash").notNull().default(""),
    /** HMAC under the chain key over (head seq, head hash): a head set back to an older entry has no valid seal. */
    auditHeadSeal: text("audit_head_seal").notNull().default(""),
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
  (table) => [primaryKey({ columns: [table.workspaceId, table.id] }), uniqueIndex("roles_workspace_name_key").on(table.workspaceId, sql`lower(${table.name})`)],
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
    /** `removed`: they left the workspace (DELETE /members/{id}); the row stays for the log's names until they are invited again. */
    status: text("status", { enum: ["active", "suspended", "removed"] })
      .notNull()
      .default("active"),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.id] }),
    uniqueIndex("members_workspace_user_key").on(table.workspaceId, table.userId),
    index("members_workspace_role_idx").on(table.workspaceId, table.roleId),
    // Exactly one owner per workspace, held by the database as well as the code.
    uniqueIndex("members_one_owner_key").on(table.workspaceId).where(sql`${table.roleId} = 'owner'`),
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
    /** `login_session`: one browser's login, proven by its HttpOnly cookie; never a bearer token. */
    kind: text("kind", { enum: ["session", "personal", "workspace_key", "panel", "login_session"] }).notNull(),
    name: text("name"),
    tokenHash: text("token_hash").notNull(),
    /** A console tab's session token: the login session (a `login_session` row's id) it was issued in, revoked with it. */
    loginSessionId: text("login_session_id"),
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
  (table) => [primaryKey({ columns: [table.workspaceId, table.id] }), uniqueIndex("invitations_token_key").on(table.workspaceId, table.tokenHash)],
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
  (table) => [primaryKey({ columns: [table.workspaceId, table.id] }), index("join_requests_status_idx").on(table.workspaceId, table.status, table.createdAt)],
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
    status: text("status", { enum: ["connected", "disconnected"] })
      .notNull()
      .default("connected"),
    /** Why the account is disconnected (e.g. Meta rejected its token), shown in the UI and API. */
    statusReason: text("status_reason"),
    cloudPhoneNumberId: text("cloud_phone_number_id"),
    cloudWabaId: text("cloud_waba_id"),
    /** AES-256-GCM ciphertexts (server/crypto/secrets.ts); never presented. */
    accessTokenEncrypted: text("access_token_encrypted"),
    appSecretEncrypted: text("app_secret_encrypted"),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.workspaceId, table.id] }), index("whatsapp_accounts_connected_by_idx").on(table.workspaceId, table.connectedBy)],
);

/**
 * Per-number access overrides: beside a member's role, an Admin grants or narrows access to one
 * WhatsApp account for a member or a role (built-in or custom id). A member's override beats their
 * role's; the engine (server/permissions/overrides.ts) applies them in can() and scope() alike.
 */
export const accountAccessOverrides = pgTable(
  "account_access_overrides",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    accountId: text("account_id").notNull(),
    subjectType: text("subject_type", { enum: ["member", "role"] }).notNull(),
    /** A member id, or a role id (built-in such as `teammate`, or a custom role's id). */
    subjectId: text("subject_id").notNull(),
    access: text("access", { enum: ["full", "read", "none"] }).notNull(),
    setBy: text("set_by").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.accountId, table.subjectType, table.subjectId] }),
    // resolvePrincipal reads the caller's overrides (their member id and their role id) on every request.
    index("account_access_overrides_subject_idx").on(table.workspaceId, table.subjectType, table.subjectId),
    foreignKey({ columns: [table.workspaceId, table.accountId], foreignColumns: [whatsappAccounts.workspaceId, whatsappAccounts.id] }).onDelete("cascade"),
  ],
);

/** Global routing of Meta's phone_number_id to the account it belongs to (inbound webhooks). */
export const whatsappRoutes = pgTable("whatsapp_routes", {
  phoneNumberId: text("phone_number_id").primaryKey(),
  workspaceId: text("workspace_id")
    .notNull()
    .references(() => workspaces.id, { onDelete: "cascade" }),
  accountId: text("account_id").notNull(),
});

/** Per-number send pacing: the earliest moment the next message may leave (shared by every process). */
export const sendPacing = pgTable(
  "send_pacing",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    accountId: text("account_id").notNull(),
    nextSlotAt: timestamp("next_slot_at", { withTimezone: true, precision: 6 }).notNull(),
    /** Until when an interactive (member) send is waiting: campaign sends leave the slots to it. */
    interactiveUntil: timestamp("interactive_until", { withTimezone: true, precision: 6 }),
  },
  (table) => [primaryKey({ columns: [table.workspaceId, table.accountId] })],
);

/** A customer, keyed by phone (E.164) or, when WhatsApp gives none, by business-scoped user id. */
export const contacts = pgTable(
  "contacts",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    /** E.164; may be missing for users WhatsApp identifies only by BSUID. */
    phone: text("phone"),
    bsuid: text("bsuid"),
    name: text("name"),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.id] }),
    // A person is found by either handle; each is unique within the workspace.
    uniqueIndex("contacts_phone_key").on(table.workspaceId, table.phone).where(sql`${table.phone} is not null`),
    uniqueIndex("contacts_bsuid_key").on(table.workspaceId, table.bsuid).where(sql`${table.bsuid} is not null`),
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
    contactId: text("contact_id").notNull(),
    // Copied from the contact so lists and searches need no join.
    contactPhone: text("contact_phone"),
    contactName: text("contact_name"),
    // One column, so "at most one responsible" is a property of the row itself.
    responsibleId: text("responsible_id"),
    lastMessageAt: timestamp("last_message_at", { withTimezone: true }).notNull().defaultNow(),
    lastMessagePreview: text("last_message_preview"),
    /** Until when free-form text may be sent: 24 hours after the customer's last message. */
    windowOpenUntil: timestamp("window_open_until", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.id] }),
    uniqueIndex("chats_account_contact_key").on(table.workspaceId, table.accountId, table.contactId),
    foreignKey({
      columns: [table.workspaceId, table.responsibleId],
      foreignColumns: [members.workspaceId, members.id],
    }).onDelete("set null"),
    foreignKey({
      columns: [table.workspaceId, table.contactId],
      foreignColumns: [contacts.workspaceId, contacts.id],
    }).onDelete("cascade"),
    index("chats_activity_idx").on(table.workspaceId, table.lastMessageAt, table.id),
    index("chats_account_activity_idx").on(table.workspaceId, table.accountId, table.lastMessageAt, table.id),
    index("chats_responsible_activity_idx").on(table.workspaceId, table.responsibleId, table.lastMessageAt, table.id),
    // The chat search (GET /chats?q=): trigram indexes answer ILIKE '%q%' for q of 3+ characters.
    // GIN on the column alone (no btree_gin): the query filters by workspace_id after the match.
    index("chats_contact_name_trgm_idx").using("gin", table.contactName.op("gin_trgm_ops")),
    index("chats_contact_phone_trgm_idx").using("gin", table.contactPhone.op("gin_trgm_ops")),
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

/**
 * Security events that belong to no workspace (a failed login for an unknown email, a refused
 * panel token, a forged webhook for no known number): operator-only, beside the server log.
 * Events of a workspace go to its activity log instead. Kept 90 days (server/audit/security-events.ts).
 */
export const securityEvents = pgTable(
  "security_events",
  {
    id: text("id").primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    kind: text("kind").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    details: jsonb("details").notNull(),
  },
  (table) => [index("security_events_at_idx").on(table.at)],
);

/**
 * The login limits' counters (server/identity/attempt-limiter.ts), shared by every server process:
 * attempts spent per key in a fixed 15-minute window. The key is a SHA-256 of the kind and the
 * email or address, so no address is stored. Global: a budget may span workspaces.
 */
export const attemptBudgets = pgTable(
  "attempt_budgets",
  {
    keyHash: text("key_hash").primaryKey(),
    spent: integer("spent").notNull(),
    windowEndsAt: timestamp("window_ends_at", { withTimezone: true }).notNull(),
  },
  (table) => [index("attempt_budgets_window_ends_at_idx").on(table.windowEndsAt)],
);

/**
 * A password reset asked for by e-mail (global, like users): only the secret's SHA-256 is stored;
 * single-use (used_at) and short-lived. Completing one, or changing the password, ends the rest.
 */
export const passwordResets = pgTable(
  "password_resets",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex("password_resets_token_key").on(table.tokenHash), index("password_resets_user_idx").on(table.userId)],
);

/**
 * E-mail waiting to go out, and the record of what went (a durable job queue, server/jobs/): the
 * message is queued in the transaction that made it and sent after commit by the mail worker,
 * retried with backoff until the SMTP server takes it. Global: a password reset belongs to no
 * workspace; an invitation's mail names its workspace and goes with it. The message (it carries
 * accept and reset links) is encrypted at rest and erased once sent.
 */
export const outgoingMail = pgTable(
  "outgoing_mail",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").references(() => workspaces.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["invitation", "password_reset"] }).notNull(),
    toAddress: text("to_address").notNull(),
    subject: text("subject").notNull(),
    /** `{text, html}` encrypted under ENCRYPTION_KEY; null once sent. */
    bodyEncrypted: text("body_encrypted"),
    status: text("status", { enum: ["pending", "sent", "failed"] })
      .notNull()
      .default("pending"),
    attempts: bigint("attempts", { mode: "number" }).notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    lastError: text("last_error"),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (table) => [index("outgoing_mail_due_idx").on(table.nextAttemptAt).where(sql`${table.status} = 'pending'`)],
);

export const messageStatuses = ["queued", "sent", "delivered", "read", "failed", "received"] as const;

export const messages = pgTable(
  "messages",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    chatId: text("chat_id").notNull(),
    direction: text("direction", { enum: ["in", "out"] }).notNull(),
    text: text("text").notNull(),
    status: text("status", { enum: messageStatuses }).notNull(),
    authorId: text("author_id"),
    /** Meta's wamid (or the sandbox's): the key for idempotent webhooks and status updates. */
    providerMessageId: text("provider_message_id"),
    templateName: text("template_name"),
    errorCode: text("error_code"),
    errorDetail: text("error_detail"),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 6 }).notNull().defaultNow(),
    statusAt: timestamp("status_at", { withTimezone: true }),
    /** When the provider accepted it: the moment the per-number rate governs. */
    sentAt: timestamp("sent_at", { withTimezone: true, precision: 6 }),
    /** The message this one quotes (Meta's `context`), when it is one of this chat's. */
    replyToMessageId: text("reply_to_message_id"),
    /** The quoted message's wamid as Meta gave it, kept when we don't know that message. */
    replyToProviderId: text("reply_to_provider_id"),
    /** What a location, contact card or button reply carried, beyond the readable `text`. */
    rich: jsonb("rich").$type<MessageRichContent>(),
    /**
     * When a member deleted it (messages.delete): the row stays, blanked, so replies quoting it and
     * the chat's order keep their anchor; its content is kept only in the activity log's entry.
     */
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
    /** The member who deleted it; no foreign key, the activity log is the record should they leave. */
    deletedBy: text("deleted_by"),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.id] }),
    index("messages_chat_idx").on(table.workspaceId, table.chatId, table.createdAt, table.id),
    // Customers' messages still shown: a member's unread count in a chat is an index-only range count past their read point.
    index("messages_inbound_idx")
      .on(table.workspaceId, table.chatId, table.createdAt, table.id)
      .where(sql`${table.direction} = 'in' and ${table.deletedAt} is null`),
    // The chat search's message text (see chats_contact_name_trgm_idx).
    index("messages_text_trgm_idx").using("gin", table.text.op("gin_trgm_ops")),
    uniqueIndex("messages_provider_id_key").on(table.workspaceId, table.providerMessageId).where(sql`${table.providerMessageId} is not null`),
    foreignKey({
      columns: [table.workspaceId, table.chatId],
      foreignColumns: [chats.workspaceId, chats.id],
    }).onDelete("cascade"),
  ],
);

/** The structured part of a customer's location, contact card or button/list reply (messages.rich). */
export type MessageRichContent =
  | { location: { latitude: number; longitude: number; name: string | null; address: string | null } }
  | { contacts: { name: string; phones: string[] }[] }
  | { interactive: { kind: "button_reply" | "list_reply" | "button"; id: string | null; title: string } };

/**
 * Emoji reactions on a message: the customer's (one, as WhatsApp allows) and each member's (one
 * per member). A customer's removal is kept as an empty emoji with its time, so a webhook
 * redelivered out of order never brings back an older reaction.
 */
export const messageReactions = pgTable(
  "message_reactions",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    messageId: text("message_id").notNull(),
    /** "customer", or the reacting member's id. */
    reactor: text("reactor").notNull(),
    /** Empty: removed. */
    emoji: text("emoji").notNull(),
    reactedAt: timestamp("reacted_at", { withTimezone: true }).notNull().defaultNow(),
    /** The wamid of the reaction message (Meta's inbound one, or the one our send got). */
    providerMessageId: text("provider_message_id"),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.messageId, table.reactor] }),
    foreignKey({ columns: [table.workspaceId, table.messageId], foreignColumns: [messages.workspaceId, messages.id] }).onDelete("cascade"),
  ],
);

/** First answers to POSTs that carried an Idempotency-Key, kept 24 hours. */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    memberId: text("member_id").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    responseStatus: bigint("response_status", { mode: "number" }),
    responseBody: jsonb("response_body"),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.workspaceId, table.memberId, table.key] })],
);

export const webhooks = pgTable(
  "webhooks",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    url: text("url").notNull(),
    events: jsonb("events").$type<string[]>().notNull(),
    secretEncrypted: text("secret_encrypted").notNull(),
    /** Turned off: no new deliveries are queued for it; its waiting ones were failed when it was turned off. */
    enabled: boolean("enabled").notNull().default(true),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.workspaceId, table.id] })],
);

export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    webhookId: text("webhook_id").notNull(),
    event: text("event").notNull(),
    payload: jsonb("payload").notNull(),
    status: text("status", { enum: ["pending", "delivered", "failed"] })
      .notNull()
      .default("pending"),
    attempts: bigint("attempts", { mode: "number" }).notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    lastStatusCode: bigint("last_status_code", { mode: "number" }),
    lastError: text("last_error"),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.id] }),
    index("webhook_deliveries_log_idx").on(table.workspaceId, table.webhookId, table.createdAt),
    // Only pending rows: the worker's scan stays small however long the log grows.
    index("webhook_deliveries_due_idx").on(table.workspaceId, table.nextAttemptAt).where(sql`${table.status} = 'pending'`),
    foreignKey({
      columns: [table.workspaceId, table.webhookId],
      foreignColumns: [webhooks.workspaceId, webhooks.id],
    }).onDelete("cascade"),
  ],
);

export const templates = pgTable(
  "templates",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    ownerId: text("owner_id").notNull(),
    name: text("name").notNull(),
    /** The text with variables such as {{name}}, filled per recipient. */
    body: text("body").notNull(),
    /** For Cloud API accounts: the Meta-approved template this maps to. */
    metaTemplateName: text("meta_template_name"),
    metaLanguage: text("meta_language"),
    /** `local`: written here; `meta`: synced from the WhatsApp Business Account. */
    source: text("source", { enum: ["local", "meta"] })
      .notNull()
      .default("local"),
    metaStatus: text("meta_status"),
    /** Meta's category (MARKETING, UTILITY, AUTHENTICATION) of a synced template. */
    metaCategory: text("meta_category"),
    /** The WhatsApp account a synced template was last synced from: its WABA holds it. */
    accountId: text("account_id"),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.id] }),
    index("templates_owner_idx").on(table.workspaceId, table.ownerId),
    uniqueIndex("templates_meta_key").on(table.workspaceId, table.ownerId, table.metaTemplateName, table.metaLanguage).where(sql`${table.source} = 'meta'`),
  ],
);

/** What a campaign sends, frozen at launch. */
/**
 * A campaign's header file (an image, video or PDF for a template with a media header): in our
 * media storage once; `providerMediaId` is Meta's id once uploaded for the campaign's number.
 */
export type CampaignHeaderMedia = {
  kind: "image" | "video" | "document";
  mimeType: string;
  fileName: string;
  sizeBytes: number;
  storageKey: string;
  providerMediaId: string | null;
};
export type CampaignTemplateSnapshot = {
  name: string;
  body: string;
  metaTemplateName: string | null;
  metaLanguage: string | null;
  headerMedia?: CampaignHeaderMedia;
};

export const campaignStatuses = ["awaiting_approval", "scheduled", "running", "paused", "completed", "cancelled"] as const;

export const campaigns = pgTable(
  "campaigns",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    accountId: text("account_id").notNull(),
    templateId: text("template_id").notNull(),
    createdBy: text("created_by").notNull(),
    name: text("name").notNull(),
    status: text("status", { enum: campaignStatuses }).notNull(),
    scheduledAt: timestamp("scheduled_at", { withTimezone: true }),
    approvedBy: text("approved_by"),
    recipientCount: bigint("recipient_count", { mode: "number" }).notNull(),
    createdAt: createdAt(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    /** The template as it was at launch: an edit or deletion mid-campaign changes nothing sent. */
    template: jsonb("template").$type<CampaignTemplateSnapshot>(),
    /** Why the campaign is paused or cancelled when no member did it (e.g. Meta rejected the token), or who rejected it. */
    statusReason: text("status_reason"),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.id] }),
    index("campaigns_created_by_idx").on(table.workspaceId, table.createdBy, table.createdAt),
    index("campaigns_created_idx").on(table.workspaceId, table.createdAt),
    // The dispatcher's scan: only live campaigns.
    index("campaigns_live_idx").on(table.workspaceId, table.status).where(sql`${table.status} in ('scheduled', 'running')`),
  ],
);

/**
 * `queued` waits; `claimed`: a sender holds it while it waits for a send slot (no provider call
 * yet, so a crash puts it back in the queue); `sending`: its slot is taken and the provider call
 * made or about to be (a crash leaves its outcome unknown); the rest are outcomes.
 */
export const recipientStatuses = ["queued", "claimed", "sending", "sent", "delivered", "read", "failed", "skipped"] as const;

/** One row per recipient: the dispatch queue, the idempotency record and the report in one. */
export const campaignRecipients = pgTable(
  "campaign_recipients",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    campaignId: text("campaign_id").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    phone: text("phone").notNull(),
    name: text("name"),
    status: text("status", { enum: recipientStatuses }).notNull().default("queued"),
    messageId: text("message_id"),
    providerMessageId: text("provider_message_id"),
    error: text("error"),
    sendingAt: timestamp("sending_at", { withTimezone: true, precision: 6 }),
    sentAt: timestamp("sent_at", { withTimezone: true, precision: 6 }),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    readAt: timestamp("read_at", { withTimezone: true }),
    /** Values for the template's {{variables}} besides name and phone. */
    variables: jsonb("variables").$type<Record<string, string>>().notNull().default({}),
    /** Provider calls made for this recipient (a definite refusal such as 130429 puts it back in the queue). */
    attempts: bigint("attempts", { mode: "number" }).notNull().default(0),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.campaignId, table.seq] }),
    index("campaign_recipients_queued_idx").on(table.workspaceId, table.campaignId, table.seq).where(sql`${table.status} = 'queued'`),
    // In-flight sends only: the sweep for outcomes left unknown by a crash stays small.
    index("campaign_recipients_sending_idx").on(table.workspaceId, table.campaignId, table.sendingAt).where(sql`${table.status} = 'sending'`),
    index("campaign_recipients_claimed_idx").on(table.workspaceId, table.campaignId, table.sendingAt).where(sql`${table.status} = 'claimed'`),
    uniqueIndex("campaign_recipients_phone_key").on(table.workspaceId, table.campaignId, table.phone),
    uniqueIndex("campaign_recipients_provider_key").on(table.workspaceId, table.providerMessageId).where(sql`${table.providerMessageId} is not null`),
    foreignKey({
      columns: [table.workspaceId, table.campaignId],
      foreignColumns: [campaigns.workspaceId, campaigns.id],
    }).onDelete("cascade"),
  ],
);

/** Mass-sending guard rails an Admin sets. */
export const campaignSettings = pgTable("campaign_settings", {
  workspaceId: text("workspace_id")
    .primaryKey()
    .references(() => workspaces.id, { onDelete: "cascade" }),
  /** Campaign recipients the whole workspace may send per day (UTC); null = no cap. */
  dailyRecipientCap: bigint("daily_recipient_cap", { mode: "number" }),
  /** Per role: recipients one member holding it may send per day. */
  roleDailyCaps: jsonb("role_daily_caps").$type<Record<string, number>>().notNull().default({}),
  /** Campaigns with more recipients than this wait for approval by team.manage; null = never. */
  approvalThreshold: bigint("approval_threshold", { mode: "number" }),
});

// Pipedrive. Tokens are AES-256-GCM ciphertexts (server/pipedrive/token-storage.ts), never presented.

const pipedriveTokenColumns = () => ({
  accessTokenEncrypted: text("access_token_encrypted").notNull(),
  refreshTokenEncrypted: text("refresh_token_encrypted").notNull(),
  scope: text("scope").notNull(),
  apiDomain: text("api_domain").notNull(),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  status: text("status", { enum: ["connected", "reconnect_required"] })
    .notNull()
    .default("connected"),
  statusReason: text("status_reason"),
  createdAt: createdAt(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * The workspace's Pipedrive company connection (one per workspace): ties the company to the
 * workspace and names the installation (company, pipedriveUserId) that serves company-wide work.
 * Its tokens are that installation's; when the installation is gone, the connection needs reconnecting.
 */
export const pipedriveConnections = pgTable("pipedrive_connections", {
  workspaceId: text("workspace_id")
    .primaryKey()
    .references(() => workspaces.id, { onDelete: "cascade" }),
  companyId: bigint("company_id", { mode: "number" }).notNull(),
  companyDomain: text("company_domain").notNull(),
  /** The Pipedrive user whose installation serves the workspace. */
  pipedriveUserId: bigint("pipedrive_user_id", { mode: "number" }).notNull(),
  connectedBy: text("connected_by").notNull(),
  createdAt: createdAt(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Global routing of a Pipedrive company to its workspace (panel sessions, uninstalls). */
export const pipedriveCompanyRoutes = pgTable("pipedrive_company_routes", {
  companyId: bigint("company_id", { mode: "number" }).primaryKey(),
  workspaceId: text("workspace_id")
    .notNull()
    .references(() => workspaces.id, { onDelete: "cascade" }),
});

/**
 * Which workspace holds each Pipedrive installation (company, user): the global key an uninstall
 * notice or a refreshed token arrives with. One row per installation, so an installation lives in one
 * workspace; pipedrive_installations references it (a Citus reference table; the installations are
 * distributed by workspace), and deleting it deletes the installation. A route may outlive its
 * installation (a member's deletion removes only the installation); whoever stores the installation again replaces it.
 */
export const pipedriveInstallationRoutes = pgTable(
  "pipedrive_installation_routes",
  {
    companyId: bigint("company_id", { mode: "number" }).notNull(),
    pipedriveUserId: bigint("pipedrive_user_id", { mode: "number" }).notNull(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
  },
  (table) => [
    primaryKey({ columns: [table.companyId, table.pipedriveUserId] }),
    uniqueIndex("pipedrive_installation_routes_workspace_key").on(table.workspaceId, table.companyId, table.pipedriveUserId),
  ],
);

/**
 * One Pipedrive user's installation of our app in a workspace: Pipedrive installs per user, not per
 * company (pipedrive.md §1.2a), so tokens are keyed by (company, user) and its uninstall notice
 * removes one row; its route (pipedrive_installation_routes) keeps it in one workspace.
 * `memberId` set: it is that member's own (individual) connection. The workspace connection
 * (pipedrive_connections) names the installation that serves company-wide work.
 */
export const pipedriveInstallations = pgTable(
  "pipedrive_installations",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    companyId: bigint("company_id", { mode: "number" }).notNull(),
    pipedriveUserId: bigint("pipedrive_user_id", { mode: "number" }).notNull(),
    memberId: text("member_id"),
    name: text("name").notNull().default(""),
    ...pipedriveTokenColumns(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.companyId, table.pipedriveUserId] }),
    uniqueIndex("pipedrive_installations_member_key").on(table.workspaceId, table.memberId),
    // Tokens saved after a refresh, and uninstall notices, name the installation without its workspace.
    index("pipedrive_installations_user_idx").on(table.companyId, table.pipedriveUserId),
    foreignKey({ columns: [table.workspaceId, table.memberId], foreignColumns: [members.workspaceId, members.id] }).onDelete("cascade"),
    foreignKey({
      name: "pipedrive_installations_route_fk",
      columns: [table.workspaceId, table.companyId, table.pipedriveUserId],
      foreignColumns: [pipedriveInstallationRoutes.workspaceId, pipedriveInstallationRoutes.companyId, pipedriveInstallationRoutes.pipedriveUserId],
    }).onDelete("cascade"),
  ],
);

/**
 * A Marketplace installation ("Install now" in Pipedrive) not yet linked to any workspace: kept
 * until someone claims it from the browser that finished it (server/pipedrive/marketplace-install.ts),
 * when it moves to pipedrive_installations. Global: no workspace is known.
 */
export const pipedriveUnclaimedInstallations = pgTable(
  "pipedrive_unclaimed_installations",
  {
    companyId: bigint("company_id", { mode: "number" }).notNull(),
    pipedriveUserId: bigint("pipedrive_user_id", { mode: "number" }).notNull(),
    name: text("name").notNull().default(""),
    ...pipedriveTokenColumns(),
  },
  (table) => [primaryKey({ columns: [table.companyId, table.pipedriveUserId] })],
);

/** Pipedrive's app-sharing notices: an admin shared (or unshared) the app with this user. */
export const pipedriveAppShares = pgTable(
  "pipedrive_app_shares",
  {
    companyId: bigint("company_id", { mode: "number" }).notNull(),
    pipedriveUserId: bigint("pipedrive_user_id", { mode: "number" }).notNull(),
    isShared: boolean("is_shared").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.companyId, table.pipedriveUserId] })],
);

/** Which member a Pipedrive user is (set by an Admin, or by the member's own connection). */
export const pipedriveUserLinks = pgTable(
  "pipedrive_user_links",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    pipedriveUserId: bigint("pipedrive_user_id", { mode: "number" }).notNull(),
    memberId: text("member_id").notNull(),
    linkedBy: text("linked_by").notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.pipedriveUserId] }),
    uniqueIndex("pipedrive_user_links_member_key").on(table.workspaceId, table.memberId),
    foreignKey({ columns: [table.workspaceId, table.memberId], foreignColumns: [members.workspaceId, members.id] }).onDelete("cascade"),
  ],
);

/**
 * Single-use OAuth state nonces (global: the callback knows no workspace until the state is verified),
 * and the panel JWTs already traded for a session (`panel-jwt:…`), each kept until it expires.
 */
export const pipedriveOAuthNonces = pgTable("pipedrive_oauth_nonces", {
  nonce: text("nonce").primaryKey(),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
});

export const pipedriveLoggingModes = ["off", "note", "activity", "both"] as const;

/** How conversations are logged to Pipedrive. */
export const pipedriveSettings = pgTable("pipedrive_settings", {
  workspaceId: text("workspace_id")
    .primaryKey()
    .references(() => workspaces.id, { onDelete: "cascade" }),
  logging: text("logging", { enum: pipedriveLoggingModes }).notNull().default("note"),
  /** The activity type's key_string (Pipedrive's ActivityTypes) that logged activities get. */
  activityType: text("activity_type").notNull().default("call"),
  updatedBy: text("updated_by"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** The deal and person a chat is logged under (chosen in the panel). */
export const pipedriveChatLinks = pgTable(
  "pipedrive_chat_links",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    chatId: text("chat_id").notNull(),
    personId: bigint("person_id", { mode: "number" }).notNull(),
    dealId: bigint("deal_id", { mode: "number" }),
    linkedBy: text("linked_by").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.chatId] }),
    foreignKey({ columns: [table.workspaceId, table.chatId], foreignColumns: [chats.workspaceId, chats.id] }).onDelete("cascade"),
  ],
);

/**
 * The notes (or activities) that carry a chat's transcript for one UTC day: part 1, then a new
 * part each time one is full (server/crm/transcript.ts), so a message rewrites at most one
 * part and the cost of a day grows with its messages, not with their square.
 */
export const pipedriveLogEntries = pgTable(
  "pipedrive_log_entries",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    chatId: text("chat_id").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    kind: text("kind", { enum: ["note", "activity"] }).notNull(),
    part: integer("part").notNull().default(1),
    pipedriveId: bigint("pipedrive_id", { mode: "number" }).notNull(),
    /** The part's transcript lines (HTML) as last sent: a new message appends to them without re-reading the day. */
    lines: text("lines").notNull().default(""),
    lineCount: integer("line_count").notNull().default(0),
    /** The messages in this part (at most a part's line limit). */
    messageIds: text("message_ids").array().notNull().default(sql`'{}'::text[]`),
    /** The day's lines logged up to and including this part, and the last message (by time, id) among them. */
    dayLineCount: integer("day_line_count").notNull().default(0),
    loggedThroughAt: timestamp("logged_through_at", { withTimezone: true, precision: 6 }),
    loggedThroughId: text("logged_through_id"),
    /** Whose tokens wrote it (a member with an individual connection), null for the workspace's. */
    writtenByMemberId: text("written_by_member_id"),
    personId: bigint("person_id", { mode: "number" }),
    dealId: bigint("deal_id", { mode: "number" }),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.chatId, table.day, table.kind, table.part] }),
    foreignKey({ columns: [table.workspaceId, table.chatId], foreignColumns: [chats.workspaceId, chats.id] }).onDelete("cascade"),
  ],
);

/**
 * The logging outbox: one row per chat-day, written in the transaction that stores a message.
 * `version` grows with every new message, so a run that started before it never marks it done.
 */
export const pipedriveLogJobs = pgTable(
  "pipedrive_log_jobs",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    chatId: text("chat_id").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    status: text("status", { enum: ["pending", "done", "failed", "skipped"] })
      .notNull()
      .default("pending"),
    version: bigint("version", { mode: "number" }).notNull().default(1),
    attempts: bigint("attempts", { mode: "number" }).notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    lastError: text("last_error"),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.chatId, table.day] }),
    index("pipedrive_log_jobs_due_idx").on(table.workspaceId, table.nextAttemptAt).where(sql`${table.status} = 'pending'`),
    foreignKey({ columns: [table.workspaceId, table.chatId], foreignColumns: [chats.workspaceId, chats.id] }).onDelete("cascade"),
  ],
);

/**
 * The HubSpot account (portal, `hub_id`) connected to a workspace: HubSpot installs an app per
 * account, by a super admin (hubspot.md §3), so one row per portal serves the workspace's reads
 * and logging. A portal belongs to one workspace, and a workspace connects one portal. Tokens are
 * AES-256-GCM ciphertexts (server/crypto/secrets.ts); the access token lives 30 minutes.
 */
export const hubspotInstallations = pgTable(
  "hubspot_installations",
  {
    hubId: bigint("hub_id", { mode: "number" }).primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    /** The member who connected it, and the HubSpot user (a super admin) who authorized. */
    connectedBy: text("connected_by").notNull(),
    hubspotUserId: bigint("hubspot_user_id", { mode: "number" }).notNull(),
    hubDomain: text("hub_domain"),
    scopes: text("scopes").notNull(),
    accessTokenEncrypted: text("access_token_encrypted"),
    refreshTokenEncrypted: text("refresh_token_encrypted"),
    accessTokenExpiresAt: timestamp("access_token_expires_at", { withTimezone: true }),
    status: text("status", { enum: ["connected", "reconnect_required"] })
      .notNull()
      .default("connected"),
    /** Why it needs reconnecting: `uninstalled` (HubSpot refused the refresh token). */
    statusReason: text("status_reason"),
    connectedAt: timestamp("connected_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("hubspot_installations_workspace_key").on(table.workspaceId),
    // The target of the tenant tables' (workspace_id, hub_id) foreign keys.
    uniqueIndex("hubspot_installations_workspace_hub_key").on(table.workspaceId, table.hubId),
  ],
);

export const hubspotLoggingModes = ["off", "per_day", "per_message"] as const;

/** How conversations are logged to HubSpot: one Communication per chat per UTC day (parts), one per message, or none. */
export const hubspotSettings = pgTable("hubspot_settings", {
  workspaceId: text("workspace_id")
    .primaryKey()
    .references(() => workspaces.id, { onDelete: "cascade" }),
  logging: text("logging", { enum: hubspotLoggingModes }).notNull().default("per_day"),
  updatedBy: text("updated_by"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * The HubSpot logging outbox: one row per chat-day, written in the transaction that stores a
 * message (server/crm/message-stored.ts); `version` grows with every new message, so a run that
 * started before it never marks it done. The same queue shape as pipedrive_log_jobs (server/jobs/).
 */
export const hubspotLogJobs = pgTable(
  "hubspot_log_jobs",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    chatId: text("chat_id").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    status: text("status", { enum: ["pending", "done", "failed", "skipped"] })
      .notNull()
      .default("pending"),
    version: bigint("version", { mode: "number" }).notNull().default(1),
    attempts: bigint("attempts", { mode: "number" }).notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    lastError: text("last_error"),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.chatId, table.day] }),
    index("hubspot_log_jobs_due_idx").on(table.nextAttemptAt).where(sql`${table.status} = 'pending'`),
    foreignKey({ columns: [table.workspaceId, table.chatId], foreignColumns: [chats.workspaceId, chats.id] }).onDelete("cascade"),
  ],
);

/**
 * The Communications that carry a chat's transcript for one UTC day in one portal, a part each
 * (the same parts as Pipedrive's notes, server/crm/transcript.ts): what each holds, so a run sends
 * only new lines (PATCH in place) and running a job again sends nothing.
 */
export const hubspotLogEntries = pgTable(
  "hubspot_log_entries",
  {
    hubId: bigint("hub_id", { mode: "number" }).notNull(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    chatId: text("chat_id").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    part: integer("part").notNull(),
    communicationId: text("communication_id").notNull(),
    contactId: text("contact_id").notNull(),
    dealId: text("deal_id"),
    /** The part's transcript lines (HTML) as last sent, and the messages they are. */
    lines: text("lines").notNull().default(""),
    lineCount: integer("line_count").notNull().default(0),
    messageIds: text("message_ids").array().notNull().default(sql`'{}'::text[]`),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.hubId, table.chatId, table.day, table.part] }),
    foreignKey({ columns: [table.workspaceId, table.chatId], foreignColumns: [chats.workspaceId, chats.id] }).onDelete("cascade"),
  ],
);

/** Per-message logging: the Communication each message became in a portal (so none is written twice). */
export const hubspotMessageLogs = pgTable(
  "hubspot_message_logs",
  {
    hubId: bigint("hub_id", { mode: "number" }).notNull(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    messageId: text("message_id").notNull(),
    chatId: text("chat_id").notNull(),
    communicationId: text("communication_id").notNull(),
    contactId: text("contact_id").notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.hubId, table.messageId] }),
    foreignKey({ columns: [table.workspaceId, table.chatId], foreignColumns: [chats.workspaceId, chats.id] }).onDelete("cascade"),
  ],
);

/**
 * Which member a HubSpot user of the workspace's portal is (the individual connection): made from
 * the app card, when the HubSpot user the signed card request names signs in to Switchboard in the
 * card's modal (server/hubspot/user-links.ts). One HubSpot user per member and portal; it goes with
 * the portal's connection (a disconnect) and with the member.
 */
export const hubspotUserLinks = pgTable(
  "hubspot_user_links",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    hubId: bigint("hub_id", { mode: "number" }).notNull(),
    hubspotUserId: bigint("hubspot_user_id", { mode: "number" }).notNull(),
    memberId: text("member_id").notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.hubId, table.hubspotUserId] }),
    uniqueIndex("hubspot_user_links_member_key").on(table.workspaceId, table.hubId, table.memberId),
    // A signed card request names the portal and the user, not the workspace.
    index("hubspot_user_links_user_idx").on(table.hubId, table.hubspotUserId),
    // The portal's workspace: a portal is in one workspace, so a HubSpot user is linked once.
    foreignKey({
      name: "hubspot_user_links_installation_fk",
      columns: [table.workspaceId, table.hubId],
      foreignColumns: [hubspotInstallations.workspaceId, hubspotInstallations.hubId],
    }).onDelete("cascade"),
    foreignKey({ columns: [table.workspaceId, table.memberId], foreignColumns: [members.workspaceId, members.id] }).onDelete("cascade"),
  ],
);

/**
 * The HubSpot deal (and its contact) a chat is logged under, set when the chat is used from a
 * HubSpot panel opened on that deal: its Communications are associated to the deal too (type 85).
 */
export const hubspotChatLinks = pgTable(
  "hubspot_chat_links",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    chatId: text("chat_id").notNull(),
    hubId: bigint("hub_id", { mode: "number" })
      .notNull()
      .references(() => hubspotInstallations.hubId, { onDelete: "cascade" }),
    contactId: text("contact_id").notNull(),
    dealId: text("deal_id").notNull(),
    linkedBy: text("linked_by").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.chatId] }),
    foreignKey({ columns: [table.workspaceId, table.chatId], foreignColumns: [chats.workspaceId, chats.id] }).onDelete("cascade"),
  ],
);

/**
 * Where each member has read each chat up to (issue 13 §5): the newest message they have seen, by
 * (created_at, id) — the order of a chat's history — so reading follows the member from device to
 * device. `marked_unread`: the member asked to see the chat as unread again ("Mark as unread");
 * reading it clears that. A member with no row for a chat has read nothing in it since they joined.
 */
export const chatReads = pgTable(
  "chat_reads",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    memberId: text("member_id").notNull(),
    chatId: text("chat_id").notNull(),
    readThroughAt: timestamp("read_through_at", { withTimezone: true, precision: 6 }),
    readThroughId: text("read_through_id"),
    markedUnread: boolean("marked_unread").notNull().default(false),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    // The list's per-chat lookup is (workspace, member, chat): the primary key serves it.
    primaryKey({ columns: [table.workspaceId, table.memberId, table.chatId] }),
    index("chat_reads_marked_idx").on(table.workspaceId, table.memberId).where(sql`${table.markedUnread}`),
    foreignKey({ columns: [table.workspaceId, table.memberId], foreignColumns: [members.workspaceId, members.id] }).onDelete("cascade"),
    foreignKey({ columns: [table.workspaceId, table.chatId], foreignColumns: [chats.workspaceId, chats.id] }).onDelete("cascade"),
  ],
);

/**
 * "Ask to take over" under the ownership lock: a member asks the chat's responsible (and the
 * team's managers) for a chat someone else holds. One open request per member and chat; a change
 * of responsible closes the chat's open requests.
 */
export const takeOverRequests = pgTable(
  "take_over_requests",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    chatId: text("chat_id").notNull(),
    requestedBy: text("requested_by").notNull(),
    /** Who held the chat when asked. */
    heldBy: text("held_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp("closed_at", { withTimezone: true }),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.id] }),
    uniqueIndex("take_over_requests_open_key").on(table.workspaceId, table.chatId, table.requestedBy).where(sql`${table.closedAt} is null`),
    foreignKey({ columns: [table.workspaceId, table.chatId], foreignColumns: [chats.workspaceId, chats.id] }).onDelete("cascade"),
    foreignKey({ columns: [table.workspaceId, table.requestedBy], foreignColumns: [members.workspaceId, members.id] }).onDelete("cascade"),
    foreignKey({ columns: [table.workspaceId, table.heldBy], foreignColumns: [members.workspaceId, members.id] }).onDelete("cascade"),
  ],
);

/** A member's own settings, the same on every device: desktop notifications and a sound for chats they are responsible for (off by default). */
export const memberPreferences = pgTable(
  "member_preferences",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    memberId: text("member_id").notNull(),
    desktopNotifications: boolean("desktop_notifications").notNull().default(false),
    notificationSound: boolean("notification_sound").notNull().default(false),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.memberId] }),
    foreignKey({ columns: [table.workspaceId, table.memberId], foreignColumns: [members.workspaceId, members.id] }).onDelete("cascade"),
  ],
);

/**
 * A message's file (photo, document, voice note, video, sticker), one per message. Inbound rows
 * start 'pending' — Meta's media id is known, the file is not — and are the fetch job's queue
 * (server/jobs/lease-queue.ts: status, attempts, next_attempt_at, last_error); 'ready' once the
 * bytes are in the media storage under `storage_key` (random, never derived from any input);
 * 'failed' when Meta's file could not be fetched or broke the limits. Outbound rows are stored
 * 'ready' before they are uploaded to Meta.
 */
export const messageMedia = pgTable(
  "message_media",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    messageId: text("message_id").notNull(),
    kind: text("kind", { enum: ["image", "document", "audio", "video", "sticker"] }).notNull(),
    mimeType: text("mime_type"),
    fileName: text("file_name"),
    caption: text("caption"),
    sizeBytes: integer("size_bytes"),
    sha256: text("sha256"),
    /** Meta's media id: the inbound file to fetch, or the id an outbound upload got. */
    providerMediaId: text("provider_media_id"),
    storageKey: text("storage_key"),
    status: text("status", { enum: ["pending", "ready", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.messageId] }),
    index("message_media_due_idx").on(table.nextAttemptAt).where(sql`${table.status} = 'pending'`),
    foreignKey({ columns: [table.workspaceId, table.messageId], foreignColumns: [messages.workspaceId, messages.id] }).onDelete("cascade"),
  ],
);
