import { and, eq, sql } from "drizzle-orm";
import fc from "fast-check";
import type { DatabaseHandle } from "../../../server/db/client";
import { accountAccessOverrides, campaigns, chats, templates, whatsappAccounts } from "../../../server/db/schema";
import { newId } from "../../../server/ids";
import {
  type Actor,
  accountAccessLevels,
  accountScope,
  builtinRoleIds,
  builtinRoles,
  can,
  canSeeAccount,
  completePermissions,
  ownershipLevels,
  type PermissionMap,
  type RecordAction,
  recordActions,
  scope,
  scopeArms,
  scopedLevels,
} from "../../../server/permissions";
import { loadAccountOverrides } from "../../../server/whatsapp/access-overrides";
import { openTestDatabase } from "../../support/database";
import { insertAccountDirectly, insertChatDirectly, insertMemberDirectly, insertRoleDirectly, insertWorkspaceDirectly } from "../../support/factories";

let database: DatabaseHandle;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

const customPermissions = fc.record({
  "chats.view": fc.constantFrom(...scopedLevels),
  "chats.reply": fc.constantFrom(...scopedLevels),
  "chats.start": fc.constantFrom(...ownershipLevels),
  "chats.assign": fc.constantFrom(...ownershipLevels),
  "campaigns.send": fc.constantFrom(...ownershipLevels),
  "campaigns.reports": fc.constantFrom(...ownershipLevels),
  "templates.use": fc.constantFrom(...ownershipLevels),
  "chats.take_over": fc.constantFrom(...ownershipLevels),
});
const roleChoice = fc.oneof<fc.Arbitrary<{ builtin: (typeof builtinRoleIds)[number] } | { custom: Partial<PermissionMap> }>[]>(
  fc.constantFrom(...builtinRoleIds).map((roleId) => ({ builtin: roleId })),
  customPermissions.map((permissions) => ({ custom: permissions })),
  fc.record({ "chats.view": fc.constantFrom(...scopedLevels), "team.manage": fc.boolean() }).map((permissions) => ({ custom: permissions })),
);
const workspaceShape = fc.record({
  ownershipLock: fc.boolean(),
  members: fc.array(fc.record({ role: roleChoice, suspended: fc.boolean() }), { minLength: 1, maxLength: 6 }),
  accounts: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
  chats: fc.array(fc.record({ account: fc.nat(), responsible: fc.option(fc.nat(), { nil: null }) }), { maxLength: 14 }),
  owned: fc.array(fc.nat(), { maxLength: 6 }),
  // Per-number overrides for a member or for a member's role; the loader resolves member-beats-role.
  overrides: fc.array(fc.record({ member: fc.nat(), onRole: fc.boolean(), account: fc.nat(), access: fc.constantFrom(...accountAccessLevels) }), {
    maxLength: 6,
  }),
});

const actions = Object.keys(recordActions) as RecordAction[];

