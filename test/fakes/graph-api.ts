import { createHash, randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Request, type Response } from "express";
import { z } from "zod";
import { signWebhookBody } from "../../server/whatsapp/webhook-signature";
import { type GraphFailure, sendGraphError, sendUnknownObject } from "./graph-api-errors";
import { type MediaKind, MediaObjects, mediaObjectFailure, readUploadForm, templateHeaderMediaFailure } from "./graph-api-media";
import { ContextObject, contextFailure, ReactionObject, type ReceivedMessage, reactionFailure } from "./graph-api-reactions";
import { type MetaTemplate, metaTemplateOf, type TemplateRegistration, templateSendFailure } from "./graph-api-templates";

export type { GraphFailure } from "./graph-api-errors";
export type { TemplateRegistration } from "./graph-api-templates";

/**
 * A fake of Meta's Graph API (WhatsApp Cloud API) as a real HTTP server, following the contract
 * in shared/reference/whatsapp.md §2-3 and §9: the send endpoint, template listing with cursor
 * paging, Graph error bodies, and scripted failures. It also knows Meta's side of a setup: which
 * WhatsApp Business Accounts (WABAs) exist, the phone numbers in each, and which access tokens
 * may manage which WABA (registerPhoneNumber), so reading a number or a WABA proves control of it.
 *
 * It is as strict as Meta where a lenient fake would hide a bug in our server:
 * - a phone number id answers only to a token that manages its WABA (100/33 otherwise);
 * - a template must exist in the number's WABA in that language, be approved, and get exactly
 *   its parameters in its format (graph-api-templates.ts: 132001, 132015/6, 131008, 132000, 132012);
 * - anything but a template needs the customer service window open: the customer wrote to that
 *   number within 24 hours (131047 otherwise). The fake learns of inbound messages from the
 *   webhooks it delivers (deliverWebhook) or from recordInbound; a test that means to ignore the
 *   window says so with `serviceWindow: "ignored"`.
 */
export type FakeGraphApi = {
  url: string;
  accessToken: string;
  /** Every request received, in order, whatever its outcome. */
  requests: RecordedRequest[];
  /** Messages the fake accepted (answered with a wamid). */
  sentMessages: SentMessage[];
  /** Files a business uploaded (POST /{phone-number-id}/media) and the fake accepted, in order. */
  uploads: UploadedMedia[];
  /** Replaces the WABA's templates (Meta's listing shape); the WABA is created if new. Survives reset(). */
  setTemplates(wabaId: string, templates: MetaTemplate[]): void;
  /**
   * Adds (or replaces, by name and language) one template in the WABA, APPROVED unless told:
   * what a business sets up in WhatsApp Manager before it may send it. Survives reset().
   */
  registerTemplate(wabaId: string, template: TemplateRegistration): void;
  /**
   * The customer `from` (E.164 or wa_id) wrote to the number at `at` (default now): the
   * customer service window runs 24 hours from the latest such message. deliverWebhook records
   * the messages it delivers by itself. Survives reset(), as Meta's memory does.
   */
  recordInbound(inbound: { phoneNumberId: string; from: string; at?: Date; wamid?: string; type?: string }): void;
  /**
   * A phone number as a real Meta setup has it: in the WABA `wabaId`, which `accessTokens`
   * (default: the fake's own token) may manage, with our app subscribed to the WABA's webhooks.
   * Registering a number again in another WABA moves it there. Survives reset().
   */
  registerPhoneNumber(number: RegisteredPhoneNumber): void;
  /** A valid token that may manage only the WABAs it is later registered with (none yet). */
  addAccessToken(token: string): void;
  /**
   * A file a customer sent to the number, as Meta holds it: its media id (returned) is what the
   * inbound webhook carries; GET /{media-id} answers with a url valid for 5 minutes. Survives reset().
   */
  registerMedia(media: { phoneNumberId: string; mimeType: string; data: Buffer }): string;
  /** The next request (any endpoint) fails this way; calls queue up. */
  failNext(failure: ScriptedFailure): void;
  /** Every send to this recipient (E.164 or wa_id) fails this way until reset(). */
  failFor(to: string, failure: GraphFailure): void;
  /** From now on the access token is rejected as expired (code 190, HTTP 401). */
  expireToken(): void;
  /**
   * POSTs `payload` to `url` signed with `appSecret`, as Meta delivers webhooks; the inbound
   * messages in it (value.messages[] with `from` and `timestamp`) open the service window first.
   */
  deliverWebhook(url: string, appSecret: string, payload: unknown): Promise<WebhookDelivery>;
  reset(): void;
  close(): Promise<void>;
};

