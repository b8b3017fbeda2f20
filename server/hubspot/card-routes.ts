import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { recordingRateLimit, recordLoginRefusal, recordSecurityEvent } from "../audit/security-events";
import { loadActor } from "../crm/actor";
import { databaseNonceStore } from "../crm/nonce-store";
import { panelChatsAndAccounts } from "../crm/panel-chats";
import { phoneRefKey, presentRecordPhone } from "../crm/record-phones";
import type { Executor } from "../db/client";
import { hubspotInstallations, members, users, workspaces } from "../db/schema";
import { HttpProblem, invalidRequest, notFound, unauthenticated } from "../http/problem";
import { anyMember, publicAccess, route } from "../http/route";
import { Email } from "../http/schemas";
import { decoyPasswordHash, verifyPassword } from "../identity/passwords";
import { issueToken } from "../identity/tokens";
import { explainMissing, holds } from "../permissions";
import { findMember } from "../team/membership";
import { presentMember, presentWorkspace } from "../team/presenters";
import { type CardContext, CardContextError, type CardRecord, cardContextKey, isHubspotObjectTypeId, signCardContext, verifyCardContext } from "./card-context";
import { readyCardAnswer } from "./card-summary";
import { conversationLinkKey, verifyConversationLink } from "./conversation-link";
import { loadHubspotInstallation } from "./installations";
import { hubspotPanelTokenName, loadHubspotPanelBinding } from "./panel-binding";
import { readHubspotPanelPersons } from "./panel-reads";
import { verifyHubspotSignatureV3 } from "./signature";
import { findHubspotUserLink, linkHubspotUser } from "./user-links";

// The app card (manifest/hubspot) asks POST /hubspot/card what to show, through hubspot.fetch,
// which HubSpot's proxy signs with our app's client secret (X-HubSpot-Signature-v3, hubspot.md §2).
//
// What the signature proves: the request passed through HubSpot's proxy for our app, with this
// URL and body. The portal and the HubSpot user are the `portalId` and `userId` query parameters
// HubSpot appends (its ProxyMetadata); the card itself sends neither (card-api.ts names only the
// record), and a parameter that appears twice — one the caller wrote and one HubSpot appended —
// is refused. Whether HubSpot's proxy overwrites a parameter the caller wrote is unverified
// (hubspot.md §2), so the raw signed URL of every request is logged: a real portal shows what
// HubSpot appends.
//
// A HubSpot user linked to a member (user-links.ts) gets the "ready" answer: that member's chats
// with the record (card-summary.ts) and "Open conversation". Any other gets "link_required": the
// Switchboard sign-in in HubSpot's modal, whose signed context names the portal, the HubSpot user
// and the record; signing in there links that HubSpot user to the member (with
// integrations.individual) and opens the panel with a bearer bound to the record.

const CardBody = z.strictObject({ objectTypeId: z.string().max(20), objectId: z.union([z.string().max(30), z.number()]) });
const SessionBody = z.strictObject({ context: z.string().min(1).max(4000), email: Email, password: z.string().min(1).max(200) });
const OpenBody = z.strictObject({ conversation: z.string().min(1).max(4000) });

/** HubSpot's own record type ids for the records the card is on ([V] CrmContext: contacts 0-1, deals 0-3). */
const recordTypeName = { "0-1": "contact", "0-3": "deal" } as const;

