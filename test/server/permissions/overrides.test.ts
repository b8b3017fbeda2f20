import { and, eq } from "drizzle-orm";
import type { DatabaseHandle } from "../../../server/db/client";
import { chats, whatsappAccounts } from "../../../server/db/schema";
import {
  type AccountAccess,
  type Actor,
  accountScope,
  type BuiltinRoleId,
  builtinRoles,
  can,
  canSeeAccount,
  explain,
  explainAllowed,
  holds,
  type RecordAction,
  scope,
} from "../../../server/permissions";
import { openTestDatabase } from "../../support/database";
import { insertAccountDirectly, insertChatDirectly, insertMemberDirectly, insertWorkspaceDirectly } from "../../support/factories";

// Per-number overrides as a table, role × access × action on a chat of the overridden line (held by
// someone else, on a line someone else connected) → allowed, asked of the predicate and of the SQL
// scope alike; a second line without an override keeps the role's answer.

let database: DatabaseHandle;
let workspaceId: string;
let lineOwnerId: string;
let support: { id: string; connectedBy: string };
let sales: { id: string; connectedBy: string };
let supportChat: string;
let salesChat: string;
const members: Partial<Record<BuiltinRoleId, string>> = {};

beforeAll(async () => {
  database = await openTestDatabase();
  const db = database.db;
  const workspace = await insertWorkspaceDirectly(db);
  workspaceId = workspace.id;
  lineOwnerId = (await insertMemberDirectly(db, workspace, { roleId: "owner" })).id;
  for (const roleId of ["admin", "teammate", "agent", "collaborator"] as const) members[roleId] = (await insertMemberDirectly(db, workspace, { roleId })).id;
  support = await insertAccountDirectly(db, workspace, lineOwnerId);
  sales = await insertAccountDirectly(db, workspace, lineOwnerId);
  supportChat = (await insertChatDirectly(db, workspace, support, { responsibleId: lineOwnerId })).id;
  salesChat = (await insertChatDirectly(db, workspace, sales, { responsibleId: lineOwnerId })).id;
});
afterAll(() => database.close());

function actorOf(roleId: Exclude<BuiltinRoleId, "owner">, access: AccountAccess | null, subject: "member" | "role" = "role"): Actor {
  return {
    workspaceId,
    memberId: members[roleId] as string,
    roleId,
    roleName: builtinRoles[roleId].name,
    status: "active",
    permissions: builtinRoles[roleId].permissions,
    ownershipLock: false,
    accountOverrides: access ? [{ accountId: support.id, access, subject, accountLabel: "Support (+44 20 7946 0000)" }] : [],
  };
}
const chatRecord = (account: { id: string; connectedBy: string }) => ({ workspaceId, responsibleId: lineOwnerId, account });

async function sqlAllows(actor: Actor, action: RecordAction, chatId: string): Promise<boolean> {
  const rows = await database.db
    .select({ id: chats.id })
    .from(chats)
    .where(and(eq(chats.id, chatId), scope(actor, action)));
  return rows.length === 1;
}
async function sqlAllowsAccount(actor: Actor, action: RecordAction, accountId: string): Promise<boolean> {
  const rows = await database.db
    .select({ id: whatsappAccounts.id })
    .from(whatsappAccounts)
    .where(and(eq(whatsappAccounts.id, accountId), scope(actor, action)));
  return rows.length === 1;
}

type Row = [Exclude<BuiltinRoleId, "owner">, AccountAccess, { view: boolean; reply: boolean; assign: boolean; start: boolean; campaign: boolean }];
const table: Row[] = [
  ["teammate", "read", { view: true, reply: false, assign: false, start: false, campaign: false }],
  ["teammate", "none", { view: false, reply: false, assign: false, start: false, campaign: false }],
  ["teammate", "full", { view: true, reply: true, assign: true, start: true, campaign: true }],
  ["agent", "read", { view: true, reply: false, assign: false, start: false, campaign: false }],
  ["agent", "full", { view: true, reply: true, assign: true, start: true, campaign: false }],
  ["agent", "none", { view: false, reply: false, assign: false, start: false, campaign: false }],
  ["collaborator", "read", { view: true, reply: false, assign: false, start: false, campaign: false }],
  ["collaborator", "full", { view: true, reply: true, assign: true, start: true, campaign: false }],
  ["admin", "read", { view: true, reply: false, assign: false, start: false, campaign: false }],
  ["admin", "none", { view: false, reply: false, assign: false, start: false, campaign: false }],
];