export type FakeGraphApiOptions = {
  accessToken?: string;
  /** "enforced" (default): free-form messages need an inbound in the last 24 h, as at Meta. */
  serviceWindow?: "enforced" | "ignored";
  /** The fake's clock for the service window; Date.now unless told. */
  now?: () => number;
};
/** A Graph error response, or a connection closed without any response. */
export type ScriptedFailure = GraphFailure | { dropConnection: true };

export type RecordedRequest = {
  method: string;
  path: string;
  query: Record<string, unknown>;
  authorization: string | null;
  body: unknown;
};
export type UploadedMedia = { id: string; phoneNumberId: string; mimeType: string; fileName: string; data: Buffer };
export type SentMessage = { phoneNumberId: string; wamid: string; body: OutboundMessage };
export type WebhookDelivery = { status: number; text: string };
export type RegisteredPhoneNumber = {
  wabaId: string;
  phoneNumberId: string;
  /** As Meta shows it, e.g. "+1 555-078-3881". */
  displayPhoneNumber: string;
  verifiedName?: string;
  accessTokens?: string[];
};
type Waba = { id: string; tokens: Set<string>; phoneNumberIds: string[] };
type StoredMedia = { id: string; phoneNumberId: string; mimeType: string; data: Buffer };

/** Meta, Media reference (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media): "the URL is only valid for 5 minutes". */
const mediaUrlLifetimeMs = 5 * 60 * 1000;

/** Meta, "Send messages" (customer service windows): 24 hours from the customer's latest message. */
const serviceWindowMs = 24 * 60 * 60 * 1000;

const Recipient = z.string().regex(/^\+?\d{7,15}$/, "to must be a phone number");
const MessageBase = z.object({
  messaging_product: z.literal("whatsapp"),
  recipient_type: z.literal("individual").optional(),
  to: Recipient,
  biz_opaque_callback_data: z.string().max(512).optional(),
  // Judged by contextFailure (graph-api-reactions.ts) for Meta's code.
  context: ContextObject.optional(),
});
const OutboundMessage = z.discriminatedUnion("type", [
  MessageBase.extend({
    type: z.literal("text"),
    text: z.strictObject({ body: z.string().min(1).max(4096), preview_url: z.boolean().optional() }),
  }),
  MessageBase.extend({ type: z.literal("reaction"), reaction: ReactionObject }),
  MessageBase.extend({ type: z.literal("image"), image: MediaObjects.image }),
  MessageBase.extend({ type: z.literal("video"), video: MediaObjects.video }),
  MessageBase.extend({ type: z.literal("document"), document: MediaObjects.document }),
  MessageBase.extend({ type: z.literal("audio"), audio: MediaObjects.audio }),
  MessageBase.extend({ type: z.literal("sticker"), sticker: MediaObjects.sticker }),
  MessageBase.extend({
    type: z.literal("template"),
    template: z.strictObject({
      name: z.string().min(1).max(512),
      language: z.strictObject({ code: z.string().min(2) }),
      components: z
        .array(
          z.object({
            type: z.enum(["header", "body", "button"]),
            sub_type: z.string().optional(),
            index: z.string().optional(),
            // Values are Meta's to judge (templateSendFailure): `{type: "text"}` without text is a 131008.
            parameters: z.array(z.looseObject({})),
          }),
        )
        .optional(),
    }),
  }),
]);
type OutboundMessage = z.infer<typeof OutboundMessage>;