export const hubspotCardRoutes = [
  route({
    method: "post",
    path: "/hubspot/card",
    summary: "What the HubSpot app card shows on a contact or deal (called by HubSpot's proxy for the card)",
    tag: "HubSpot card",
    access: publicAccess("HubSpot's X-HubSpot-Signature-v3 over the request (our app's client secret) is the credential; it proves no user"),
    rawBody: true,
    ownTransactions: true,
    auditExempt: "Only answers what to show; nothing is written",
    responses: {
      200: '{state:"not_installed", detail} when no workspace has this portal connected (or it needs reconnecting); {state:"link_required", linkUri}: the Switchboard sign-in to open in the modal, valid ten minutes, once; {state:"ready", memberName, record, chats: [{id, contactName, phone, accountLabel, responsible, lastMessage: {text, direction, at}|null}] (the newest ten), moreChats, sendFrom: [account label], conversationUri}: for a HubSpot user linked to an active member, what that member may see and send from; conversationUri opens the panel (ten minutes, once)',
      400: "Missing or repeated portalId, a repeated or non-numeric userId, or a body other than {objectTypeId: 0-1|0-3, objectId}",
      401: "X-HubSpot-Signature-v3 missing, stale (over five minutes) or wrong",
      409: "HubSpot is not configured on this server",
      429: "HubSpot asks to wait (Retry-After) while the record is read",
      502: "HubSpot could not answer while the record is read",
    },
    async handler({ request, services, meta }) {
      const { clientSecret } = services.config.hubspot;
      if (!clientSecret) throw new HttpProblem(409, "conflict", "HubSpot is not configured", "This server has no HubSpot app (HUBSPOT_CLIENT_SECRET).");
      const body = Buffer.isBuffer(request.body) ? request.body.toString("utf8") : "";
      // The URL as HubSpot called it: PUBLIC_URL (what permittedUrls.fetch names), never the Host header.
      const signedUrl = `${services.config.publicUrl}${request.originalUrl}`;
      const query = new URL(signedUrl).searchParams;
      const portalIds = query.getAll("portalId");
      const userIds = query.getAll("userId");
      const check = verifyHubspotSignatureV3(clientSecret, {
        method: request.method,
        uri: signedUrl,
        body,
        signature: request.get("x-hubspot-signature-v3"),
        timestamp: request.get("x-hubspot-request-timestamp"),
      });
      // One line per card request, whatever the outcome: what HubSpot's proxy appends is unverified.
      services.logger.info(
        { signedUrl, query: Object.fromEntries([...query.keys()].map((key) => [key, query.getAll(key)])), signature: check.ok ? "ok" : check.reason },
        "HubSpot card request",
      );
      const claimedPortal = portalIds.length === 1 && /^\d{1,15}$/.test(portalIds[0] ?? "") ? Number(portalIds[0]) : null;
      const installation = claimedPortal
        ? ((await services.database.db.select().from(hubspotInstallations).where(eq(hubspotInstallations.hubId, claimedPortal)))[0] ?? null)
        : null;
      if (!check.ok) {
        // The portal is only claimed: the event goes to that workspace's log, as forged webhooks do.
        void recordSecurityEvent(services, {
          kind: "webhook.signature_refused",
          workspaceId: installation?.workspaceId ?? null,
          targetType: installation ? "hubspot_portal" : null,
          targetId: installation ? String(installation.hubId) : null,
          ...meta,
          detail: { source: "hubspot_card", reason: check.reason, portalId: portalIds },
        });
        throw new HttpProblem(401, "unauthenticated", "Bad signature", `X-HubSpot-Signature-v3 is ${check.reason}.`);
      }
      if (claimedPortal === null) {
        throw invalidRequest(
          portalIds.length > 1 ? "portalId appears more than once in the query." : "The query has no portalId (HubSpot appends the portal's id).",
        );
      }
      if (userIds.length > 1 || (userIds.length === 1 && !/^\d{1,15}$/.test(userIds[0] ?? ""))) {
        throw invalidRequest(userIds.length > 1 ? "userId appears more than once in the query." : "userId must be HubSpot's numeric user id.");
      }
      const hubspotUserId = userIds[0] ? Number(userIds[0]) : null;
      let parsed: z.infer<typeof CardBody>;
      try {
        parsed = CardBody.parse(JSON.parse(body));
      } catch {
        throw invalidRequest("The body must be {objectTypeId, objectId} as JSON.");
      }
      const objectId = String(parsed.objectId);
      if (!isHubspotObjectTypeId(parsed.objectTypeId) || !/^\d{1,20}$/.test(objectId)) {
        throw invalidRequest("The card works on contacts (0-1) and deals (0-3), with a numeric objectId.");
      }
      if (installation?.status !== "connected") {
        return {
          status: 200,
          body: {
            state: "not_installed",
            detail: installation
              ? "HubSpot no longer accepts this account's connection to Switchboard: an Owner or Admin of the Switchboard workspace reconnects it on the console's Integrations page."
              : "No Switchboard workspace has this HubSpot account connected: an Owner or Admin connects it on the Integrations page of the Switchboard console.",
          },
        };
      }
      const record = { hubId: installation.hubId, objectTypeId: parsed.objectTypeId, objectId };
      const link = hubspotUserId === null ? null : await findHubspotUserLink(services.database.db, installation.hubId, hubspotUserId);
      const linked = link && link.workspaceId === installation.workspaceId ? await loadActor(services.database.db, link.workspaceId, link.memberId) : null;
      if (linked?.status === "active" && hubspotUserId !== null) {
        return { status: 200, body: await readyCardAnswer(services, { actor: linked, hubId: installation.hubId, hubspotUserId, record }) };
      }
      const context = await signCardContext(cardContextKey(services.config.encryptionKey), { ...record, hubspotUserId });
      // In the fragment: the browser never sends it to a server, nor in a Referer.
      return { status: 200, body: { state: "link_required", linkUri: `${services.config.publicUrl}/hubspot/#${context}` } };
    },
  }),
  route({
    method: "post",
    path: "/hubspot/panel/session",
    summary: "Sign in to Switchboard from HubSpot's card: a short-lived bearer bound to the card's record",
    tag: "HubSpot card",
    access: publicAccess("The member's email and password (through the login limiter) and the card's signed, single-use context"),
    body: SessionBody,
    responses: {
      201: "{token, expiresAt, member, workspace, record: {objectTypeId, objectId}, hubspotLink: {status: linked|not_permitted|no_user, detail}}: the token acts with the member's current role, and reads only this record of the portal; linked: the card's HubSpot user is now this member's (the card shows their chats itself from now on)",
      401: "The context is invalid, expired or used; or the email or password is wrong",
      403: "member_suspended",
      404: "The member's workspace does not have this HubSpot account connected",
      429: "Too many attempts",
    },
    async handler({ body, db, services, meta, audit }) {
      const key = cardContextKey(services.config.encryptionKey);
      const refuseContext = (error: unknown): never => {
        if (!(error instanceof CardContextError)) throw error;
        void recordSecurityEvent(services, { kind: "panel_token.refused", ...meta, detail: { source: "hubspot_card", reason: error.reason } });
        throw unauthenticated(`The sign-in link from HubSpot is not valid (${error.reason}): close this window and open it again from the card.`);
      };
      // Checked first, burnt only once the password is right: a typo does not cost the link.
      const context = await verifyCardContext(key, body.context).catch(refuseContext);
      const attempt = await services.loginLimiter.passwordAttempt({ ip: meta.ip, email: body.email }).catch(recordingRateLimit(services, meta, body.email));
      const [user] = await db.select().from(users).where(eq(users.email, body.email));
      const passwordMatches = await verifyPassword(body.password, user?.passwordHash ?? (await decoyPasswordHash(services.passwordCost)));
      if (!user || !passwordMatches) {
        void recordLoginRefusal(services, meta, { kind: "login.failed", email: body.email });
        throw unauthenticated("The email or password is wrong.");
      }
      await attempt.succeeded();
      const [installation] = await db.select().from(hubspotInstallations).where(eq(hubspotInstallations.hubId, context.hubId));
      const member = installation ? await memberOfUser(db, installation.workspaceId, user.id) : null;
      if (!installation || !member) throw notFound("HubSpot account in your Switchboard workspace");
      if (member.status !== "active") throw new HttpProblem(403, "member_suspended", "Member suspended", "Your membership in this workspace is suspended.");
      await verifyCardContext(key, body.context, { usedContexts: databaseNonceStore(db) }).catch(refuseContext);
      const session = await openPanelSession(db, audit, {
        workspaceId: installation.workspaceId,
        member,
        record: context,
        details: { via: "hubspot_card", hubId: context.hubId },
      });
      const hubspotLink = await linkFromSignIn(db, audit, { workspaceId: installation.workspaceId, memberId: member.id, context });
      return { status: 201, body: { ...session, hubspotLink } };
    },
  }),
  route({
    method: "post",
    path: "/hubspot/panel/open",
    summary: "Open the conversation from the card of a linked HubSpot user: a short-lived bearer bound to the card's record",
    tag: "HubSpot card",
    access: publicAccess(
      "The card's signed, single-use, ten-minute conversation token (conversationUri's fragment), while its HubSpot user is still linked to that member",
    ),
    body: OpenBody,
    responses: {
      201: "{token, expiresAt, member, workspace, record: {objectTypeId, objectId}}: as a sign-in from the card",
      401: "The token is invalid, expired or used; or the HubSpot user is no longer linked to that member (sign in again from the card)",
      403: "member_suspended",
    },
    async handler({ body, db, services, meta, audit }) {
      const link = await verifyConversationLink(conversationLinkKey(services.config.encryptionKey), body.conversation, {
        usedLinks: databaseNonceStore(db),
      }).catch((error: unknown) => {
        if (!(error instanceof CardContextError)) throw error;
        void recordSecurityEvent(services, { kind: "panel_token.refused", ...meta, detail: { source: "hubspot_conversation", reason: error.reason } });
        throw unauthenticated(`The conversation link from HubSpot is not valid (${error.reason}): close this window and open it again from the card.`);
      });
      const current = await findHubspotUserLink(db, link.hubId, link.hubspotUserId);
      const [installation] = await db.select().from(hubspotInstallations).where(eq(hubspotInstallations.hubId, link.hubId));
      if (current?.memberId !== link.memberId || current.workspaceId !== link.workspaceId || installation?.workspaceId !== link.workspaceId) {
        throw unauthenticated("Your HubSpot user is no longer linked to this Switchboard member: close this window and sign in again from the card.");
      }
      const member = await findMember(db, link.workspaceId, link.memberId);
      if (!member) throw unauthenticated("Your HubSpot user is no longer linked to a Switchboard member.");
      if (member.status !== "active") throw new HttpProblem(403, "member_suspended", "Member suspended", "Your membership in this workspace is suspended.");
      const session = await openPanelSession(db, audit, {
        workspaceId: link.workspaceId,
        member,
        record: link,
        details: { via: "hubspot_card_link", hubId: link.hubId, hubspotUserId: link.hubspotUserId },
      });
      return { status: 201, body: session };
    },
  }),
  route({
    method: "get",
    path: "/hubspot/panel/context",
    summary: "In HubSpot's modal: the card's record's people and phones, your visible chats with them and the accounts you may send from",
    tag: "HubSpot card",
    access: anyMember,
    responses: {
      200: "{record: {objectTypeId, objectId}, persons: [{id, name, phones: [{e164, label, raw, ref}]}] (e164 and raw masked without contacts.view_numbers; ref starts a chat: POST /chats {phoneRef}), chats: [chat], accounts: [account]}; chats and accounts as your role lets you see and send",
      403: "crm_not_linked (missing: hubspot_panel): only a session opened from HubSpot's card reads its record",
      404: "The record is gone, or the workspace's HubSpot account is no longer the card's portal",
      409: "HubSpot needs reconnecting",
      429: "HubSpot asks to wait (Retry-After)",
      502: "HubSpot could not answer",
    },
    async handler({ actor, db, services }) {
      const binding = await loadHubspotPanelBinding(db, actor);
      if (!binding) {
        throw new HttpProblem(
          403,
          "crm_not_linked",
          "Open it from HubSpot",
          "HubSpot records are read only in a session opened from Switchboard's card on that record.",
          { missing: "hubspot_panel" },
        );
      }
      const installation = await loadHubspotInstallation(db, actor.workspaceId);
      if (installation?.hubId !== binding.hubId) throw notFound("HubSpot record");
      const persons = await readHubspotPanelPersons(services, actor.workspaceId, binding);
      const phones = [...new Set(persons.flatMap((person) => person.phones.flatMap((phone) => (phone.e164 ? [phone.e164] : []))))];
      const { chats, accounts } = await panelChatsAndAccounts(db, actor, phones);
      const refKey = phoneRefKey(services.config.encryptionKey);
      const shown = persons.map((person) => ({ ...person, phones: person.phones.map((phone) => presentRecordPhone(refKey, actor, phone)) }));
      return { status: 200, body: { record: { objectTypeId: binding.objectTypeId, objectId: binding.objectId }, persons: shown, chats, accounts } };
    },
  }),
];

