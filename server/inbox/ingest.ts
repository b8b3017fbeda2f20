import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Database, Executor } from "../db/client";
import { chats, contacts, type MessageRichContent, messages } from "../db/schema";
import type { BusEvent } from "../events/bus";
import { newId } from "../ids";
import { type InboundMedia, insertInboundMedia } from "../media/inbound";
import { presentMedia } from "../media/presentation";
import { emitInboxEvents, type InboxEvent } from "../webhooks/outbox";
import { windowClosesAt } from "../whatsapp/customer-service-window";
import { type ContactInput, findOrCreateContact, toE164 } from "./contacts";
import { conversationRelationsOf } from "./message-presentation";
import { presentMessage } from "./presenters";

/** How much of a message a chat list shows. */
export const previewLength = 120;

export type InboundMessage = {
  workspaceId: string;
  accountId: string;
  from: ContactInput;
  /** Meta's wamid (or the sandbox's); a redelivery with the same id changes nothing. */
  providerMessageId: string;
  text: string;
  receivedAt: Date;
  /** The wamid of the message this one quotes (Meta's `context`). */
  replyToWamid?: string;
  /** A location's, contact card's or button reply's data. */
  rich?: MessageRichContent;
  /** The customer's file, if the message carries one: stored with the message, fetched after. */
  media?: InboundMedia;
};

/**
 * Finds the chat of (account, contact), creating it on first contact. `firstMessageAt` is the
 * time of the message that creates it: Meta's timestamps are whole seconds and may be days old
 * (redeliveries), so a chat stamped "now" would be newer than its own first message and
 * touchChat would never take that message as the preview.
 */
export async function findOrCreateChat(
  db: Executor,
  workspaceId: string,
  accountId: string,
  contact: { id: string; phone: string | null; name: string | null },
  firstMessageAt?: Date,
) {
  const find = () =>
    db
      .select({ id: chats.id })
      .from(chats)
      .where(and(eq(chats.workspaceId, workspaceId), eq(chats.accountId, accountId), eq(chats.contactId, contact.id)));
  const [existing] = await find();
  if (existing) return existing;
  await db
    .insert(chats)
    .values({
      workspaceId,
      id: newId("chat"),
      accountId,
      contactId: contact.id,
      contactPhone: contact.phone,
      contactName: contact.name,
      ...(firstMessageAt ? { lastMessageAt: firstMessageAt } : {}),
    })
    .onConflictDoNothing();
  const [chat] = await find();
  if (!chat) throw new Error("Chat vanished while being created");
  return chat;
}

/** Moves a chat's activity forward (never back, whatever order messages arrive in). */
export async function touchChat(db: Executor, workspaceId: string, chatId: string, at: Date, preview: string, opensWindow: boolean) {
  await db
    .update(chats)
    .set({
      lastMessageAt: sql`greatest(${chats.lastMessageAt}, ${at.toISOString()}::timestamptz)`,
      lastMessagePreview: sql`case when ${chats.lastMessageAt} <= ${at.toISOString()}::timestamptz then ${preview.slice(0, previewLength)} else ${chats.lastMessagePreview} end`,
      ...(opensWindow
        ? {
            windowOpenUntil: sql`greatest(coalesce(${chats.windowOpenUntil}, '-infinity'::timestamptz), ${windowClosesAt(at).toISOString()}::timestamptz)`,
          }
        : {}),
    })
    .where(and(eq(chats.workspaceId, workspaceId), eq(chats.id, chatId)));
}

/** Our id of the chat's message with this wamid (a quoted message), or null when it isn't one of the chat's. */
async function messageIdOfWamid(db: Executor, workspaceId: string, chatId: string, wamid: string): Promise<string | null> {
  const [quoted] = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.chatId, chatId), eq(messages.providerMessageId, wamid)));
  return quoted?.id ?? null;
}

type Stored = {
  result: { chatId: string; messageId: string; duplicate: boolean };
  /** The new message's event and outgoing-webhook payload; null for a redelivery. */
  outbox: { event: InboxEvent & { messageId: string }; payload: Record<string, unknown> } | null;
};

