import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Executor } from "../../server/db/client";
import {
  campaignRecipients,
  type campaignStatuses,
  campaigns,
  chats,
  contacts,
  messages,
  roles,
  templates,
  users,
  whatsappAccounts,
  workspaces,
} from "../../server/db/schema";
import { hashPassword } from "../../server/identity/passwords";
import { issueToken } from "../../server/identity/tokens";
import { newId } from "../../server/ids";
import type { PermissionMap } from "../../server/permissions";
import { addMember } from "../../server/team/membership";
import { windowClosesAt } from "../../server/whatsapp/customer-service-window";
import { testPasswordCost } from "./server";

export const testPassword = "correct horse battery";
let passwordHashOnce: Promise<string> | undefined;
const unique = () => randomBytes(4).toString("hex");

export type BuiltWorkspace = { id: string; name: string; joinCode: string };
export type BuiltMember = { id: string; workspaceId: string; email: string; roleId: string; token: string };

/** A workspace with no members yet (use insertMemberDirectly({ roleId: 'owner' }) for its Owner). */
export async function insertWorkspaceDirectly(db: Executor, name = `Workspace ${unique()}`): Promise<BuiltWorkspace> {
  const workspace = { id: newId("ws"), name, joinCode: `join-${unique()}` };
  await db.insert(workspaces).values(workspace);
  return workspace;
}

/** A member with a role and a live session token. */
export async function insertMemberDirectly(
  db: Executor,
  workspace: { id: string },
  options: { roleId?: string; name?: string; email?: string; status?: "active" | "suspended" } = {},
): Promise<BuiltMember> {
  passwordHashOnce ??= hashPassword(testPassword, testPasswordCost);
  const email = options.email ?? `member-${unique()}@example.test`;
  const userId = newId("usr");
  await db.insert(users).values({ id: userId, email, name: options.name ?? `Member ${email}`, passwordHash: await passwordHashOnce });
  const roleId = options.roleId ?? "teammate";
  const id = await addMember(db, { workspaceId: workspace.id, userId, roleId });
  if (options.status === "suspended") {
    const { members } = await import("../../server/db/schema");
    await db.update(members).set({ status: "suspended" }).where(eq(members.id, id));
  }
  const { token } = await issueToken(db, { workspaceId: workspace.id, memberId: id, kind: "session" });
  return { id, workspaceId: workspace.id, email, roleId, token };
}

export async function insertRoleDirectly(db: Executor, workspace: { id: string }, permissions: Partial<PermissionMap>, name = `Role ${unique()}`) {
  const id = newId("role");
  await db.insert(roles).values({ workspaceId: workspace.id, id, name, permissions: { ...permissions } });
  return { id, name };
}

export async function insertAccountDirectly(db: Executor, workspace: { id: string }, connectedBy: string) {
  const id = newId("wa");
  await db.insert(whatsappAccounts).values({
    workspaceId: workspace.id,
    id,
    provider: "sandbox",
    phoneNumber: `+1555${Math.floor(Math.random() * 1e7)}`,
    displayName: "Test line",
    connectedBy,
  });
  return { id, connectedBy };
}

export async function insertChatDirectly(
  db: Executor,
  workspace: { id: string },
  account: { id: string },
  /**
   * `customerWroteAt`: the customer's last message, stored as an inbound message that opens the
   * 24-hour window as a real conversation's would; without it the chat has no window (templates only).
   */
  options: { responsibleId?: string | null; phone?: string; name?: string; customerWroteAt?: Date } = {},
) {
  const id = newId("chat");
  const phone = options.phone ?? `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
  await db
    .insert(contacts)
    .values({ workspaceId: workspace.id, id: newId("ct"), phone, name: options.name ?? null })
    .onConflictDoNothing();
  const [contact] = await db
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspace.id), eq(contacts.phone, phone)));
  const contactId = contact?.id as string;
  await db.insert(chats).values({
    workspaceId: workspace.id,
    id,
    accountId: account.id,
    contactId,
    contactPhone: phone,
    contactName: options.name ?? null,
    responsibleId: options.responsibleId ?? null,
    ...(options.customerWroteAt
      ? { lastMessageAt: options.customerWroteAt, lastMessagePreview: "Hello!", windowOpenUntil: windowClosesAt(options.customerWroteAt) }
      : {}),
  });
  if (options.customerWroteAt) {
    await db.insert(messages).values({
      workspaceId: workspace.id,
      id: newId("msg"),
      chatId: id,
      direction: "in",
      text: "Hello!",
      status: "received",
      providerMessageId: `sbx-test.${unique()}`,
      createdAt: options.customerWroteAt,
    });
  }
  return { id, accountId: account.id, responsibleId: options.responsibleId ?? null };
}

/**
 * A campaign template, mapped by default to the sandbox's approved one-parameter `follow_up`
 * (campaigns go out only as WhatsApp-approved templates); `meta: null` leaves it unmapped.
 */
export async function insertTemplateDirectly(
  db: Executor,
  workspace: { id: string },
  ownerId: string,
  options: { name?: string; body?: string; meta?: { name: string; language: string } | null } = {},
) {
  const id = newId("tpl");
  const meta = options.meta === undefined ? { name: "follow_up", language: "en_US" } : options.meta;
  await db.insert(templates).values({
    workspaceId: workspace.id,
    id,
    ownerId,
    name: options.name ?? `Template ${unique()}`,
    body: options.body ?? "Hello {{name}}",
    metaTemplateName: meta?.name ?? null,
    metaLanguage: meta?.language ?? null,
  });
  return { id, ownerId };
}

/** A campaign row with `recipients` queued recipients (status paused, so no dispatcher sends it). */
export async function insertCampaignDirectly(
  db: Executor,
  workspace: { id: string },
  account: { id: string },
  createdBy: string,
  options: { status?: (typeof campaignStatuses)[number]; recipients?: number } = {},
) {
  const id = newId("cmp");
  const recipients = options.recipients ?? 1;
  await db.insert(campaigns).values({
    workspaceId: workspace.id,
    id,
    accountId: account.id,
    templateId: "tpl_none",
    createdBy,
    name: `Campaign ${unique()}`,
    status: options.status ?? "paused",
    recipientCount: recipients,
    template: { name: "Built", body: "Hello {{name}}", metaTemplateName: null, metaLanguage: null },
  });
  if (recipients > 0) {
    await db.insert(campaignRecipients).values(
      Array.from({ length: recipients }, (_, index) => ({
        workspaceId: workspace.id,
        campaignId: id,
        seq: index + 1,
        phone: `+1555300${String(index).padStart(4, "0")}`,
        name: `Recipient ${index}`,
      })),
    );
  }
  return { id, createdBy, accountId: account.id };
}
