import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { recordSecurityEvent } from "../audit/security-events";
import { databaseNonceStore } from "../crm/nonce-store";
import { latestMessageId, panelChatsAndAccounts } from "../crm/panel-chats";
import { phoneRefKey, presentRecordPhone } from "../crm/record-phones";
import { pipedriveChatLinks, pipedriveCompanyRoutes, pipedriveInstallations, pipedriveUserLinks, workspaces } from "../db/schema";
import { HttpProblem, notFound, unauthenticated } from "../http/problem";
import { anyMember, publicAccess, route } from "../http/route";
import { IdParam } from "../http/schemas";
import { issueToken } from "../identity/tokens";
import { loadVisibleChat } from "../inbox/queries";
import { type Actor, holds } from "../permissions";
import { findMember } from "../team/membership";
import { presentMember, presentWorkspace } from "../team/presenters";
import type { PanelPerson } from "./api";
import { enqueuePipedriveLog } from "./log-queue";
import { panelReaderFor, panelRecordFrom, panelResources, panelTokenName, readPanelPersons } from "./panel-reads";
import { PanelTokenError, verifyPanelToken } from "./panel-token";
import { workspaceFixers } from "./workspace-status";

// The Pipedrive panel (an iframe inside a deal or person) trades Pipedrive's signed JWT for a
// short-lived Switchboard token, then works with the ordinary API under the member's own role.

/** `resource` and `selectedIds` are the iframe URL's (pipedrive.md §2.2): the record the session is bound to. */
const SessionBody = z.strictObject({
  token: z.string().min(1).max(4000),
  resource: z.string().max(40).optional(),
  selectedIds: z.string().max(2000).optional(),
});
const ContextQuery = z.strictObject({ resource: z.enum(panelResources), id: z.coerce.number().int().positive() });

const LinkBody = z.strictObject({ personId: z.number().int().positive(), dealId: z.number().int().positive().nullable().optional() });

const notLinked = (missing: "workspace_connection" | "member_link", detail: string) =>
  new HttpProblem(403, "crm_not_linked", "Pipedrive not linked", detail, { missing });