/** One customer message's writes (contact, chat, message, media, chat activity), in the caller's transaction. */
async function storeInbound(tx: Executor, inbound: InboundMessage): Promise<Stored> {
  const contact = await findOrCreateContact(tx, inbound.workspaceId, inbound.from);
  const chat = await findOrCreateChat(tx, inbound.workspaceId, inbound.accountId, contact, inbound.receivedAt);
  const replyToMessageId = inbound.replyToWamid ? await messageIdOfWamid(tx, inbound.workspaceId, chat.id, inbound.replyToWamid) : null;
  const [message] = await tx
    .insert(messages)
    .values({
      workspaceId: inbound.workspaceId,
      id: newId("msg"),
      chatId: chat.id,
      direction: "in",
      text: inbound.text,
      status: "received",
      providerMessageId: inbound.providerMessageId,
      createdAt: inbound.receivedAt,
      replyToMessageId,
      replyToProviderId: inbound.replyToWamid ?? null,
      rich: inbound.rich ?? null,
    })
    .onConflictDoNothing()
    .returning();
  if (!message) {
    const [existing] = await tx
      .select({ id: messages.id, chatId: messages.chatId })
      .from(messages)
      .where(and(eq(messages.workspaceId, inbound.workspaceId), eq(messages.providerMessageId, inbound.providerMessageId)));
    return { result: { chatId: existing?.chatId ?? chat.id, messageId: existing?.id ?? "", duplicate: true }, outbox: null };
  }
  const media = inbound.media ? await insertInboundMedia(tx, inbound.workspaceId, message.id, inbound.media) : undefined;
  await touchChat(tx, inbound.workspaceId, chat.id, inbound.receivedAt, inbound.text, true);
  const event = { type: "message.created" as const, workspaceId: inbound.workspaceId, chatId: chat.id, messageId: message.id };
  // Outgoing webhooks get the file's description, never a download link (those are for members).
  const quoted = message.replyToProviderId ? (await conversationRelationsOf(tx, [message])).get(message.id) : {};
  const payload = { message: presentMessage(message, { ...quoted, ...(media ? { media: presentMedia(media, null) } : {}) }, "outbox") };
  return { result: { chatId: chat.id, messageId: message.id, duplicate: false }, outbox: { event, payload } };
}

/**
 * Records a customer's message: contact and chat created on first contact, the message stored
 * once per provider id (redeliveries are no-ops), the chat's activity and 24-hour window moved
 * forward, and `message.created` emitted — all in one transaction.
 */
export async function ingestInboundMessage(
  db: Database,
  inbound: InboundMessage,
  /** Extra writes in the same transaction (the activity-log entry of a sandbox message). */
  within?: (tx: Executor, result: { chatId: string; messageId: string }) => Promise<void>,
  /**
   * Publishes the live update after the commit instead of inside the transaction (Meta's
   * webhooks: a NOTIFY inside every message's transaction would serialize their commits).
   */
  publishAfterCommit?: (events: BusEvent[]) => void,
): Promise<{ chatId: string; messageId: string; duplicate: boolean }> {
  const stored = await db.transaction(async (tx) => {
    const stored = await storeInbound(tx, inbound);
    if (!stored.outbox) return stored;
    await emitInboxEvents(tx, [stored.outbox], { notify: !publishAfterCommit });
    await within?.(tx, { chatId: stored.result.chatId, messageId: stored.result.messageId });
    return stored;
  });
  if (stored.outbox && publishAfterCommit) publishAfterCommit([stored.outbox.event]);
  return stored.result;
}

/**
 * The common message (a phone sender, no quote, no file) of a batch, stored by statements that
 * each cover the whole batch: contacts, chats, messages, chat activity. The transaction stays a
 * handful of round trips however many messages it holds, so it holds its locks only briefly.
 */
type Plain = { index: number; inbound: InboundMessage; phone: string };
type ContactHandle = { id: string; phone: string | null; name: string | null };