/** Starts the fake on 127.0.0.1 with a random port. */
export async function startFakeGraphApi(options: FakeGraphApiOptions = {}): Promise<FakeGraphApi> {
  const accessToken = options.accessToken ?? "fake-graph-token";
  const now = options.now ?? Date.now;
  const requests: RecordedRequest[] = [];
  const sentMessages: SentMessage[] = [];
  const uploads: UploadedMedia[] = [];
  const templatesByWaba = new Map<string, MetaTemplate[]>();
  /** Latest inbound per "{phoneNumberId}:{waId}", epoch ms. */
  const lastInboundAt = new Map<string, number>();
  let queuedFailures: ScriptedFailure[] = [];
  let failuresByRecipient = new Map<string, GraphFailure>();
  let tokenExpired = false;
  const validTokens = new Set([accessToken]);
  const mediaById = new Map<string, StoredMedia>();
  /** Download urls handed out by GET /{media-id}: random `mid` → media id and expiry (epoch ms). */
  const mediaUrls = new Map<string, { mediaId: string; expiresAt: number }>();
  const wabas = new Map<string, Waba>();
  const phoneNumbers = new Map<string, RegisteredPhoneNumber>();
  const unknownObject = (response: Response, id: string) => sendUnknownObject(response, id, "get");
  const wabaNamed = (wabaId: string) => {
    const waba = wabas.get(wabaId) ?? { id: wabaId, tokens: new Set([accessToken]), phoneNumberIds: [] };
    wabas.set(wabaId, waba);
    return waba;
  };
  /** The customer messages each number received, by "{phoneNumberId}:{waId}:{wamid}": what a business may react to. */
  const receivedMessages = new Map<string, ReceivedMessage>();
  const recordInbound = (phoneNumberId: string, from: string, at: number, message?: { wamid: string; type: string }) => {
    const key = `${phoneNumberId}:${from.replace(/^\+/, "")}`;
    lastInboundAt.set(key, Math.max(lastInboundAt.get(key) ?? Number.NEGATIVE_INFINITY, at));
    if (message) receivedMessages.set(`${key}:${message.wamid}`, { wamid: message.wamid, at, type: message.type });
  };
  const windowOpen = (phoneNumberId: string, waId: string) =>
    options.serviceWindow === "ignored" || now() < (lastInboundAt.get(`${phoneNumberId}:${waId}`) ?? Number.NEGATIVE_INFINITY) + serviceWindowMs;
  const tokenOf = (request: Request) => /^Bearer (\S+)$/.exec(request.get("authorization") ?? "")?.[1] ?? "";
  const reachableWaba = (request: Request, wabaId: string | undefined) => {
    const waba = wabas.get(wabaId ?? "");
    return waba?.tokens.has(tokenOf(request)) ? waba : null;
  };
  const presentPhoneNumber = (number: RegisteredPhoneNumber) => ({
    verified_name: number.verifiedName ?? "Switchboard Test Business",
    code_verification_status: "VERIFIED",
    display_phone_number: number.displayPhoneNumber,
    quality_rating: "GREEN",
    platform_type: "CLOUD_API",
    throughput: { level: "STANDARD" },
    id: number.phoneNumberId,
  });

  let templateSequence = 1;

  const app = express();
  app.use(express.json());
  app.use((request, response, next) => {
    requests.push({
      method: request.method,
      path: request.path,
      query: { ...request.query },
      authorization: request.get("authorization") ?? null,
      body: request.body,
    });
    const failure = queuedFailures.shift();
    if (failure && "dropConnection" in failure) return void request.socket.destroy();
    if (failure) return void sendGraphError(response, failure);
    // Meta: Graph API access tokens — a token Meta never issued is OAuthException code 190 (whatsapp.md §3).
    if (!validTokens.has(tokenOf(request))) {
      return void sendGraphError(response, { code: 190, message: "Invalid OAuth access token - Cannot parse access token" });
    }
    // Meta: "Graph API error handling" — an expired session is 190 with subcode 463.
    if (tokenExpired) return void sendGraphError(response, { code: 190, subcode: 463 });
    next();
  });

  // Meta: Messages reference (POST /{phone-number-id}/messages) and "Send messages": the number
  // must be one the token manages, a template must be the number's WABA's to send, and free-form
  // messages need the customer service window (whatsapp.md §2-4).
  app.post("/:version/:phoneNumberId/messages", (request, response) => {
    if (!isVersion(request.params.version)) return void sendUnknownPath(response);
    const { phoneNumberId } = request.params;
    const number = phoneNumbers.get(phoneNumberId);
    if (!number || !reachableWaba(request, number.wabaId)) return void sendUnknownObject(response, phoneNumberId, "post");
    const parsed = OutboundMessage.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return void sendGraphError(response, { code: 100, details: `${issue?.path.join(".")}: ${issue?.message}` });
    }
    const waId = parsed.data.to.replace(/^\+/, "");
    const recipientFailure = failuresByRecipient.get(waId);
    if (recipientFailure) return void sendGraphError(response, recipientFailure);
    if (parsed.data.type in MediaObjects) {
      const kind = parsed.data.type as MediaKind;
      const media = (parsed.data as unknown as Record<MediaKind, { id?: string; link?: string }>)[kind];
      // An id is one a token of the number's WABA uploaded or received.
      const known = (id: string) => {
        const stored = mediaById.get(id);
        return stored !== undefined && phoneNumbers.get(stored.phoneNumberId)?.wabaId === number.wabaId;
      };
      const mediaFailure = mediaObjectFailure(kind, media, known);
      if (mediaFailure) return void sendGraphError(response, mediaFailure);
    }
    if (parsed.data.type === "template") {
      const templateFailure = templateSendFailure(templatesByWaba.get(number.wabaId) ?? [], parsed.data.template);
      if (templateFailure) return void sendGraphError(response, templateFailure);
      // A media header's object follows the media object's rules (graph-api-media.ts): id xor link, an id Meta holds.
      const headerFailure = templateHeaderMediaFailure(parsed.data.template.components ?? [], (id) => {
        const stored = mediaById.get(id);
        return stored !== undefined && phoneNumbers.get(stored.phoneNumberId)?.wabaId === number.wabaId;
      });
      if (headerFailure) return void sendGraphError(response, headerFailure);
    } else if (!windowOpen(phoneNumberId, waId)) {
      return void sendGraphError(response, { code: 131047 });
    }
    const replyFailure =
      contextFailure(parsed.data.context) ??
      (parsed.data.type === "reaction"
        ? reactionFailure(parsed.data.reaction, receivedMessages.get(`${phoneNumberId}:${waId}:${String(parsed.data.reaction.message_id)}`), now())
        : null);
    if (replyFailure) return void sendGraphError(response, replyFailure);
    const wamid = `wamid.${randomBytes(24).toString("base64url")}`;
    sentMessages.push({ phoneNumberId, wamid, body: parsed.data });
    response.json({
      messaging_product: "whatsapp",
      contacts: [{ input: parsed.data.to, wa_id: waId }],
      messages: [{ id: wamid, ...(parsed.data.type === "template" ? { message_status: "accepted" } : {}) }],
    });
  });

  // Meta: Media reference, "Upload media" (graph-api-media.ts has the rules and their pages).
  app.post("/:version/:phoneNumberId/media", express.raw({ type: () => true, limit: "150mb" }), async (request, response) => {
    if (!isVersion(request.params.version)) return void sendUnknownPath(response);
    const { phoneNumberId } = request.params;
    const number = phoneNumbers.get(phoneNumberId);
    if (!number || !reachableWaba(request, number.wabaId)) return void sendUnknownObject(response, phoneNumberId, "post");
    const form = await readUploadForm(request.get("content-type") ?? "", Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0));
    if ("code" in form) return void sendGraphError(response, form);
    const id = String(2_000_000_000_000_000n + BigInt(uploads.length + 1) * 7919n);
    mediaById.set(id, { id, phoneNumberId, mimeType: form.mimeType, data: form.data });
    uploads.push({ id, phoneNumberId, ...form });
    response.json({ id });
  });

  app.get("/:version/:wabaId/message_templates", (request, response) => {
    if (!isVersion(request.params.version)) return void sendUnknownPath(response);
    // Meta: WhatsApp Business Account reference, message_templates edge — needs a token that manages the WABA.
    if (!reachableWaba(request, request.params.wabaId)) return void unknownObject(response, request.params.wabaId);
    const templates = templatesByWaba.get(request.params.wabaId) ?? [];
    const limit = Math.min(Number(request.query.limit ?? 25) || 25, 1000);
    const offset = decodeCursor(request.query.after);
    const fields = typeof request.query.fields === "string" ? request.query.fields.split(",") : null;
    const page = templates.slice(offset, offset + limit).map((template) => pickFields(template, fields));
    const nextOffset = offset + limit;
    const next = new URL(`${baseUrl()}${request.path}`);
    if (fields) next.searchParams.set("fields", fields.join(","));
    next.searchParams.set("limit", String(limit));
    next.searchParams.set("after", encodeCursor(nextOffset));
    response.json({
      data: page,
      paging: {
        cursors: { before: encodeCursor(offset), after: encodeCursor(nextOffset) },
        ...(nextOffset < templates.length ? { next: next.toString() } : {}),
      },
    });
  });

  // Meta: Media reference, "Download media" (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media):
  // GET the url with `Authorization: Bearer <token>` (the middleware above refuses a request without
  // a valid one, 401); "if the media URL has expired, you will get a 404" — fetch the url again.
  app.get("/whatsapp_business/attachments/", (request, response) => {
    const handed = mediaUrls.get(String(request.query.mid ?? ""));
    const media = handed && handed.expiresAt > now() ? mediaById.get(handed.mediaId) : undefined;
    const number = media ? phoneNumbers.get(media.phoneNumberId) : undefined;
    if (!media || !number || !reachableWaba(request, number.wabaId)) return void response.status(404).end();
    response.type(media.mimeType).send(media.data);
  });

  // Meta: WhatsApp Business Phone Number reference — GET /{phone-number-id} returns
  // {verified_name, code_verification_status, display_phone_number, quality_rating, platform_type,
  // throughput, id}; `fields` narrows it (the id always comes back).
  app.get("/:version/:objectId", (request, response) => {
    if (!isVersion(request.params.version)) return void sendUnknownPath(response);
    const media = mediaById.get(request.params.objectId);
    if (media) {
      // Meta: Media reference, "Retrieve media URL" (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media):
      // GET /{media-id} returns {messaging_product, url, mime_type, sha256, file_size, id}; the url is
      // valid for 5 minutes. Like any object of the WABA, only a token that manages it may read it.
      const number = phoneNumbers.get(media.phoneNumberId);
      if (!number || !reachableWaba(request, number.wabaId)) return void unknownObject(response, media.id);
      const mid = randomBytes(18).toString("base64url");
      mediaUrls.set(mid, { mediaId: media.id, expiresAt: now() + mediaUrlLifetimeMs });
      return void response.json({
        messaging_product: "whatsapp",
        url: `${baseUrl()}/whatsapp_business/attachments/?mid=${mid}`,
        mime_type: media.mimeType,
        sha256: createHash("sha256").update(media.data).digest("hex"),
        file_size: media.data.length,
        id: media.id,
      });
    }
    const number = phoneNumbers.get(request.params.objectId);
    if (!number || !reachableWaba(request, number.wabaId)) return void unknownObject(response, request.params.objectId);
    response.json(pickFields(presentPhoneNumber(number), fieldsOf(request)));
  });

  // Meta: WhatsApp Business Account reference, phone_numbers edge — GET /{waba-id}/phone_numbers
  // returns {data: [phone number as above], paging: {cursors: {before, after}}}; Meta's documented
  // way to list a WABA's numbers (Embedded Signup, "Manage Phone Numbers and Certificates").
  app.get("/:version/:wabaId/phone_numbers", (request, response) => {
    if (!isVersion(request.params.version)) return void sendUnknownPath(response);
    const waba = reachableWaba(request, request.params.wabaId);
    if (!waba) return void unknownObject(response, request.params.wabaId);
    const fields = fieldsOf(request);
    const data = waba.phoneNumberIds.flatMap((id) => {
      const number = phoneNumbers.get(id);
      return number ? [pickFields(presentPhoneNumber(number), fields)] : [];
    });
    response.json({ data, paging: { cursors: { before: encodeCursor(0), after: encodeCursor(data.length) } } });
  });

  // Meta: WhatsApp Business Account Subscribed Apps reference — GET /{waba-id}/subscribed_apps
  // returns {data: [{whatsapp_business_api_data: {link, name, id}}]}, the apps receiving the
  // WABA's webhooks; it needs a token that may manage the WABA.
  app.get("/:version/:wabaId/subscribed_apps", (request, response) => {
    if (!isVersion(request.params.version)) return void sendUnknownPath(response);
    const waba = reachableWaba(request, request.params.wabaId);
    if (!waba) return void unknownObject(response, request.params.wabaId);
    response.json({ data: [{ whatsapp_business_api_data: { link: "https://switchboard.test/", name: "Switchboard", id: "100000000000001" } }] });
  });

  app.use((_request, response) => sendUnknownPath(response));
  // express.json() rejects a body that isn't JSON; Graph answers that as an invalid parameter.
  app.use((_error: unknown, _request: Request, response: Response, _next: () => void) => {
    sendGraphError(response, { code: 100, details: "request body is not valid JSON" });
  });

  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const baseUrl = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl(),
    accessToken,
    requests,
    sentMessages,
    uploads,
    setTemplates: (wabaId, templates) => {
      wabaNamed(wabaId);
      templatesByWaba.set(wabaId, templates);
    },
    registerTemplate: (wabaId, template) => {
      wabaNamed(wabaId);
      const others = (templatesByWaba.get(wabaId) ?? []).filter((meta) => meta.name !== template.name || meta.language !== template.language);
      templatesByWaba.set(wabaId, [...others, metaTemplateOf(template, String(1_000_000_000_000_000 + templateSequence++))]);
    },
    recordInbound: ({ phoneNumberId, from, at, wamid, type }) =>
      recordInbound(phoneNumberId, from, at?.getTime() ?? now(), wamid ? { wamid, type: type ?? "text" } : undefined),
    registerPhoneNumber: (number) => {
      const previous = phoneNumbers.get(number.phoneNumberId);
      const formerWaba = previous ? wabas.get(previous.wabaId) : undefined;
      if (formerWaba) formerWaba.phoneNumberIds = formerWaba.phoneNumberIds.filter((id) => id !== number.phoneNumberId);
      const waba = wabas.get(number.wabaId) ?? { id: number.wabaId, tokens: new Set<string>(), phoneNumberIds: [] };
      wabas.set(waba.id, waba);
      for (const token of number.accessTokens ?? [accessToken]) {
        waba.tokens.add(token);
        validTokens.add(token);
      }
      waba.phoneNumberIds.push(number.phoneNumberId);
      phoneNumbers.set(number.phoneNumberId, number);
    },
    addAccessToken: (token) => void validTokens.add(token),
    registerMedia: ({ phoneNumberId, mimeType, data }) => {
      const id = String(1_000_000_000_000_000n + BigInt(mediaById.size + 1) * 7919n);
      mediaById.set(id, { id, phoneNumberId, mimeType, data });
      return id;
    },
    failNext: (failure) => void queuedFailures.push(failure),
    failFor: (to, failure) => void failuresByRecipient.set(to.replace(/^\+/, ""), failure),
    expireToken: () => {
      tokenExpired = true;
    },
    deliverWebhook: (url, appSecret, payload) => {
      for (const inbound of inboundMessagesOf(payload)) recordInbound(inbound.phoneNumberId, inbound.from, inbound.at, inbound.message);
      return deliverSignedWebhook(url, appSecret, payload);
    },
    reset: () => {
      requests.length = 0;
      sentMessages.length = 0;
      uploads.length = 0;
      queuedFailures = [];
      failuresByRecipient = new Map();
      tokenExpired = false;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * POSTs a webhook the way Meta does: the exact bytes that were signed, with
 * `X-Hub-Signature-256: sha256=<hex>`. A string or Buffer payload is sent byte for byte;
 * anything else is serialised once with JSON.stringify.
 */
export async function deliverSignedWebhook(url: string, appSecret: string, payload: unknown): Promise<WebhookDelivery> {
  const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(typeof payload === "string" ? payload : JSON.stringify(payload));
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "user-agent": "facebookexternalua",
      "x-hub-signature-256": signWebhookBody(appSecret, bytes),
    },
    body: new Uint8Array(bytes),
  });
  return { status: response.status, text: await response.text() };
}

