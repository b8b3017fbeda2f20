import { and, desc, eq, type SQL } from "drizzle-orm";
import fc from "fast-check";
import type { DatabaseHandle } from "../../../server/db/client";
import { accountAccessOverrides, chats, messages } from "../../../server/db/schema";
import { afterKeyset } from "../../../server/http/schemas";
import type { Principal } from "../../../server/identity/tokens";
import { newId } from "../../../server/ids";
import { type ChatRow, chatsWithAccount } from "../../../server/inbox/queries";
import { chatListCandidates, chatListWhere } from "../../../server/inbox/routes";
import { accountAccessLevels, completePermissions, scopeArms, scopedLevels } from "../../../server/permissions";
import { loadAccountOverrides } from "../../../server/whatsapp/access-overrides";
import { openTestDatabase } from "../../support/database";
import { insertAccountDirectly, insertChatDirectly, insertMemberDirectly, insertRoleDirectly, insertWorkspaceDirectly } from "../../support/factories";

// Issue 14: GET /chats takes a scope of several arms (`own`, overrides) as a UNION ALL of per-arm
// ordered scans. It must list the same chats in the same order as the plain where-clause, for every
// member, filter and cursor: both shapes walk every page of random workspaces here.

let database: DatabaseHandle;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

const names = ["Ana Lima", "Bob", "Anabel", null] as const;
// A message of the chat: the search also matches its text ("Ana", "Bo").
const texts = ["ask Ana", "Bob here", "nothing", "a bonus"] as const;
const filterChoice = fc.constantFrom("none", "account", "responsible", "unassigned", "assigned-false", "search-long", "search-short");
const workspaceShape = fc.record({
  members: fc.array(fc.record({ view: fc.constantFrom(...scopedLevels), numbers: fc.boolean() }), { minLength: 1, maxLength: 4 }),
  accounts: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
  // Few distinct times, so pages break inside runs of equal last_message_at (the id decides).
  chats: fc.array(
    fc.record({
      account: fc.nat(),
      responsible: fc.option(fc.nat(), { nil: null }),
      at: fc.nat(4),
      name: fc.nat(3),
      text: fc.option(fc.nat(3), { nil: null }),
    }),
    {
      maxLength: 16,
    },
  ),
  overrides: fc.array(fc.record({ member: fc.nat(), account: fc.nat(), access: fc.constantFrom(...accountAccessLevels) }), { maxLength: 3 }),
  filter: filterChoice,
  pick: fc.nat(),
  limit: fc.integer({ min: 1, max: 4 }),
  // A search first walks this many chats of each arm in order, then falls back on its indexes:
  // small bounds make both happen within one walk of the pages.
  walkBound: fc.constantFrom(1, 2, 3, 5, 500),
});

type Filters = Parameters<typeof chatListWhere>[1];

describe("the chat list's union of arms", () => {
  it("lists the same chats in the same order as the plain scope, page by page", async () => {
    let armed = 0;
    await fc.assert(
      fc.asyncProperty(workspaceShape, async (shape) => {
        const db = database.db;
        const workspace = await insertWorkspaceDirectly(db);
        const actors: Principal[] = [];
        for (const member of shape.members) {
          const granted = { "chats.view": member.view, "contacts.view_numbers": member.numbers };
          const role = await insertRoleDirectly(db, workspace, granted);
          const built = await insertMemberDirectly(db, workspace, { roleId: role.id });
          actors.push({
            workspaceId: workspace.id,
            memberId: built.id,
            roleId: role.id,
            roleName: "Custom",
            status: "active",
            permissions: completePermissions(granted),
            ownershipLock: false,
          } as Principal);
        }
        const accounts = [];
        for (const owner of shape.accounts) accounts.push(await insertAccountDirectly(db, workspace, (actors[owner % actors.length] as Principal).memberId));
        for (const override of shape.overrides) {
          const subject = actors[override.member % actors.length] as Principal;
          await db
            .insert(accountAccessOverrides)
            .values({
              workspaceId: workspace.id,
              accountId: (accounts[override.account % accounts.length] as { id: string }).id,
              subjectType: "member",
              subjectId: subject.memberId,
              access: override.access,
              setBy: subject.memberId,
            })
            .onConflictDoNothing();
        }
        for (const actor of actors) actor.accountOverrides = await loadAccountOverrides(db, workspace.id, actor.memberId, actor.roleId);
        for (const chat of shape.chats) {
          const account = accounts[chat.account % accounts.length] as { id: string };
          const responsibleId = chat.responsible === null ? null : (actors[chat.responsible % actors.length]?.memberId ?? null);
          const built = await insertChatDirectly(db, workspace, account, { responsibleId, name: names[chat.name] ?? undefined });
          await db
            .update(chats)
            .set({ lastMessageAt: new Date(Date.UTC(2026, 0, 1, 0, chat.at)) })
            .where(and(eq(chats.workspaceId, workspace.id), eq(chats.id, built.id)));
          if (chat.text !== null) {
            await db.insert(messages).values({
              workspaceId: workspace.id,
              id: newId("msg"),
              chatId: built.id,
              direction: "in",
              text: texts[chat.text] ?? "",
              status: "received",
            });
          }
        }
        const someAccount = accounts[shape.pick % accounts.length] as { id: string };
        const someMember = actors[shape.pick % actors.length] as Principal;
        const filters: Filters = {
          limit: shape.limit,
          ...(shape.filter === "account" ? { accountId: someAccount.id } : {}),
          ...(shape.filter === "responsible" ? { responsibleId: someMember.memberId } : {}),
          ...(shape.filter === "unassigned" ? { unassigned: "true" as const } : {}),
          ...(shape.filter === "assigned-false" ? { unassigned: "false" as const } : {}),
          ...(shape.filter === "search-long" ? { q: "Ana" } : {}),
          ...(shape.filter === "search-short" ? { q: "Bo" } : {}),
        } as Filters;
        for (const actor of actors) {
          if (scopeArms(actor, "chats.view")) armed++;
          const walk = async (shapeOf: "plain" | "arms") => {
            const pages: string[][] = [];
            let after: string[] | null = null;
            for (;;) {
              const candidates: SQL | null = shapeOf === "arms" ? chatListCandidates(db, actor, filters, null, after, shape.limit + 1, shape.walkBound) : null;
              const where: SQL | undefined = candidates
                ? and(eq(chats.workspaceId, workspace.id), candidates)
                : and(chatListWhere(actor, filters, null), afterKeyset(chats.lastMessageAt, chats.id, after, "desc"));
              const rows: ChatRow[] = (await chatsWithAccount(db)
                .where(where)
                .orderBy(desc(chats.lastMessageAt), desc(chats.id))
                .limit(shape.limit + 1)) as ChatRow[];
              const page = rows.slice(0, shape.limit);
              pages.push(page.map((row) => row.id));
              const last = page.at(-1);
              if (rows.length <= shape.limit || !last) return pages;
              after = [last.lastMessageAtText, last.id];
            }
          };
          expect(await walk("arms")).toEqual(await walk("plain"));
        }
      }),
      { numRuns: 60 },
    );
    // The property must have exercised the union, not only the plain path.
    expect(armed).toBeGreaterThan(0);
  }, 180_000);
});