export const pipedrivePanelRoutes = [
  route({
    method: "post",
    path: "/panel/pipedrive/session",
    summary: "Exchange the panel's Pipedrive-signed JWT for a short-lived Switchboard token",
    tag: "Pipedrive panel",
    access: publicAccess("The Pipedrive-signed panel JWT (HS256, our JWT secret) is the credential"),
    body: SessionBody,
    responses: {
      201: "{token, expiresAt, member, workspace, startChatModalId}; the token is bound to the record `resource`/`selectedIds` name (one deal or person), the only one it reads through the workspace's connection; startChatModalId (PIPEDRIVE_START_CHAT_MODAL_ID, null when unset) is OPEN_MODAL's action_id; the token acts with the member's current role for PIPEDRIVE_PANEL_SESSION_SECONDS (an hour by default)",
      401: "The JWT is invalid, expired, expires more than 5 minutes ahead, or was used before",
      403: "crm_not_linked (missing: workspace_connection | member_link) or member_suspended",
    },
    async handler({ services, db, body, meta, audit }) {
      const secret = services.config.pipedrive.jwtSecret;
      if (!secret) throw new HttpProblem(409, "conflict", "Pipedrive is not configured", "This server has no Pipedrive JWT secret (PIPEDRIVE_JWT_SECRET).");
      let identity: Awaited<ReturnType<typeof verifyPanelToken>>;
      try {
        // Used tokens are remembered in the database, so a replay is refused by every server process.
        identity = await verifyPanelToken(body.token, secret, { usedTokens: databaseNonceStore(db) });
      } catch (error) {
        if (error instanceof PanelTokenError) {
          // Its claims are unproven, so no workspace: the operator's security log (not awaited: outside this transaction).
          void recordSecurityEvent(services, { kind: "panel_token.refused", ...meta, detail: { reason: error.reason } });
          throw unauthenticated(`The Pipedrive panel token is not valid (${error.reason}).`);
        }
        throw error;
      }
      const [companyRoute] = await db.select().from(pipedriveCompanyRoutes).where(eq(pipedriveCompanyRoutes.companyId, identity.pipedriveCompanyId));
      if (!companyRoute) {
        throw notLinked(
          "workspace_connection",
          "This Pipedrive company is not connected to a Switchboard workspace: an Owner or Admin of the workspace must press Connect Pipedrive on the Integrations page of the Switchboard console (/#/integrations).",
        );
      }
      const workspaceId = companyRoute.workspaceId;
      const memberId = await memberForPipedriveUser(db, workspaceId, identity.pipedriveUserId);
      const member = memberId ? await findMember(db, workspaceId, memberId) : null;
      if (!member) {
        throw notLinked(
          "member_link",
          "Your Pipedrive user is not linked to a Switchboard member: press Connect my account on the Integrations page of the Switchboard console (/#/integrations), or ask an Admin to map your Pipedrive user there.",
        );
      }
      if (member.status !== "active") throw new HttpProblem(403, "member_suspended", "Member suspended", "Your membership in this workspace is suspended.");
      const [workspace] = await db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
      if (!workspace) throw notFound("workspace");
      const issued = await issueToken(db, {
        workspaceId,
        memberId: member.id,
        kind: "panel",
        name: panelTokenName({
          companyId: identity.pipedriveCompanyId,
          pipedriveUserId: identity.pipedriveUserId,
          record: panelRecordFrom(body.resource, body.selectedIds),
        }),
        lifetimeMs: services.config.pipedrive.panelSessionTtlMs,
      });
      await audit({
        workspaceId,
        actorId: member.id,
        action: "session.create",
        targetType: "member",
        targetId: member.id,
        details: { via: "pipedrive_panel", pipedriveUserId: identity.pipedriveUserId },
      });
      return {
        status: 201,
        body: {
          token: issued.token,
          expiresAt: (issued.expiresAt ?? new Date()).toISOString(),
          member: presentMember(member),
          workspace: presentWorkspace(workspace, false),
          startChatModalId: services.config.pipedrive.startChatModalId,
        },
      };
    },
  }),
  route({
    method: "get",
    path: "/panel/pipedrive/context",
    summary: "The deal's or person's phones, your visible chats with them and the accounts you may send from",
    tag: "Pipedrive panel",
    access: anyMember,
    query: ContextQuery,
    responses: {
      200: "{persons: [{id, name, phones: [{e164, label, raw, ref}]}] (e164 and raw masked without contacts.view_numbers; ref starts a chat: POST /chats {phoneRef}), chats: [chat], accounts: [account], ownConnection, ownAccount?}; ownConnection false: read with the workspace's connection (only the panel's record), connecting your own Pipedrive account shows more; then ownAccount: {canConnect (integrations.individual: POST /me/integrations/pipedrive/connect with landing: popup), mappedBy: the names of the members who map Pipedrive users (integrations.workspace) when you can't}",
      403: "crm_not_linked (missing: individual_connection): outside a panel, only your own Pipedrive connection reads records",
      404: "No such record, or Pipedrive does not let you see it, or (without your own connection) it is not the record the panel was opened on",
      409: "Pipedrive is not connected",
    },
    async handler({ actor, db, services, query }) {
      const reader = await panelReaderFor(services, actor, query);
      const persons = await readPanelPersons(reader, query);
      const phones = [...new Set(persons.flatMap((person) => person.phones.flatMap((phone) => (phone.e164 ? [phone.e164] : []))))];
      const { chats: visibleChats, accounts } = await panelChatsAndAccounts(db, actor, phones);
      return {
        status: 200,
        body: {
          persons: persons.map((person) => presentPanelPerson(phoneRefKey(services.config.encryptionKey), actor, person)),
          chats: visibleChats,
          accounts,
          ownConnection: reader.own,
          ...(reader.own ? {} : { ownAccount: await ownAccountOffer(db, actor) }),
        },
      };
    },
  }),
  route({
    method: "put",
    path: "/panel/pipedrive/chats/:id/link",
    summary: "Choose the Pipedrive person (and deal) a chat is logged under",
    tag: "Pipedrive panel",
    access: anyMember,
    params: IdParam,
    body: LinkBody,
    responses: {
      200: "{chatId, personId, dealId}",
      404: "No such chat, or you cannot see it; or a deal or person you may not read (as in context), or a person not on the deal",
    },
    // Pipedrive is asked first (whether the member may read the record), outside the transaction.
    ownTransactions: true,
    async handler({ actor, services, params, body, audit }) {
      const database = services.database.db;
      const chat = await loadVisibleChat(database, actor, params.id);
      // Only under a record the member may read, as the context route reads it.
      const record = body.dealId ? { resource: "deal" as const, id: body.dealId } : { resource: "person" as const, id: body.personId };
      const persons = await readPanelPersons(await panelReaderFor(services, actor, record), record);
      if (!persons.some((person) => person.id === body.personId)) throw notFound("person");
      const values = { personId: body.personId, dealId: body.dealId ?? null, linkedBy: actor.memberId, updatedAt: new Date() };
      await database.transaction(async (db) => {
        await db
          .insert(pipedriveChatLinks)
          .values({ workspaceId: actor.workspaceId, chatId: chat.id, ...values })
          .onConflictDoUpdate({ target: [pipedriveChatLinks.workspaceId, pipedriveChatLinks.chatId], set: values });
        // Log the chat's latest day again: a note written a moment before the link (the message that
        // started the chat) moves onto this person and deal.
        const latestId = await latestMessageId(db, actor.workspaceId, chat.id);
        if (latestId) await enqueuePipedriveLog(db, { workspaceId: actor.workspaceId, messageId: latestId });
        await audit(
          { action: "pipedrive.chat_link", targetType: "chat", targetId: chat.id, details: { personId: values.personId, dealId: values.dealId } },
          db,
        );
      });
      return { status: 200, body: { chatId: chat.id, personId: values.personId, dealId: values.dealId } };
    },
  }),
];