function sendUnknownPath(response: Response) {
  sendGraphError(response, { code: 2500, message: "Unknown path components" });
}

function isVersion(version: string | undefined): boolean {
  return /^v\d+\.\d+$/.test(version ?? "");
}

function fieldsOf(request: Request): string[] | null {
  return typeof request.query.fields === "string" ? request.query.fields.split(",") : null;
}

function pickFields(template: Record<string, unknown>, fields: string[] | null): Record<string, unknown> {
  if (!fields) return template;
  // Graph returns only the requested fields, plus the id.
  return Object.fromEntries(Object.entries(template).filter(([key]) => key === "id" || fields.includes(key)));
}

const encodeCursor = (offset: number) => Buffer.from(`offset:${offset}`).toString("base64url");
function decodeCursor(cursor: Request["query"][string]): number {
  if (typeof cursor !== "string") return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString());
  return match ? Number(match[1]) : 0;
}

/** The inbound messages of a webhook payload (Meta's envelope, whatsapp.md §6.3) that carry a phone and a time. */
function inboundMessagesOf(payload: unknown): { phoneNumberId: string; from: string; at: number; message?: { wamid: string; type: string } }[] {
  let body: unknown = payload;
  if (typeof payload === "string" || Buffer.isBuffer(payload)) {
    try {
      body = JSON.parse(payload.toString());
    } catch {
      return [];
    }
  }
  const parsed = InboundEnvelope.safeParse(body);
  if (!parsed.success) return [];
  return parsed.data.entry.flatMap((entry) =>
    entry.changes.flatMap(({ value }) =>
      (value.messages ?? []).flatMap((message) =>
        value.metadata && message.from && message.timestamp
          ? [
              {
                phoneNumberId: value.metadata.phone_number_id,
                from: message.from,
                at: Number(message.timestamp) * 1000,
                ...(message.id ? { message: { wamid: message.id, type: message.type ?? "text" } } : {}),
              },
            ]
          : [],
      ),
    ),
  );
}

const InboundEnvelope = z.object({
  entry: z.array(
    z.object({
      changes: z.array(
        z.object({
          value: z.object({
            metadata: z.object({ phone_number_id: z.string() }).optional(),
            messages: z
              .array(
                z.object({
                  id: z.string().optional(),
                  type: z.string().optional(),
                  from: z.string().optional(),
                  timestamp: z.string().regex(/^\d+$/).optional(),
                }),
              )
              .optional(),
          }),
        }),
      ),
    }),
  ),
});
