import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { encryptSecret } from "../crypto/secrets";
import { whatsappAccounts, whatsappRoutes } from "../db/schema";
import { publish } from "../events/bus";
import { conflict, invalidRequest } from "../http/problem";
import { anyMember, requires, route } from "../http/route";
import { IdParam } from "../http/schemas";
import { newId } from "../ids";
import { ingestInboundMessage } from "../inbox/ingest";
import { sampleMediaNames, storeSampleMedia } from "../media/samples";
import { accountScope, authorize, canDisconnectAccount, PermissionDenied, requirePermission } from "../permissions";
import { loadVisibleAccount, presentAccount } from "./accounts";
import { proveNumberControl } from "./number-control";
import { normalizePhone } from "./phone";
import { webhookRouteCache } from "./route-cache";

const CloudCredentials = z
  .object({
    phoneNumberId: z.string().regex(/^\d{5,30}$/, "must be Meta's numeric phone number id"),
    wabaId: z.string().regex(/^\d{5,30}$/, "must be Meta's numeric WhatsApp Business Account id"),
    accessToken: z.string().min(20).max(1000),
    appSecret: z.string().min(8).max(200).optional(),
  })
  .strict();
const ConnectAccount = z
  .object({
    provider: z.enum(["sandbox", "cloud"]),
    phoneNumber: z.string().min(3).max(40),
    displayName: z.string().trim().min(1).max(100).optional(),
    cloud: CloudCredentials.optional(),
  })
  .strict()
  .refine((body) => body.provider !== "cloud" || body.cloud, { path: ["cloud"], message: "required for provider cloud" })
  .refine((body) => body.provider !== "sandbox" || !body.cloud, { path: ["cloud"], message: "only for provider cloud" });
const SandboxInbound = z
  .object({
    from: z.string().min(3).max(40),
    /** The message, or with `media` the file's caption (optional then). */
    text: z.string().min(1).max(4096).optional(),
    name: z.string().trim().min(1).max(100).optional(),
    /** The customer sends one of the sandbox's sample files: a photo, a PDF or a voice note. */
    media: z.enum(sampleMediaNames).optional(),
  })
  .strict()
  .refine((body) => body.text !== undefined || body.media !== undefined, { message: "text or media is required", path: ["text"] });

const CheckCloudNumber = CloudCredentials.omit({ appSecret: true }).strict();