/** The user's membership in the workspace (any status), or null. */
async function memberOfUser(db: Parameters<typeof findMember>[0], workspaceId: string, userId: string) {
  const [membership] = await db
    .select({ id: members.id })
    .from(members)
    .where(and(eq(members.workspaceId, workspaceId), eq(members.userId, userId)));
  return membership ? findMember(db, workspaceId, membership.id) : null;
}

type AuditFn = Parameters<Parameters<typeof route>[0]["handler"]>[0]["audit"];

/**
 * A panel session for the card's record (a sign-in from the card, or its conversation link): the
 * bearer bound to the record, the session.create entry (`details` and the record), and the answer.
 */
async function openPanelSession(
  db: Executor,
  audit: AuditFn,
  input: { workspaceId: string; member: Parameters<typeof presentMember>[0]; record: CardRecord; details: Record<string, unknown> },
) {
  const { member, record } = input;
  const [workspace] = await db.select().from(workspaces).where(eq(workspaces.id, input.workspaceId));
  if (!workspace) throw notFound("workspace");
  const issued = await issueToken(db, { workspaceId: workspace.id, memberId: member.id, kind: "panel", name: hubspotPanelTokenName(record) });
  await audit({
    workspaceId: workspace.id,
    actorId: member.id,
    action: "session.create",
    targetType: "member",
    targetId: member.id,
    details: { ...input.details, record: `${recordTypeName[record.objectTypeId]} ${record.objectId}` },
  });
  return {
    token: issued.token,
    expiresAt: (issued.expiresAt ?? new Date()).toISOString(),
    member: presentMember(member),
    workspace: presentWorkspace(workspace, false),
    record: { objectTypeId: record.objectTypeId, objectId: record.objectId },
  };
}