async function storePlainBatch(tx: Executor, workspaceId: string, batch: Plain[], stored: Stored[]): Promise<void> {
  // Contacts by phone, created on first contact, their name kept fresh (as findOrCreateContact).
  const byPhone = new Map<string, Plain>();
  for (const plain of batch) byPhone.set(plain.phone, plain);
  const phones = [...byPhone.keys()].sort();
  const contactRows = await upsertReturning<ContactHandle>(
    tx,
    sql`insert into ${contacts} (workspace_id, id, phone, name) select ${workspaceId}, input.id, input.phone, input.name
      from jsonb_to_recordset(${JSON.stringify(phones.map((phone) => ({ id: newId("ct"), phone, name: byPhone.get(phone)?.inbound.from.name ?? null })))}::jsonb)
        as input(id text, phone text, name text)
      order by input.phone on conflict do nothing returning id, phone, name`,
    sql`select id, phone, name from ${contacts} where workspace_id = ${workspaceId} and phone in (select jsonb_array_elements_text(${JSON.stringify(phones)}::jsonb))`,
    phones.length,
  );
  const contactOf = new Map(contactRows.map((row) => [row.phone as string, row]));
  for (const phone of phones) {
    const contact = contactOf.get(phone);
    const name = byPhone.get(phone)?.inbound.from.name;
    if (!contact) throw new Error("Contact vanished while being created");
    if (!name || name === contact.name) continue;
    await tx
      .update(contacts)
      .set({ name })
      .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contact.id)));
    contact.name = name;
  }
  // Chats of (account, contact), created on first contact at their first message's time.
  const chatKey = (accountId: string, contactId: string) => `${accountId} ${contactId}`;
  const firstOf = new Map<string, Plain>();
  for (const plain of batch) {
    const key = chatKey(plain.inbound.accountId, (contactOf.get(plain.phone) as ContactHandle).id);
    const first = firstOf.get(key);
    if (!first || plain.inbound.receivedAt < first.inbound.receivedAt) firstOf.set(key, plain);
  }
  const wanted = [...firstOf.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, plain]) => {
      const contact = contactOf.get(plain.phone) as ContactHandle;
      return {
        id: newId("chat"),
        account_id: plain.inbound.accountId,
        contact_id: contact.id,
        contact_phone: contact.phone,
        contact_name: contact.name,
        last_message_at: plain.inbound.receivedAt.toISOString(),
      };
    });
  const chatRows = await upsertReturning<{ id: string; accountId: string; contactId: string }>(
    tx,
    sql`insert into ${chats} (workspace_id, id, account_id, contact_id, contact_phone, contact_name, last_message_at)
      select ${workspaceId}, input.id, input.account_id, input.contact_id, input.contact_phone, input.contact_name, input.last_message_at
      from jsonb_to_recordset(${JSON.stringify(wanted)}::jsonb)
        as input(id text, account_id text, contact_id text, contact_phone text, contact_name text, last_message_at timestamptz)
      on conflict do nothing returning id, account_id as "accountId", contact_id as "contactId"`,
    sql`select id, account_id as "accountId", contact_id as "contactId" from ${chats}
      where workspace_id = ${workspaceId} and (account_id, contact_id) in (select input.account_id, input.contact_id
        from jsonb_to_recordset(${JSON.stringify(wanted)}::jsonb) as input(account_id text, contact_id text))`,
    wanted.length,
  );
  const chatOf = new Map(chatRows.map((row) => [chatKey(row.accountId, row.contactId), row.id]));
  const chatIdOf = (plain: Plain) => {
    const chatId = chatOf.get(chatKey(plain.inbound.accountId, (contactOf.get(plain.phone) as ContactHandle).id));
    if (!chatId) throw new Error("Chat vanished while being created");
    return chatId;
  };
  // The messages, once per wamid: a redelivery (or a wamid twice in the batch) inserts nothing.
  const inserted = await tx
    .insert(messages)
    .values(
      batch.map((plain) => ({
        workspaceId,
        id: newId("msg"),
        chatId: chatIdOf(plain),
        direction: "in" as const,
        text: plain.inbound.text,
        status: "received" as const,
        providerMessageId: plain.inbound.providerMessageId,
        createdAt: plain.inbound.receivedAt,
        rich: plain.inbound.rich ?? null,
      })),
    )
    .onConflictDoNothing()
    .returning();
  const insertedOf = new Map(inserted.map((message) => [message.providerMessageId as string, message]));
  const duplicates = batch.filter((plain) => !insertedOf.has(plain.inbound.providerMessageId));
  const existingOf = new Map<string, { id: string; chatId: string }>();
  if (duplicates.length > 0) {
    const existing = await tx
      .select({ id: messages.id, chatId: messages.chatId, wamid: messages.providerMessageId })
      .from(messages)
      .where(
        and(
          eq(messages.workspaceId, workspaceId),
          inArray(
            messages.providerMessageId,
            duplicates.map((plain) => plain.inbound.providerMessageId),
          ),
        ),
      );
    for (const row of existing) existingOf.set(row.wamid as string, row);
  }
  // Each chat's activity moved forward once, by its newest new message (as touchChat would, one by one).
  const newest = new Map<string, Plain>();
  for (const plain of batch) {
    const message = insertedOf.get(plain.inbound.providerMessageId);
    if (!message) continue;
    const current = newest.get(message.chatId);
    if (!current || plain.inbound.receivedAt >= current.inbound.receivedAt) newest.set(message.chatId, plain);
  }
  await touchChats(
    tx,
    workspaceId,
    [...newest.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([chatId, plain]) => ({ chatId, at: plain.inbound.receivedAt, preview: plain.inbound.text })),
  );
  for (const plain of batch) {
    const message = insertedOf.get(plain.inbound.providerMessageId);
    if (!message || stored.some((one) => one?.result.messageId === message.id)) {
      const existing = existingOf.get(plain.inbound.providerMessageId) ?? (message ? { id: message.id, chatId: message.chatId } : undefined);
      stored[plain.index] = { result: { chatId: existing?.chatId ?? chatIdOf(plain), messageId: existing?.id ?? "", duplicate: true }, outbox: null };
      continue;
    }
    const event = { type: "message.created" as const, workspaceId, chatId: message.chatId, messageId: message.id };
    stored[plain.index] = {
      result: { chatId: message.chatId, messageId: message.id, duplicate: false },
      outbox: { event, payload: { message: presentMessage(message, {}, "outbox") } },
    };
  }
}

