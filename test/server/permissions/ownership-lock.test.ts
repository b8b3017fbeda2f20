import { and, eq } from "drizzle-orm";
import type { DatabaseHandle } from "../../../server/db/client";
import { chats } from "../../../server/db/schema";
import { type Actor, builtinRoles, can, completePermissions, explain, type OwnershipLevel, scope } from "../../../server/permissions";
import { openTestDatabase } from "../../support/database";
import { insertAccountDirectly, insertChatDirectly, insertMemberDirectly, insertWorkspaceDirectly } from "../../support/factories";

// The ownership lock as a table, at the predicate (can) and the SQL (scope) level: a Teammate-like
// member (sees and replies in every chat, assigns any) with each chats.take_over level, against a
// chat that is unassigned, theirs, or held by someone else on a line they did or did not connect.

let database: DatabaseHandle;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

type Relation = "unassigned" | "mine" | "other's, on my line" | "other's, on another line";
const cases: { lock: boolean; takeOver: OwnershipLevel; relation: Relation; allowed: boolean }[] = [
  { lock: false, takeOver: "none", relation: "other's, on another line", allowed: true },
  { lock: true, takeOver: "none", relation: "unassigned", allowed: true },
  { lock: true, takeOver: "none", relation: "mine", allowed: true },
  { lock: true, takeOver: "none", relation: "other's, on my line", allowed: false },
  { lock: true, takeOver: "none", relation: "other's, on another line", allowed: false },
  { lock: true, takeOver: "own", relation: "other's, on my line", allowed: true },
  { lock: true, takeOver: "own", relation: "other's, on another line", allowed: false },
  { lock: true, takeOver: "all", relation: "other's, on another line", allowed: true },
];

describe.each(cases)("lock $lock, chats.take_over $takeOver, a chat $relation", ({ lock, takeOver, relation, allowed }) => {
  it(`reply and assign ${allowed ? "allowed" : "refused"} alike by can() and scope(); viewing is never locked`, async () => {
    const db = database.db;
    const workspace = await insertWorkspaceDirectly(db);
    const me = await insertMemberDirectly(db, workspace, { roleId: "teammate", name: "Ben Baker" });
    const ana = await insertMemberDirectly(db, workspace, { roleId: "teammate", name: "Ana Lima" });
    const myLine = await insertAccountDirectly(db, workspace, me.id);
    const otherLine = await insertAccountDirectly(db, workspace, ana.id);
    const line = relation === "other's, on my line" || relation === "mine" ? myLine : otherLine;
    const responsibleId = relation === "unassigned" ? null : relation === "mine" ? me.id : ana.id;
    const chat = await insertChatDirectly(db, workspace, line, { responsibleId });
    const actor: Actor = {
      workspaceId: workspace.id,
      memberId: me.id,
      roleId: "custom",
      roleName: "Shift",
      status: "active",
      permissions: completePermissions({ ...builtinRoles.teammate.permissions, "chats.take_over": takeOver }),
      ownershipLock: lock,
    };
    const record = { workspaceId: workspace.id, responsibleId, account: { id: line.id, connectedBy: line.connectedBy }, responsibleName: "Ana Lima" };
    for (const action of ["chats.reply", "chats.assign"] as const) {
      expect(can(actor, action, record)).toBe(allowed);
      const rows = await db
        .select({ id: chats.id })
        .from(chats)
        .where(and(eq(chats.id, chat.id), scope(actor, action)));
      expect(rows.length === 1).toBe(allowed);
    }
    expect(can(actor, "chats.view", record)).toBe(true);
    if (!allowed)
      expect(explain(actor, "chats.reply", record)).toBe("Ana Lima holds this chat; the ownership lock lets only members with chats.take_over reply in it.");
  });
});