describe.each(table)("a %s with %s access to Support", (roleId, access, expected) => {
  it("is answered the same by can() and by the SQL scope, on Support; Sales keeps the role's answer", async () => {
    const actor = actorOf(roleId, access);
    const plain = actorOf(roleId, null);
    const onSupport = {
      view: can(actor, "chats.view", chatRecord(support)),
      reply: can(actor, "chats.reply", chatRecord(support)),
      assign: can(actor, "chats.assign", chatRecord(support)),
      start: can(actor, "chats.start", { workspaceId, ...support }),
      campaign: can(actor, "campaigns.send", { workspaceId, ...support }),
    };
    expect(onSupport).toEqual(expected);
    expect({
      view: await sqlAllows(actor, "chats.view", supportChat),
      reply: await sqlAllows(actor, "chats.reply", supportChat),
      assign: await sqlAllows(actor, "chats.assign", supportChat),
      start: await sqlAllowsAccount(actor, "chats.start", support.id),
      campaign: await sqlAllowsAccount(actor, "campaigns.send", support.id),
    }).toEqual(expected);
    for (const action of ["chats.view", "chats.reply", "chats.assign"] as const) {
      expect(can(actor, action, chatRecord(sales))).toBe(can(plain, action, chatRecord(sales)));
      expect(await sqlAllows(actor, action, salesChat)).toBe(can(plain, action, chatRecord(sales)));
    }
  });
});

describe("overrides beyond the table", () => {
  it("explain names a read-only or no-access override, whose it is and the account", () => {
    expect(explain(actorOf("teammate", "read"), "chats.reply", chatRecord(support))).toBe(
      "An override for your role (Teammate) gives you read-only access to the WhatsApp account Support (+44 20 7946 0000), so you may not reply in chats there (chats.reply).",
    );
    expect(explain(actorOf("agent", "none", "member"), "chats.view", chatRecord(support))).toBe(
      "An override for you gives you no access to the WhatsApp account Support (+44 20 7946 0000), so you may not see chats there (chats.view).",
    );
    // Without an override the role's own sentence stays.
    expect(explain(actorOf("collaborator", null), "chats.reply", chatRecord(support))).toBe(
      "Your role (Collaborator) allows you to see chats only for chats you are responsible for.",
    );
  });

  it("a full override lets a Collaborator past the chats.start gate; nothing else does", () => {
    expect(holds(actorOf("collaborator", null), "chats.start")).toBe(false);
    expect(holds(actorOf("collaborator", "read"), "chats.start")).toBe(false);
    expect(holds(actorOf("collaborator", "full"), "chats.start")).toBe(true);
    expect(explainAllowed(actorOf("collaborator", "full"), "chats.start")).toBe(
      "An override allows you to start chats on the WhatsApp account Support (+44 20 7946 0000) (chats.start).",
    );
  });

  it("the account list follows: none hides the line from a Teammate, read shows it to a Collaborator", async () => {
    const listed = async (actor: Actor) =>
      (await database.db.select({ id: whatsappAccounts.id }).from(whatsappAccounts).where(accountScope(actor))).map((row) => row.id);
    expect(await listed(actorOf("teammate", "none"))).toEqual([sales.id]);
    expect(canSeeAccount(actorOf("teammate", "none"), { workspaceId, ...support }, [])).toBe(false);
    expect(await listed(actorOf("collaborator", null))).toEqual([]);
    expect(await listed(actorOf("collaborator", "read"))).toEqual([support.id]);
    expect(canSeeAccount(actorOf("collaborator", "read"), { workspaceId, ...support }, [])).toBe(true);
  });

  it("the Owner is never narrowed, and a suspended member gains nothing from a full override", async () => {
    const owner: Actor = {
      ...actorOf("admin", "none"),
      memberId: lineOwnerId,
      roleId: "owner",
      roleName: "Owner",
      permissions: builtinRoles.owner.permissions,
    };
    expect(can(owner, "chats.reply", chatRecord(support))).toBe(true);
    expect(await sqlAllows(owner, "chats.reply", supportChat)).toBe(true);
    const suspended: Actor = { ...actorOf("collaborator", "full"), status: "suspended" };
    expect(can(suspended, "chats.view", chatRecord(support))).toBe(false);
    expect(await sqlAllows(suspended, "chats.view", supportChat)).toBe(false);
  });
});