export const accountRoutes = [
  route({
    method: "get",
    path: "/whatsapp-accounts/setup",
    summary: "What a member connecting a number needs: the webhook URL and verify token to enter at Meta, the sandbox, the pacing",
    tag: "WhatsApp accounts",
    access: requires("whatsapp.connect"),
    responses: { 200: "{webhookUrl, verifyToken, sandboxEnabled, sendRatePerSecond}" },
    async handler({ services }) {
      const { publicUrl, whatsapp } = services.config;
      return {
        status: 200,
        body: {
          webhookUrl: `${publicUrl}/api/v1/inbound/whatsapp`,
          // Meta echoes it once when the callback URL is saved; it grants nothing else.
          verifyToken: whatsapp.verifyToken ?? null,
          sandboxEnabled: whatsapp.sandboxEnabled,
          sendRatePerSecond: whatsapp.sendRatePerSecond,
        },
      };
    },
  }),
  route({
    method: "post",
    path: "/whatsapp-accounts/check",
    summary: "Ask Meta whether a Cloud API token controls a number (the same checks a connect makes); nothing is stored",
    tag: "WhatsApp accounts",
    access: requires("whatsapp.connect"),
    body: CheckCloudNumber,
    auditExempt: "Reads Meta and stores nothing",
    ownTransactions: true,
    responses: {
      200: "{phoneNumberId, displayPhoneNumber, verifiedName, alreadyConnected}",
      422: "The token cannot reach the number or its WhatsApp Business Account at Meta",
      502: "Meta's Graph API could not answer",
    },
    async handler({ actor, body, services }) {
      const number = await proveNumberControl(services.cloud, body);
      const [route] = await services.database.db
        .select({ workspaceId: whatsappRoutes.workspaceId })
        .from(whatsappRoutes)
        .where(eq(whatsappRoutes.phoneNumberId, body.phoneNumberId));
      return {
        status: 200,
        body: {
          phoneNumberId: number.id,
          displayPhoneNumber: number.displayPhoneNumber,
          verifiedName: number.verifiedName,
          // Whether a connect would be refused as already connected (here, or — without saying where — elsewhere).
          alreadyConnected: route ? (route.workspaceId === actor.workspaceId ? "this_workspace" : "another_workspace") : null,
        },
      };
    },
  }),
  route({
    method: "post",
    path: "/whatsapp-accounts",
    summary: "Connect a WhatsApp account; the caller becomes its connectedBy",
    tag: "WhatsApp accounts",
    access: requires("whatsapp.connect"),
    body: ConnectAccount,
    // Meta is asked before the transaction opens, so no connection waits on the Graph API.
    ownTransactions: true,
    responses: {
      201: "{account}",
      409: "Sandbox disabled, or the number is already connected",
      422: "The Cloud API token cannot reach the number or its WhatsApp Business Account at Meta",
      502: "Meta's Graph API could not answer",
    },
    async handler({ actor, body, services, audit }) {
      if (body.provider === "sandbox" && !services.config.whatsapp.sandboxEnabled) throw conflict("The sandbox provider is disabled on this server.");
      const phoneNumber = normalizePhone(body.phoneNumber);
      if (!phoneNumber) throw invalidRequest("The phone number is not valid.", [{ path: "body.phoneNumber", message: "not a phone number" }]);
      // security-log: a refusal here (422) may be a workspace claiming a number it does not control.
      if (body.cloud) await proveNumberControl(services.cloud, body.cloud);
      const key = services.config.encryptionKey;
      return services.database.db.transaction(async (db) => {
        const [account] = await db
          .insert(whatsappAccounts)
          .values({
            workspaceId: actor.workspaceId,
            id: newId("wa"),
            provider: body.provider,
            phoneNumber,
            displayName: body.displayName ?? phoneNumber,
            connectedBy: actor.memberId,
            cloudPhoneNumberId: body.cloud?.phoneNumberId ?? null,
            cloudWabaId: body.cloud?.wabaId ?? null,
            accessTokenEncrypted: body.cloud ? encryptSecret(key, body.cloud.accessToken) : null,
            appSecretEncrypted: body.cloud?.appSecret ? encryptSecret(key, body.cloud.appSecret) : null,
          })
          .returning();
        if (!account) throw new Error("account insert returned nothing");
        if (body.cloud) {
          const routed = await db
            .insert(whatsappRoutes)
            .values({ phoneNumberId: body.cloud.phoneNumberId, workspaceId: actor.workspaceId, accountId: account.id })
            .onConflictDoNothing()
            .returning();
          if (routed.length === 0) throw conflict("This WhatsApp number is already connected to a workspace.");
        }
        await audit(
          {
            action: "whatsapp_account.connect",
            targetType: "whatsapp_account",
            targetId: account.id,
            details: { provider: body.provider, phoneNumber },
          },
          db,
        );
        return { status: 201, body: { account: presentAccount(account, actor) } };
      });
    },
  }),
  route({
    method: "get",
    path: "/whatsapp-accounts",
    summary: "The WhatsApp accounts the caller may see, with what they may do from each",
    tag: "WhatsApp accounts",
    access: anyMember,
    responses: { 200: "{data: [{id, phoneNumber, displayName, provider, connectedBy, status, canStartChats, canRunCampaigns}]}" },
    async handler({ actor, db }) {
      const rows = await db.select().from(whatsappAccounts).where(accountScope(actor)).orderBy(asc(whatsappAccounts.createdAt)).limit(500);
      return { status: 200, body: { data: rows.map((row) => presentAccount(row, actor)), nextCursor: null } };
    },
  }),
  route({
    method: "delete",
    path: "/whatsapp-accounts/:id",
    summary: "Disconnect an account (its connector, or team.manage); chat history is kept",
    tag: "WhatsApp accounts",
    access: anyMember,
    params: IdParam,
    responses: { 204: "Disconnected", 403: "Neither the connector nor team.manage" },
    async handler({ actor, params, db, audit, services }) {
      const account = await loadVisibleAccount(db, actor, params.id);
      if (!canDisconnectAccount(actor, account)) {
        throw new PermissionDenied("team.manage", "Only the member who connected this account, or a member who manages the team, may disconnect it.");
      }
      await db
        .update(whatsappAccounts)
        .set({ status: "disconnected", statusReason: `Disconnected by ${actor.name}`, accessTokenEncrypted: null, appSecretEncrypted: null })
        .where(and(eq(whatsappAccounts.workspaceId, actor.workspaceId), eq(whatsappAccounts.id, account.id)));
      // Only this account's own route: a number this stale account names may be routed to another workspace by now.
      if (account.cloudPhoneNumberId) {
        await db
          .delete(whatsappRoutes)
          .where(
            and(
              eq(whatsappRoutes.phoneNumberId, account.cloudPhoneNumberId),
              eq(whatsappRoutes.workspaceId, actor.workspaceId),
              eq(whatsappRoutes.accountId, account.id),
            ),
          );
      }
      // Every process forgets the workspace's cached webhook routes (route-cache.ts): on commit
      // through NOTIFY, and this one at once as well.
      await publish(db, { type: "access.changed", workspaceId: actor.workspaceId });
      webhookRouteCache(services).forgetWorkspace(actor.workspaceId);
      await audit({ action: "whatsapp_account.disconnect", targetType: "whatsapp_account", targetId: account.id });
      return { status: 204 };
    },
  }),
  route({
    method: "post",
    path: "/whatsapp-accounts/:id/sandbox/inbound",
    summary: "A customer message arrives on a sandbox account (demo and tests)",
    tag: "WhatsApp accounts",
    // A simulated customer opens a chat on the account: the caller must be one who may start chats there.
    access: requires("chats.start"),
    params: IdParam,
    body: SandboxInbound,
    ownTransactions: true,
    responses: {
      201: "{chatId, messageId}",
      403: "chats.start does not cover this account; the caller lacks contacts.view_numbers",
      409: "Not a sandbox account, or the sandbox provider is off on this server",
    },
    async handler({ actor, params, body, services, audit }) {
      const db = services.database.db;
      const account = await loadVisibleAccount(db, actor, params.id);
      authorize(actor, "chats.start", { workspaceId: account.workspaceId, id: account.id, connectedBy: account.connectedBy });
      // A typed number that opens (or answers with) a chat, like POST /chats: only for members who see numbers.
      requirePermission(actor, "contacts.view_numbers");
      if (account.provider !== "sandbox") throw conflict("Only sandbox accounts take simulated customer messages.");
      // Sandbox numbers a development run left in the database stay shut where the sandbox is off.
      if (!services.config.whatsapp.sandboxEnabled) throw conflict("The sandbox provider is disabled on this server.");
      const from = normalizePhone(body.from);
      if (!from) throw invalidRequest("The sender is not a phone number.", [{ path: "body.from", message: "not a phone number" }]);
      // A sample file is stored at once, ready: the sandbox has no Meta to fetch it from.
      const sample = body.media ? await storeSampleMedia(services.mediaStorage, body.media, body.text ?? null) : null;
      const result = await ingestInboundMessage(
        db,
        {
          workspaceId: actor.workspaceId,
          accountId: account.id,
          from: { phone: from, name: body.name ?? null },
          providerMessageId: `sbx-in.${newId("m")}`,
          text: sample?.text ?? body.text ?? "",
          receivedAt: new Date(),
          ...(sample ? { media: sample.media } : {}),
        },
        (tx, created) =>
          audit(
            {
              action: "sandbox.inbound",
              targetType: "chat",
              targetId: created.chatId,
              details: { messageId: created.messageId, from, ...(body.media ? { media: body.media } : {}) },
            },
            tx,
          ),
      );
      return { status: 201, body: { chatId: result.chatId, messageId: result.messageId } };
    },
  }),
];