/**
 * Rows created by `insert` (… on conflict do nothing returning …) plus those that already
 * existed (`select`), in one round trip: the select, in the same statement, sees the rows that
 * were there before it (not the ones it inserts). A row another transaction committed meanwhile
 * (the insert waited for it) is not in that snapshot: then the select runs again on its own.
 */
async function upsertReturning<Row>(tx: Executor, insert: SQL, select: SQL, expected: number): Promise<Row[]> {
  const rowsOf = (result: unknown) => (result as { rows: Row[] }).rows;
  const rows = rowsOf(await tx.execute(sql`with inserted as (${insert}) select * from inserted union all (${select})`));
  return rows.length >= expected ? rows : rowsOf(await tx.execute(select));
}

/** touchChat for several chats in one statement (each chat once), opening their 24-hour windows. */
async function touchChats(tx: Executor, workspaceId: string, touches: { chatId: string; at: Date; preview: string }[]): Promise<void> {
  if (touches.length === 0) return;
  const rows = JSON.stringify(
    touches.map((touch) => ({
      chat_id: touch.chatId,
      at: touch.at.toISOString(),
      preview: touch.preview.slice(0, previewLength),
      window_until: windowClosesAt(touch.at).toISOString(),
    })),
  );
  await tx.execute(sql`update ${chats} set
      last_message_at = greatest(${chats.lastMessageAt}, t.at),
      last_message_preview = case when ${chats.lastMessageAt} <= t.at then t.preview else ${chats.lastMessagePreview} end,
      window_open_until = greatest(coalesce(${chats.windowOpenUntil}, '-infinity'::timestamptz), t.window_until)
    from jsonb_to_recordset(${rows}::jsonb) as t(chat_id text, at timestamptz, preview text, window_until timestamptz)
    where ${chats.workspaceId} = ${workspaceId} and ${chats.id} = t.chat_id`);
}

/**
 * Several customers' messages in one transaction, with the same outcome as ingestInboundMessage
 * for each: one BEGIN/COMMIT (one WAL flush) and one outgoing-webhook and CRM statement for all.
 * Common messages (a phone sender, no quote, no file) are written by a few statements covering
 * the batch (storePlainBatch); the others one by one as ingestInboundMessage does. The live
 * updates are published after the commit. Results in the order given.
 */
export async function ingestInboundMessages(
  db: Database,
  inbounds: InboundMessage[],
  publishAfterCommit: (events: BusEvent[]) => void,
): Promise<{ chatId: string; messageId: string; duplicate: boolean }[]> {
  const plainByWorkspace = new Map<string, Plain[]>();
  const others: number[] = [];
  for (const [index, inbound] of inbounds.entries()) {
    const phone = inbound.from.bsuid || inbound.replyToWamid || inbound.media ? null : toE164(inbound.from.phone);
    if (!phone) {
      others.push(index);
      continue;
    }
    const plain = plainByWorkspace.get(inbound.workspaceId) ?? [];
    plain.push({ index, inbound, phone });
    plainByWorkspace.set(inbound.workspaceId, plain);
  }
  const stored = await db.transaction(async (tx) => {
    const stored: Stored[] = new Array(inbounds.length);
    for (const [workspaceId, batch] of [...plainByWorkspace.entries()].sort(([a], [b]) => (a < b ? -1 : 1)))
      await storePlainBatch(tx, workspaceId, batch, stored);
    for (const index of others) stored[index] = await storeInbound(tx, inbounds[index] as InboundMessage);
    await emitInboxEvents(
      tx,
      stored.flatMap((one) => (one.outbox ? [one.outbox] : [])),
      { notify: false },
    );
    return stored;
  });
  publishAfterCommit(stored.flatMap((one) => (one.outbox ? [one.outbox.event] : [])));
  return stored.map((one) => one.result);
}