/** A member's own connection names their Pipedrive user first; an Admin's mapping otherwise. */
async function memberForPipedriveUser(db: Parameters<typeof findMember>[0], workspaceId: string, pipedriveUserId: number): Promise<string | null> {
  const [own] = await db
    .select({ memberId: pipedriveInstallations.memberId })
    .from(pipedriveInstallations)
    .where(and(eq(pipedriveInstallations.workspaceId, workspaceId), eq(pipedriveInstallations.pipedriveUserId, pipedriveUserId)));
  if (own?.memberId) return own.memberId;
  const [mapped] = await db
    .select({ memberId: pipedriveUserLinks.memberId })
    .from(pipedriveUserLinks)
    .where(and(eq(pipedriveUserLinks.workspaceId, workspaceId), eq(pipedriveUserLinks.pipedriveUserId, pipedriveUserId)));
  return mapped?.memberId ?? null;
}

/**
 * What the panel offers a member reading through the workspace's connection: to connect their own
 * Pipedrive account (integrations.individual), or else who maps Pipedrive users to members.
 */
async function ownAccountOffer(db: Parameters<typeof workspaceFixers>[0], actor: Parameters<typeof holds>[0]) {
  if (holds(actor, "integrations.individual")) return { canConnect: true, mappedBy: [] };
  return { canConnect: false, mappedBy: (await workspaceFixers(db, actor.workspaceId)).map((fixer) => fixer.name) };
}

/** A record's person with their phones as this member may see them (server/crm/record-phones.ts). */
function presentPanelPerson(refKey: Buffer, actor: Actor, person: PanelPerson) {
  return { id: person.id, name: person.name, phones: person.phones.map((phone) => presentRecordPhone(refKey, actor, phone)) };
}