/**
 * After a sign-in from the card: the HubSpot user the card's signed request named becomes this
 * member's (their individual connection), if the member may have one (integrations.individual).
 * In the sign-in's transaction, with its activity-log entry.
 */
async function linkFromSignIn(
  db: Executor,
  audit: AuditFn,
  input: { workspaceId: string; memberId: string; context: CardContext },
): Promise<{ status: "linked" | "not_permitted" | "no_user"; detail: string }> {
  const { context } = input;
  if (context.hubspotUserId === null) {
    return { status: "no_user", detail: "HubSpot did not say which HubSpot user opened the card, so the card will ask you to sign in each time." };
  }
  const actor = await loadActor(db, input.workspaceId, input.memberId);
  if (!actor || !holds(actor, "integrations.individual")) {
    return {
      status: "not_permitted",
      detail: `${actor ? explainMissing(actor, "integrations.individual") : "You are not a member."} So the card will ask you to sign in each time.`,
    };
  }
  const { replaced } = await linkHubspotUser(db, {
    workspaceId: input.workspaceId,
    hubId: context.hubId,
    hubspotUserId: context.hubspotUserId,
    memberId: input.memberId,
  });
  await audit(
    {
      workspaceId: input.workspaceId,
      actorId: input.memberId,
      action: "hubspot.user_link",
      targetType: "member",
      targetId: input.memberId,
      details: { hubId: context.hubId, hubspotUserId: context.hubspotUserId, replaced },
    },
    db,
  );
  return { status: "linked", detail: "Your HubSpot user is linked to your Switchboard account: the card shows your WhatsApp chats from now on." };
}
