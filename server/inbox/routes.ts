import { and, desc, eq, isNull, or, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { phoneRefKey, readPhoneRef } from "../crm/record-phones";
import type { Executor } from "../db/client";
import { chats, contacts, members, messages } from "../db/schema";
import { invalidRequest, notFound } from "../http/problem";
import { requires, route } from "../http/route";
import { afterKeyset, decodeCursor, IdParam, ListQuery, page, timestampText } from "../http/schemas";
import type { Principal } from "../identity/tokens";
import { presentedMediaOf } from "../media/presentation";
import { authorize, authorizeUnderLock, can, maySeeNumbers, requirePermission, type ScopeArm, scope, scopeArms } from "../permissions";
import type { Services } from "../services";
import { emitInboxEvent } from "../webhooks/outbox";
import { loadVisibleAccount } from "../whatsapp/accounts";
import { type CountryCode, normalizePhone, readTypedPhone } from "../whatsapp/phone";
import { workspaceDefaultCountry } from "../workspace/default-country";
import { findOrCreateContact } from "./contacts";
import { findOrCreateChat } from "./ingest";
import { conversationRelationsOf } from "./message-presentation";
import { presentChat, presentMessage } from "./presenters";
import { type ChatRow, chatRecord, chatsWithAccount, loadVisibleChat, responsibleName } from "./queries";
import { type ChatRowWithReadState, chatsWithReadState, loadVisibleChatWithReadState } from "./read-state";
import { contentMessage, contentOf, exactlyOneContent, MessageContent } from "./schemas";
import { assertCanSend, assertMayUseContent, loadQuotable, sendToChat } from "./sender";
import { closeTakeOverRequests } from "./take-over-routes";

const ChatFilters = ListQuery.extend({
  accountId: z.string().max(100).optional(),
  responsibleId: z.string().max(100).optional(),
  unassigned: z.enum(["true", "false"]).optional(),
  q: z.string().trim().min(1).max(200).optional(),
});
// A typed `phone`, or a `phoneRef` a CRM panel gave for one of its record's numbers
// (server/crm/record-phones.ts): a member who sees numbers masked starts chats only that way.
const StartChat = z
  .object({
    accountId: z.string().min(1).max(100),
    phone: z.string().min(3).max(40).optional(),
    phoneRef: z.string().min(1).max(1000).optional(),
    ...MessageContent,
  })
  .strict()
  .refine((body) => (body.phone === undefined) !== (body.phoneRef === undefined), { message: "give either phone or phoneRef", path: ["phone"] })
  .refine(exactlyOneContent, contentMessage);
const Reply = z
  .object({ ...MessageContent, replyToMessageId: z.string().min(1).max(100).optional() })
  .strict()
  .refine(exactlyOneContent, contentMessage)
  .refine((body) => body.replyToMessageId === undefined || body.text !== undefined, {
    message: "only a text message may quote another",
    path: ["replyToMessageId"],
  });
const SetResponsible = z.object({ memberId: z.string().min(1).max(100).nullable() }).strict();

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (match) => `\\${match}`)}%`;

/**
 * The E.164 a search looks like ("020 7946 0958" with GB, "+44 20 7946 0958"), so both find the
 * stored number; null when the query isn't a whole phone number (a name, a few digits).
 */
function phoneQuery(q: string, defaultCountry: CountryCode | null): string | null {
  if (!/^[+\d\s().-]+$/.test(q) || q.replace(/\D/g, "").length < 6) return null;
  return normalizePhone(q, { defaultRegion: defaultCountry ?? undefined });
}

/**
 * Trigrams need 3 characters: shorter queries can't use the search indexes. They match contact
 * names and numbers only, not message text: one or two letters are in nearly every message, and
 * a rare pair would read every message of the workspace to find none (~1 s at 1M messages).
 */
const trigramLength = 3;

/** The search's tests of one chat, row by row: its contact's name and number, its messages' text. */
function chatSearchTerms(q: string, phone: string | null, seesNumbers: boolean): { onChats: SQL | undefined; pattern: string } {
  const pattern = likePattern(q);
  // Without contacts.view_numbers only the whole number matches: a few digits that match (or
  // not) would spell the masked number out one guess at a time.
  const digitsPattern = seesNumbers ? likePattern(q.replace(/[\s()-]/g, "")) : null;
  const onChats = or(
    phone ? eq(chats.contactPhone, phone) : undefined,
    sql`${chats.contactName} ilike ${pattern}`,
    digitsPattern ? sql`${chats.contactPhone} like ${digitsPattern}` : undefined,
  );
  return { onChats, pattern };
}

/** Whether one chat (the row at hand) matches the search: evaluated chat by chat. */
function chatSearchRowByRow(q: string, phone: string | null, seesNumbers: boolean): SQL {
  const { onChats, pattern } = chatSearchTerms(q, phone, seesNumbers);
  if (q.length < trigramLength) return onChats as SQL;
  return or(
    onChats,
    sql`exists (select 1 from ${messages} where ${messages.workspaceId} = ${chats.workspaceId} and ${messages.chatId} = ${chats.id} and ${messages.text} ilike ${pattern})`,
  ) as SQL;
}

/**
 * chatSearchRowByRow for a walk in the list's order: the messages' test as a scalar subquery, which
 * PostgreSQL runs chat by chat through messages_chat_idx. (As EXISTS, the planner may turn it into
 * one hashed pass over every matching message of the workspace: the very cost the walk avoids.)
 */
function chatSearchPerChat(q: string, phone: string | null, seesNumbers: boolean): SQL {
  const { onChats, pattern } = chatSearchTerms(q, phone, seesNumbers);
  if (q.length < trigramLength) return onChats as SQL;
  return or(
    onChats,
    sql`coalesce((select true from ${messages} where ${messages.workspaceId} = ${chats.workspaceId} and ${messages.chatId} = ${chats.id} and ${messages.text} ilike ${pattern} limit 1), false)`,
  ) as SQL;
}

/**
 * The search part of a chat list's where-clause. From 3 characters on, the chats that match are
 * collected first through the trigram indexes (contact name and phone on chats, text on
 * messages, each filtered by workspace after the match) and the list keeps its scope, filters,
 * order and keyset around them; 1–2 characters can't use trigrams and are matched row by row
 * (names and numbers only).
 */
function chatSearch(workspaceId: string, q: string, phone: string | null, seesNumbers: boolean): SQL {
  if (q.length < trigramLength) return chatSearchRowByRow(q, phone, seesNumbers);
  const { onChats, pattern } = chatSearchTerms(q, phone, seesNumbers);
  return sql`${chats.id} in (select ${chats.id} from ${chats} where ${chats.workspaceId} = ${workspaceId} and (${onChats})
    union select ${messages.chatId} from ${messages} where ${messages.workspaceId} = ${workspaceId} and ${messages.text} ilike ${pattern})`;
}

/**
 * The E.164 a chat is started with: a typed number (contacts.view_numbers, since the answer and
 * the chat would confirm it) or a CRM record's phoneRef, readable only by the member it was given to.
 */
async function startingNumber({ actor, services }: { actor: Principal; services: Services }, body: { phone?: string; phoneRef?: string }): Promise<string> {
  if (body.phoneRef !== undefined) {
    const phone = readPhoneRef(phoneRefKey(services.config.encryptionKey), actor, body.phoneRef);
    const problem = "The phone reference is not yours, has expired or was altered: open the CRM record again.";
    if (!phone) throw invalidRequest(problem, [{ path: "body.phoneRef", message: problem }]);
    return phone;
  }
  requirePermission(actor, "contacts.view_numbers");
  const typed = readTypedPhone(body.phone ?? "", await workspaceDefaultCountry(services.database.db, actor.workspaceId));
  if ("problem" in typed) throw invalidRequest(typed.problem, [{ path: "body.phone", message: typed.problem }]);
  return typed.phone;
}

/** The where-clause of a chat list: the caller's scope first, then the filters they asked for. */
export function chatListWhere(actor: Principal, filters: z.infer<typeof ChatFilters>, defaultCountry: CountryCode | null = null): SQL {
  return and(scope(actor, "chats.view"), chatFilterWhere(actor, filters, defaultCountry)) as SQL;
}

/** The filters a chat list asked for (without the scope). */
function chatFilterWhere(actor: Principal, filters: z.infer<typeof ChatFilters>, defaultCountry: CountryCode | null): SQL | undefined {
  const phone = filters.q ? phoneQuery(filters.q, defaultCountry) : null;
  const search = filters.q ? chatSearch(actor.workspaceId, filters.q, phone, maySeeNumbers(actor)) : undefined;
  return and(chatFieldFilters(filters), search);
}

/** The filters on the chat's own columns (account, responsible): all but the search. */
function chatFieldFilters(filters: z.infer<typeof ChatFilters>): SQL | undefined {
  return and(
    filters.accountId ? eq(chats.accountId, filters.accountId) : undefined,
    filters.responsibleId ? eq(chats.responsibleId, filters.responsibleId) : undefined,
    filters.unassigned === "true" ? isNull(chats.responsibleId) : undefined,
  );
}

/**
 * How many chats of each arm a search first walks in the list's order, testing each, before it also
 * reads the indexed way. Measured at 100k chats (test/bench/search.ts): a walked chat costs ~65 µs
 * (PostgreSQL; ~80 µs PGlite) when it doesn't match (its ~10 messages through messages_chat_idx),
 * so a rare word pays ~20 ms of walk for 300, and a name in 1 chat in 20 (found by the indexes in
 * ~40–60 ms) pays it on top; a word in 1 chat in 6 fills a page within 300, where collecting every
 * matching message through the trigram index grows with the matches (`invoice`, in 3 chats in 4:
 * ~400 ms). 1–2 characters can't use trigrams and test only names and numbers (cheap: no messages
 * read); their other way is row by row over the whole scope's chats, so they walk further first.
 */
export const searchWalkBounds = { indexed: 300, short: 2000 };

/**
 * One page of a chat list's ids, newest activity first, when the caller's scope has several arms
 * (scopeArms: `own` is "an account I connected" or "I am responsible", plus per-number overrides)
 * or searches: each arm's first `limit` chats past the cursor through its own ordered index scan,
 * concatenated (UNION ALL) — the page is among them — then ordered, deduplicated and cut by the
 * outer query. The time a page takes then follows the page, not the workspace. Null with one arm
 * (`all`) and no search.
 *
 * A search (`q`) walks each arm's first `walkBound` chats in order and tests each one (name,
 * number, messages); the matches it finds are a prefix of the arm's matches, so `limit` of them
 * are the arm's page, and so are all of them when the arm has fewer than `walkBound` chats.
 * Otherwise the arm's page is also read the indexed way (chatSearch) and the outer query
 * deduplicates: the same rows, whichever way.
 */
export function chatListCandidates(
  db: Executor,
  actor: Principal,
  filters: z.infer<typeof ChatFilters>,
  defaultCountry: CountryCode | null,
  after: (string | number)[] | null,
  limit: number,
  walkBound?: number,
): SQL | null {
  const arms: ScopeArm[] | null = scopeArms(actor, "chats.view") ?? (filters.q ? [{ where: scope(actor, "chats.view") }] : null);
  if (!arms) return null;
  const filterWhere = chatFilterWhere(actor, filters, defaultCountry);
  const keyset = afterKeyset(chats.lastMessageAt, chats.id, after, "desc");
  const indexedPage = (where: SQL | undefined) =>
    db
      .select({ id: chats.id })
      .from(chats)
      .where(and(where, filterWhere, keyset))
      .orderBy(desc(chats.lastMessageAt), desc(chats.id))
      .limit(limit);
  const q = filters.q;
  const match = q ? chatSearchPerChat(q, phoneQuery(q, defaultCountry), maySeeNumbers(actor)) : null;
  const bound = walkBound ?? (q && q.length < trigramLength ? searchWalkBounds.short : searchWalkBounds.indexed);
  const armPage = (where: SQL | undefined): SQL => {
    if (!match) return sql`${indexedPage(where)}`;
    const walk = db
      .select({ id: chats.id, hit: sql<boolean>`(${match})`.as("search_hit") })
      .from(chats)
      .where(and(where, chatFieldFilters(filters), keyset))
      .orderBy(desc(chats.lastMessageAt), desc(chats.id))
      .limit(bound);
    // The walk is read lazily: `hits` stops once it has `limit`; the indexed page is read (its
    // one-time filter) only when the walk was cut at walkBound before it found them.
    return sql`with search_walk as materialized (${walk}),
      search_hits as materialized (select search_walk.id from search_walk where search_walk.search_hit limit ${limit})
      select search_hits.id from search_hits
      union all
      select indexed.id from (${indexedPage(where)}) as indexed
        where (select count(*) from search_hits) < ${limit} and (select count(*) from search_walk) >= ${bound}`;
  };
  // An arm read through accounts ("accounts I connected", granted accounts) walks each account's
  // range of chats_account_activity_idx: as a plain IN the planner may scan the whole workspace.
  const selects = arms.map(({ where, driver }) =>
    driver
      ? sql`(select arm_page.id from (${driver.keys}) as arm_keys(key) cross join lateral (${armPage(and(where, sql`${driver.column} = arm_keys.key`))}) as arm_page)`
      : sql`(${armPage(where)})`,
  );
  return sql`${chats.id} = any(array(${sql.join(selects, sql` union all `)}))`;
}

export const chatRoutes = [
  route({
    method: "get",
    path: "/chats",
    summary: "The chats the caller may see, newest activity first",
    tag: "Chats",
    access: requires("chats.view"),
    query: ChatFilters,
    responses: { 200: "{data: [chat], nextCursor}" },
    async handler({ actor, query, db }) {
      const after = decodeCursor(query.cursor, 2);
      const defaultCountry = query.q ? await workspaceDefaultCountry(db, actor.workspaceId) : null;
      // Each chat with the caller's unread count, counted in the same query, within their scope.
      // A scope of several arms: the page's candidates first, each arm through its own index (the
      // candidates already meet the scope, filters and cursor, so the outer query only orders and cuts).
      const candidates = chatListCandidates(db, actor, query, defaultCountry, after, query.limit + 1);
      const where = candidates
        ? and(eq(chats.workspaceId, actor.workspaceId), candidates)
        : and(chatListWhere(actor, query, defaultCountry), afterKeyset(chats.lastMessageAt, chats.id, after, "desc"));
      const rows = (await chatsWithReadState(db, actor)
        .where(where)
        .orderBy(desc(chats.lastMessageAt), desc(chats.id))
        .limit(query.limit + 1)) as ChatRowWithReadState[];
      return {
        status: 200,
        body: page(
          rows,
          query.limit,
          (row) => [row.lastMessageAtText, row.id],
          (row) => presentChat(row, actor),
        ),
      };
    },
  }),
  route({
    method: "get",
    path: "/chats/:id",
    summary: "One chat (404 when the caller may not see it)",
    tag: "Chats",
    access: requires("chats.view"),
    params: IdParam,
    responses: { 200: "The chat with its abilities" },
    async handler({ actor, params, db }) {
      const chat = await loadVisibleChatWithReadState(db, actor, params.id);
      if (!chat) throw notFound("chat");
      return { status: 200, body: presentChat(chat, actor) };
    },
  }),
  route({
    method: "post",
    path: "/chats",
    summary: "Start a chat from an account the caller may start chats from",
    tag: "Chats",
    access: requires("chats.start"),
    body: StartChat,
    idempotent: true,
    ownTransactions: true,
    responses: {
      201: "{chat, message}",
      400: "Neither or both of phone and phoneRef; a phoneRef that is not the caller's, expired or altered",
      403: "chats.start does not cover this account; a typed phone without contacts.view_numbers (start from a CRM record's phoneRef or an existing chat)",
      422: "Outside the 24-hour window: use a template",
    },
    async handler(context) {
      const { actor, body, services, audit } = context;
      const db = services.database.db;
      const account = await loadVisibleAccount(db, actor, body.accountId);
      authorize(actor, "chats.start", { workspaceId: account.workspaceId, id: account.id, connectedBy: account.connectedBy });
      const phone = await startingNumber(context, body);
      // Refuse (disconnected account, text outside the window) before creating anything, so a
      // refused start leaves no empty chat, contact or chat.start entry behind.
      const [known] = await db
        .select({ windowOpenUntil: chats.windowOpenUntil, responsibleId: chats.responsibleId, responsibleName })
        .from(chats)
        .innerJoin(contacts, and(eq(contacts.workspaceId, chats.workspaceId), eq(contacts.id, chats.contactId)))
        .where(and(eq(chats.workspaceId, actor.workspaceId), eq(chats.accountId, account.id), eq(contacts.phone, phone)));
      // A number that already has a chat on the account: the message goes into it, so the ownership lock applies.
      if (known) authorizeUnderLock(actor, { workspaceId: actor.workspaceId, ...known, account: { id: account.id, connectedBy: account.connectedBy } });
      assertMayUseContent(actor, contentOf(body));
      assertCanSend(account, known ?? null, contentOf(body));
      const chatId = await db.transaction(async (tx) => {
        const contact = await findOrCreateContact(tx, actor.workspaceId, { phone });
        const chat = await findOrCreateChat(tx, actor.workspaceId, account.id, contact);
        await audit({ action: "chat.start", targetType: "chat", targetId: chat.id, details: { accountId: account.id, phone } }, tx);
        return chat.id;
      });
      const [chat] = (await chatsWithAccount(db).where(and(eq(chats.workspaceId, actor.workspaceId), eq(chats.id, chatId)))) as ChatRow[];
      if (!chat) throw new Error("started chat vanished");
      const message = await sendToChat(context, account, chat, contentOf(body));
      const [current] = (await chatsWithAccount(db).where(and(eq(chats.workspaceId, actor.workspaceId), eq(chats.id, chatId)))) as ChatRow[];
      return { status: 201, body: { chat: presentChat(current ?? chat, actor), message: presentMessage(message, {}, actor) } };
    },
  }),
  route({
    method: "get",
    path: "/chats/:id/messages",
    summary: "A chat's message history, newest first",
    tag: "Chats",
    access: requires("chats.view"),
    params: IdParam,
    query: ListQuery,
    responses: { 200: "{data: [{id, direction, text, status, authorId, createdAt}], nextCursor}" },
    async handler({ actor, params, query, db, services }) {
      const chat = await loadVisibleChat(db, actor, params.id);
      const after = decodeCursor(query.cursor, 2);
      const rows = await db
        .select({ message: messages, cursorAt: timestampText(messages.createdAt) })
        .from(messages)
        .where(
          and(
            eq(messages.workspaceId, actor.workspaceId),
            eq(messages.chatId, chat.id),
            isNull(messages.deletedAt),
            afterKeyset(messages.createdAt, messages.id, after, "desc"),
          ),
        )
        .orderBy(desc(messages.createdAt), desc(messages.id))
        .limit(query.limit + 1);
      // The page's files in one query, with links signed for this member (the chat is theirs to see).
      const media = await presentedMediaOf(
        db,
        services.config.mediaLinkKey,
        actor.workspaceId,
        rows.map((row) => row.message.id),
      );
      // Quoted messages and reactions for the page, in two more statements.
      const relations = await conversationRelationsOf(
        db,
        rows.map((row) => row.message),
      );
      return {
        status: 200,
        body: page(
          rows,
          query.limit,
          (row) => [row.cursorAt, row.message.id],
          (row) => presentMessage(row.message, { ...relations.get(row.message.id), media: media.get(row.message.id) }, actor),
        ),
      };
    },
  }),
  route({
    method: "post",
    path: "/chats/:id/messages",
    summary: "Reply in a chat",
    tag: "Chats",
    access: requires("chats.reply"),
    params: IdParam,
    body: Reply,
    idempotent: true,
    ownTransactions: true,
    responses: { 201: "{message}", 409: "The account is disconnected", 422: "Outside the 24-hour window: use a template" },
    async handler(context) {
      const { actor, params, body, services } = context;
      const db = services.database.db;
      const chat = await loadVisibleChat(db, actor, params.id);
      authorize(actor, "chats.reply", chatRecord(chat));
      const account = await loadVisibleAccount(db, actor, chat.accountId);
      const quoted = body.replyToMessageId ? await loadQuotable(db, actor.workspaceId, chat.id, body.replyToMessageId) : undefined;
      const message = await sendToChat(context, account, chat, contentOf(body), quoted);
      return { status: 201, body: { message: presentMessage(message, (await conversationRelationsOf(db, [message])).get(message.id) ?? {}, actor) } };
    },
  }),
  route({
    method: "put",
    path: "/chats/:id/responsible",
    summary: "Set or clear the chat's one responsible member",
    tag: "Chats",
    access: requires("chats.assign"),
    params: IdParam,
    body: SetResponsible,
    responses: { 200: "{chat}", 400: "Not an active member of the workspace" },
    async handler({ actor, params, body, db, audit }) {
      const chat = await loadVisibleChat(db, actor, params.id);
      authorize(actor, "chats.assign", chatRecord(chat));
      if (body.memberId) {
        const [member] = await db
          .select({ status: members.status })
          .from(members)
          .where(and(eq(members.workspaceId, actor.workspaceId), eq(members.id, body.memberId)));
        if (member?.status !== "active")
          throw invalidRequest("The responsible must be an active member of the workspace.", [{ path: "body.memberId", message: "not an active member" }]);
      }
      await db
        .update(chats)
        .set({ responsibleId: body.memberId })
        .where(and(eq(chats.workspaceId, actor.workspaceId), eq(chats.id, chat.id)));
      // A new responsible answers the chat's open take-over requests.
      if (body.memberId !== chat.responsibleId) await closeTakeOverRequests(db, actor.workspaceId, chat.id);
      const updated: ChatRow = { ...chat, responsibleId: body.memberId };
      const assigned = body.memberId !== null;
      await audit({
        action: assigned ? "chat.assign" : "chat.unassign",
        targetType: "chat",
        targetId: chat.id,
        details: { before: { responsibleId: chat.responsibleId }, after: { responsibleId: body.memberId } },
      });
      await emitInboxEvent(
        db,
        {
          type: assigned ? "chat.assigned" : "chat.unassigned",
          workspaceId: actor.workspaceId,
          chatId: chat.id,
          ...(chat.responsibleId && chat.responsibleId !== body.memberId ? { previousResponsibleId: chat.responsibleId } : {}),
        },
        { chat: presentChat(updated, "outbox"), byMemberId: actor.memberId },
      );
      const visible = can(actor, "chats.view", chatRecord(updated));
      return { status: 200, body: { chat: presentChat(updated, actor, { abilities: visible }) } };
    },
  }),
];