describe("can() and scope() agree", () => {
  it("for every member × record × action of random workspaces", async () => {
    await fc.assert(
      fc.asyncProperty(workspaceShape, async (shape) => {
        const db = database.db;
        const workspace = await insertWorkspaceDirectly(db);
        const actors: Actor[] = [];
        for (const member of shape.members) {
          let permissions: PermissionMap;
          let roleId: string;
          if ("builtin" in member.role) {
            roleId = member.role.builtin;
            permissions = builtinRoles[member.role.builtin].permissions;
          } else {
            roleId = (await insertRoleDirectly(db, workspace, member.role.custom)).id;
            permissions = completePermissions(member.role.custom);
          }
          // A second owner is not allowed; the property is about the rule, so make extra owners admins.
          if (roleId === "owner" && actors.some((actor) => actor.roleId === "owner")) {
            roleId = "admin";
            permissions = builtinRoles.admin.permissions;
          }
          const built = await insertMemberDirectly(db, workspace, { roleId, status: member.suspended ? "suspended" : "active" });
          actors.push({
            workspaceId: workspace.id,
            memberId: built.id,
            roleId,
            roleName: roleId,
            status: member.suspended ? "suspended" : "active",
            permissions,
            ownershipLock: shape.ownershipLock,
          });
        }
        const accounts = [];
        for (const owner of shape.accounts) {
          accounts.push(await insertAccountDirectly(db, workspace, actors[owner % actors.length]?.memberId as string));
        }
        for (const override of shape.overrides) {
          const subject = actors[override.member % actors.length] as Actor;
          const account = accounts[override.account % accounts.length] as { id: string };
          await db
            .insert(accountAccessOverrides)
            .values({
              workspaceId: workspace.id,
              accountId: account.id,
              subjectType: override.onRole ? "role" : "member",
              subjectId: override.onRole ? subject.roleId : subject.memberId,
              access: override.access,
              setBy: subject.memberId,
            })
            .onConflictDoNothing();
        }
        for (const actor of actors) actor.accountOverrides = await loadAccountOverrides(db, workspace.id, actor.memberId, actor.roleId);
        const builtChats: { id: string; accountId: string; responsibleId: string | null; account: { id: string; connectedBy: string } }[] = [];
        for (const chat of shape.chats) {
          const account = accounts[chat.account % accounts.length] as { id: string; connectedBy: string };
          const responsibleId = chat.responsible === null ? null : (actors[chat.responsible % actors.length]?.memberId ?? null);
          builtChats.push({ ...(await insertChatDirectly(db, workspace, account, { responsibleId })), account });
        }
        const ownedRecords: { id: string; ownerId: string }[] = [];
        for (const owner of shape.owned) {
          const ownerId = actors[owner % actors.length]?.memberId as string;
          const id = newId("own");
          await db.insert(templates).values({ workspaceId: workspace.id, id, ownerId, name: id, body: "Hi {{name}}" });
          await db
            .insert(campaigns)
            .values({ workspaceId: workspace.id, id, accountId: "wa_x", templateId: id, createdBy: ownerId, name: id, status: "completed", recipientCount: 0 });
          ownedRecords.push({ id, ownerId });
        }
        for (const actor of actors) {
          const visibleAccounts = await db.select({ id: whatsappAccounts.id }).from(whatsappAccounts).where(accountScope(actor));
          const chatRecord = (chat: (typeof builtChats)[number]) => ({
            workspaceId: workspace.id,
            responsibleId: chat.responsibleId,
            account: { id: chat.accountId, connectedBy: chat.account.connectedBy },
          });
          const predicateAccounts = accounts.filter((account) =>
            canSeeAccount(
              actor,
              { workspaceId: workspace.id, id: account.id, connectedBy: account.connectedBy },
              builtChats.filter((chat) => chat.accountId === account.id).map(chatRecord),
            ),
          );
          expect(visibleAccounts.map((row) => row.id).sort()).toEqual(predicateAccounts.map((account) => account.id).sort());
          for (const action of actions) {
            const resource = recordActions[action].resource;
            if (resource === "chat") {
              const rows = await db
                .select({ id: chats.id })
                .from(chats)
                .where(and(eq(chats.workspaceId, workspace.id), scope(actor, action)));
              const fromSql = rows.map((row) => row.id).sort();
              const fromPredicate = builtChats
                .filter((chat) =>
                  can(actor, action, {
                    workspaceId: workspace.id,
                    responsibleId: chat.responsibleId,
                    account: { id: chat.accountId, connectedBy: chat.account.connectedBy },
                  }),
                )
                .map((chat) => chat.id)
                .sort();
              expect(fromSql).toEqual(fromPredicate);
              // The arms a list takes as a union (issue 14) select, together, the same chats.
              const arms = scopeArms(actor, action);
              if (arms) {
                const fromArms = new Set<string>();
                for (const arm of arms) {
                  for (const row of await db
                    .select({ id: chats.id })
                    .from(chats)
                    .where(and(eq(chats.workspaceId, workspace.id), arm.where, arm.driver ? sql`${arm.driver.column} in (${arm.driver.keys})` : undefined)))
                    fromArms.add(row.id);
                }
                expect([...fromArms].sort()).toEqual(fromPredicate);
              }
            } else if (resource === "template" || resource === "campaign") {
              const table = resource === "template" ? templates : campaigns;
              const rows = await db
                .select({ id: table.id })
                .from(table)
                .where(and(eq(table.workspaceId, workspace.id), scope(actor, action)));
              const fromPredicate = ownedRecords
                .filter((record) => can(actor, action, { workspaceId: workspace.id, ownerId: record.ownerId }))
                .map((record) => record.id);
              expect(rows.map((row) => row.id).sort()).toEqual(fromPredicate.sort());
            } else {
              const rows = await db
                .select({ id: whatsappAccounts.id })
                .from(whatsappAccounts)
                .where(and(eq(whatsappAccounts.workspaceId, workspace.id), scope(actor, action)));
              const fromPredicate = accounts
                .filter((account) => can(actor, action, { workspaceId: workspace.id, id: account.id, connectedBy: account.connectedBy }))
                .map((account) => account.id)
                .sort();
              expect(rows.map((row) => row.id).sort()).toEqual(fromPredicate);
            }
          }
        }
      }),
      { numRuns: 40 },
    );
    // 40 random workspaces, each written and queried per member and action: minutes on a loaded machine.
  }, 180_000);

  it("never lets a member's scope reach into another workspace", async () => {
    const db = database.db;
    const mine = await insertWorkspaceDirectly(db);
    const theirs = await insertWorkspaceDirectly(db);
    const owner = await insertMemberDirectly(db, mine, { roleId: "owner" });
    const stranger = await insertMemberDirectly(db, theirs, { roleId: "owner" });
    const theirAccount = await insertAccountDirectly(db, theirs, stranger.id);
    // The database itself refuses a responsible from another workspace (composite foreign key).
    await expect(insertChatDirectly(db, theirs, theirAccount, { responsibleId: owner.id })).rejects.toThrow();
    const theirChat = await insertChatDirectly(db, theirs, theirAccount, { responsibleId: stranger.id });
    const actor: Actor = {
      workspaceId: mine.id,
      memberId: owner.id,
      roleId: "owner",
      roleName: "Owner",
      status: "active",
      permissions: builtinRoles.owner.permissions,
      ownershipLock: true,
    };
    const visible = await db.select({ id: chats.id }).from(chats).where(scope(actor, "chats.view"));
    expect(visible.map((row) => row.id)).not.toContain(theirChat.id);
    expect(can(actor, "chats.view", { workspaceId: theirs.id, responsibleId: owner.id, account: { id: theirAccount.id, connectedBy: stranger.id } })).toBe(
      false,
    );
  });
});
