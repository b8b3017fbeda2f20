import { z } from "zod";
import { CloudApiError, cloudApiErrorFromGraph, cloudApiErrorFromNetwork } from "./cloud-api-error";
import { e164ToWaId } from "./phone";

export { CloudApiError, type CloudApiErrorKind, cloudApiErrorKinds, pairRateDelayMs } from "./cloud-api-error";

export const defaultGraphBaseUrl = "https://graph.facebook.com";
/** The newest version in Meta's current examples (whatsapp.md §1); Graph versions live about two years. */
export const defaultGraphApiVersion = "v25.0";
const defaultTimeoutMs = 15_000;
const maxTemplatePages = 100;
const maxTextLength = 4096;
const maxCallbackDataBytes = 512;

export type CloudClientOptions = { baseUrl?: string; apiVersion?: string; timeoutMs?: number };

/** A message the Cloud API accepted (not yet delivered: delivery arrives later as status webhooks). */
export type AcceptedMessage = { wamid: string; recipientWaId: string | null };

type SendCommon = {
  phoneNumberId: string;
  accessToken: string;
  /** E.164 ("+15551234567") or a wa_id ("15551234567"). */
  to: string;
  /** Echoed back by Meta in status webhooks (≤ 512 bytes): a good place for our message id. */
  callbackData?: string;
  /** Sent as `context: {message_id}`: the message quotes this one (Meta's messages reference, "context"). */
  replyToWamid?: string;
};

export type SendTextInput = SendCommon & { body: string; previewUrl?: boolean };
export type SendTemplateInput = SendCommon & {
  templateName: string;
  languageCode: string;
  /** Values for the body's positional placeholders {{1}}, {{2}}, … in order. */
  bodyParameters?: string[];
  /** The media header's file, uploaded to Meta (a template whose HEADER format is IMAGE, VIDEO or DOCUMENT). */
  headerMedia?: { kind: "image" | "video" | "document"; mediaId: string; fileName?: string };
};

/** A file for Meta to hold (POST /{phone-number-id}/media): Meta answers with the id a message then sends. */
export type UploadMediaInput = { phoneNumberId: string; accessToken: string; data: Buffer; mimeType: string; fileName: string };
export type MediaMessageKind = "image" | "document" | "audio" | "video" | "sticker";
export type SendMediaInput = SendCommon & {
  kind: MediaMessageKind;
  /** The id uploadMedia returned. */
  mediaId: string;
  /** Images, videos and documents only (Meta: audio and stickers carry none). */
  caption?: string | null;
  /** Documents only: the name the customer sees. */
  fileName?: string | null;
};

export type MessageTemplate = {
  id: string;
  name: string;
  language: string;
  /** APPROVED, PENDING, REJECTED, PAUSED, DISABLED, …; kept open because Meta adds states. */
  status: string;
  category: string;
  bodyText: string | null;
};

/**
 * An emoji on a customer's message (Meta, "Reaction messages":
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/reaction-messages);
 * an empty emoji takes the business's reaction back.
 */
export type SendReactionInput = SendCommon & { messageWamid: string; emoji: string };

/** A business phone number as the token sees it (GET /{phone-number-id}). */
export type BusinessPhoneNumber = { id: string; displayPhoneNumber: string | null; verifiedName: string | null };

export type CloudClient = {
  sendText(input: SendTextInput): Promise<AcceptedMessage>;
  sendTemplate(input: SendTemplateInput): Promise<AcceptedMessage>;
  /** Uploads a file to Meta for the number (Meta's media reference, "Upload media"); returns Meta's media id. */
  uploadMedia(input: UploadMediaInput): Promise<string>;
  /** Sends an uploaded file as an image, document, audio, video or sticker message. */
  sendMedia(input: SendMediaInput): Promise<AcceptedMessage>;
  listTemplates(input: { wabaId: string; accessToken: string; pageSize?: number }): Promise<MessageTemplate[]>;
  /** The number, if the token may read it; Graph answers 100/33 when it may not. */
  getPhoneNumber(input: { phoneNumberId: string; accessToken: string }): Promise<BusinessPhoneNumber>;
  /** The ids of the WABA's phone numbers (GET /{waba-id}/phone_numbers, every page). */
  listPhoneNumberIds(input: { wabaId: string; accessToken: string }): Promise<string[]>;
  /** The apps subscribed to the WABA's webhooks (GET /{waba-id}/subscribed_apps); needs a token that manages the WABA. */
  listSubscribedApps(input: { wabaId: string; accessToken: string }): Promise<{ id: string | null; name: string | null }[]>;
  /** An inbound file's short-lived download url and facts (GET /{media-id}, Meta's media reference). */
  getMedia(input: { mediaId: string; accessToken: string }): Promise<MediaInfo>;
  /**
   * The file behind a url from getMedia, fetched with the token (Meta requires the bearer). Only
   * Meta's hosts (or the configured Graph origin) get the token; reading stops past `maxBytes`.
   */
  downloadMedia(input: { url: string; accessToken: string; maxBytes: number }): Promise<Buffer>;
  /** Sets (or, with "", removes) the business's reaction to a customer's message. */
  sendReaction(input: SendReactionInput): Promise<AcceptedMessage>;
};

export type MediaInfo = { id: string; url: string; mimeType: string; sha256: string | null; fileSize: number | null };

const optionalCatch = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
const GraphErrorResponse = z.object({
  error: z.object({
    message: optionalCatch(z.string()),
    type: optionalCatch(z.string()),
    code: optionalCatch(z.number().int()),
    error_subcode: optionalCatch(z.number().int()),
    error_data: optionalCatch(z.object({ details: optionalCatch(z.string()) })),
    fbtrace_id: optionalCatch(z.string()),
  }),
});
const SendResponse = z.object({
  contacts: z.array(z.object({ wa_id: z.string() })).optional(),
  messages: z.array(z.object({ id: z.string().min(1) })).min(1),
});
const PhoneNumberNode = z.object({
  id: z.string().min(1),
  display_phone_number: optionalCatch(z.string()),
  verified_name: optionalCatch(z.string()),
});
const PhoneNumbersPage = z.object({
  data: z.array(z.object({ id: z.string().min(1) })),
  paging: z.object({ next: z.string().optional() }).optional(),
});
const SubscribedApps = z.object({
  data: z.array(z.object({ whatsapp_business_api_data: optionalCatch(z.object({ id: optionalCatch(z.string()), name: optionalCatch(z.string()) })) })),
});
const TemplatesPage = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      language: z.string(),
      status: z.string(),
      category: z.string(),
      components: z.array(z.object({ type: z.string(), text: z.string().optional() })).optional(),
    }),
  ),
  paging: z.object({ next: z.string().optional() }).optional(),
});

/**
 * A client for the WhatsApp Cloud API (Graph API) over global fetch. Every failure is a
 * CloudApiError; it does not retry by itself, so callers (a send queue) decide from
 * `kind`/`retryable`/`retryAfterMs` whether to back off, delay the recipient or give up.
 */
export function createCloudClient(options: CloudClientOptions = {}): CloudClient {
  const baseUrl = (options.baseUrl ?? defaultGraphBaseUrl).replace(/\/+$/, "");
  const apiVersion = options.apiVersion ?? defaultGraphApiVersion;
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const graphUrl = (...segments: string[]) => new URL(`${baseUrl}/${[apiVersion, ...segments].map(encodeURIComponent).join("/")}`);

  async function call(url: URL, accessToken: string, body?: unknown): Promise<unknown> {
    let response: Response;
    let text: string;
    try {
      const form = body instanceof FormData;
      response = await fetch(url, {
        method: body === undefined ? "GET" : "POST",
        headers: {
          authorization: `Bearer ${accessToken}`,
          // fetch writes a FormData's multipart content type, boundary included, itself.
          ...(body === undefined || form ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : form ? body : JSON.stringify(body),
        // An upload of up to 100 MB gets longer than a JSON call.
        signal: AbortSignal.timeout(form ? timeoutMs * 8 : timeoutMs),
      });
      text = await response.text();
    } catch (cause) {
      throw cloudApiErrorFromNetwork(cause);
    }
    const json = parseJson(text);
    const graphError = GraphErrorResponse.safeParse(json);
    if (!response.ok || graphError.success) {
      throw cloudApiErrorFromGraph(response.status, graphError.success ? graphError.data.error : null, response.headers.get("retry-after"));
    }
    return json;
  }

  async function send(input: SendCommon, message: Record<string, unknown>): Promise<AcceptedMessage> {
    const body = {
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: recipientOf(input.to),
      ...(input.replyToWamid ? { context: { message_id: input.replyToWamid } } : {}),
      ...message,
    };
    if (input.callbackData !== undefined) {
      if (Buffer.byteLength(input.callbackData) > maxCallbackDataBytes) {
        throw new RangeError(`callbackData exceeds ${maxCallbackDataBytes} bytes`);
      }
      Object.assign(body, { biz_opaque_callback_data: input.callbackData });
    }
    const json = await call(graphUrl(input.phoneNumberId, "messages"), input.accessToken, body);
    const accepted = SendResponse.safeParse(json);
    const wamid = accepted.data?.messages[0]?.id;
    // A 200 without a wamid: the message may be out, so this must not be retried blindly.
    if (!wamid) throw unexpectedResponse("send response has no messages[].id");
    return { wamid, recipientWaId: accepted.data?.contacts?.[0]?.wa_id ?? null };
  }

  return {
    async getMedia({ mediaId, accessToken }) {
      const parsed = MediaNode.safeParse(await call(graphUrl(mediaId), accessToken));
      if (!parsed.success) throw unexpectedResponse("media is not { url, mime_type, ... }");
      const { id, url, mime_type, sha256, file_size } = parsed.data;
      return { id, url, mimeType: mime_type, sha256: sha256 ?? null, fileSize: file_size ?? null };
    },

    async downloadMedia({ url, accessToken, maxBytes }) {
      if (!isMediaUrl(url, baseUrl)) throw new RangeError("not a Meta media URL");
      let response: Response;
      try {
        response = await fetch(url, { headers: { authorization: `Bearer ${accessToken}` }, signal: AbortSignal.timeout(timeoutMs * 4) });
      } catch (cause) {
        throw cloudApiErrorFromNetwork(cause);
      }
      if (!response.ok || !response.body) {
        const text = await response.text().catch(() => "");
        const graphError = GraphErrorResponse.safeParse(parseJson(text));
        throw cloudApiErrorFromGraph(response.status, graphError.success ? graphError.data.error : null, response.headers.get("retry-after"));
      }
      const declared = Number(response.headers.get("content-length") ?? Number.NaN);
      if (declared > maxBytes) {
        await response.body.cancel();
        throw new RangeError(`media is larger than ${maxBytes} bytes`);
      }
      const chunks: Buffer[] = [];
      let total = 0;
      try {
        for await (const chunk of response.body) {
          total += chunk.byteLength;
          if (total > maxBytes) throw new RangeError(`media is larger than ${maxBytes} bytes`);
          chunks.push(Buffer.from(chunk));
        }
      } catch (error) {
        if (error instanceof RangeError) throw error;
        throw cloudApiErrorFromNetwork(error);
      }
      return Buffer.concat(chunks);
    },

    async sendText(input) {
      if (input.body.trim() === "" || input.body.length > maxTextLength) {
        throw new RangeError(`text body must be 1-${maxTextLength} characters`);
      }
      return send(input, {
        type: "text",
        text: { preview_url: input.previewUrl ?? false, body: input.body },
      });
    },

    async sendTemplate(input) {
      const parameters = (input.bodyParameters ?? []).map((text) => ({ type: "text", text }));
      // Meta, "Send message templates", components: a media header is one parameter of its
      // format, {type: "image", image: {id}} (a document also carries its filename).
      const header = input.headerMedia;
      const components = [
        ...(header
          ? [
              {
                type: "header",
                parameters: [
                  {
                    type: header.kind,
                    [header.kind]: { id: header.mediaId, ...(header.kind === "document" && header.fileName ? { filename: header.fileName } : {}) },
                  },
                ],
              },
            ]
          : []),
        ...(parameters.length > 0 ? [{ type: "body", parameters }] : []),
      ];
      return send(input, {
        type: "template",
        template: {
          name: input.templateName,
          language: { code: input.languageCode },
          ...(components.length > 0 ? { components } : {}),
        },
      });
    },

    async uploadMedia({ phoneNumberId, accessToken, data, mimeType, fileName }) {
      // Meta, Media reference "Upload media": multipart/form-data with `file` (typed), `type` (its
      // MIME type) and `messaging_product=whatsapp`; the answer is {id}.
      const form = new FormData();
      form.set("messaging_product", "whatsapp");
      form.set("type", mimeType);
      form.set("file", new Blob([new Uint8Array(data)], { type: mimeType }), fileName);
      const parsed = UploadResponse.safeParse(await call(graphUrl(phoneNumberId, "media"), accessToken, form));
      if (!parsed.success) throw unexpectedResponse("upload response has no id");
      return parsed.data.id;
    },

    async sendMedia(input) {
      // Meta, Messages reference, media object: `id` (or `link`); `caption` on image, video and
      // document only; `filename` on document only.
      const captioned = input.kind === "image" || input.kind === "video" || input.kind === "document";
      const media = {
        id: input.mediaId,
        ...(captioned && input.caption ? { caption: input.caption } : {}),
        ...(input.kind === "document" && input.fileName ? { filename: input.fileName } : {}),
      };
      return send(input, { type: input.kind, [input.kind]: media });
    },

    async listTemplates({ wabaId, accessToken, pageSize = 100 }) {
      const templates: MessageTemplate[] = [];
      let url: URL | null = graphUrl(wabaId, "message_templates");
      url.searchParams.set("fields", "id,name,language,status,category,components");
      url.searchParams.set("limit", String(pageSize));
      for (let page = 0; url; page++) {
        if (page >= maxTemplatePages) throw unexpectedResponse(`more than ${maxTemplatePages} template pages`);
        const parsed = TemplatesPage.safeParse(await call(url, accessToken));
        if (!parsed.success) throw unexpectedResponse("template page is not { data: [...] }");
        templates.push(...parsed.data.data.map(presentTemplate));
        url = parsed.data.paging?.next ? sameOriginUrl(parsed.data.paging.next, baseUrl) : null;
      }
      return templates;
    },

    async getPhoneNumber({ phoneNumberId, accessToken }) {
      const url = graphUrl(phoneNumberId);
      url.searchParams.set("fields", "id,display_phone_number,verified_name");
      const parsed = PhoneNumberNode.safeParse(await call(url, accessToken));
      if (!parsed.success) throw unexpectedResponse("phone number is not { id, ... }");
      const { id, display_phone_number, verified_name } = parsed.data;
      return { id, displayPhoneNumber: display_phone_number ?? null, verifiedName: verified_name ?? null };
    },

    async listPhoneNumberIds({ wabaId, accessToken }) {
      const ids: string[] = [];
      let url: URL | null = graphUrl(wabaId, "phone_numbers");
      url.searchParams.set("fields", "id");
      url.searchParams.set("limit", "100");
      for (let page = 0; url; page++) {
        if (page >= maxTemplatePages) throw unexpectedResponse(`more than ${maxTemplatePages} phone number pages`);
        const parsed = PhoneNumbersPage.safeParse(await call(url, accessToken));
        if (!parsed.success) throw unexpectedResponse("phone number page is not { data: [...] }");
        ids.push(...parsed.data.data.map((number) => number.id));
        url = parsed.data.paging?.next ? sameOriginUrl(parsed.data.paging.next, baseUrl) : null;
      }
      return ids;
    },

    async listSubscribedApps({ wabaId, accessToken }) {
      const parsed = SubscribedApps.safeParse(await call(graphUrl(wabaId, "subscribed_apps"), accessToken));
      if (!parsed.success) throw unexpectedResponse("subscribed apps are not { data: [...] }");
      return parsed.data.data.map((app) => ({ id: app.whatsapp_business_api_data?.id ?? null, name: app.whatsapp_business_api_data?.name ?? null }));
    },

    async sendReaction(input) {
      return send(input, { type: "reaction", reaction: { message_id: input.messageWamid, emoji: input.emoji } });
    },
  };
}

const UploadResponse = z.object({ id: z.string().min(1) });

const MediaNode = z.object({
  id: z.string().min(1),
  url: z.string().min(1),
  mime_type: z.string().min(1),
  sha256: z.string().optional(),
  file_size: z.coerce.number().int().nonnegative().optional(),
});

/** Meta serves media from its CDN (lookaside.fbsbx.com) over https; the fake from the Graph origin itself. */
function isMediaUrl(url: string, baseUrl: string): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  if (parsed.origin === new URL(baseUrl).origin) return true;
  return parsed.protocol === "https:" && /(^|\.)(fbsbx\.com|facebook\.com|fbcdn\.net|whatsapp\.net)$/.test(parsed.hostname);
}

function recipientOf(to: string): string {
  const waId = e164ToWaId(to.trim());
  if (!/^\d{7,15}$/.test(waId)) throw new RangeError("`to` must be an E.164 number or a wa_id");
  return waId;
}

function presentTemplate(template: z.infer<typeof TemplatesPage>["data"][number]): MessageTemplate {
  const body = template.components?.find((component) => component.type.toUpperCase() === "BODY");
  const { id, name, language, status, category } = template;
  return { id, name, language, status, category, bodyText: body?.text ?? null };
}

// The bearer token goes with every request, so a `next` link may only lead back to the Graph API.
function sameOriginUrl(next: string, baseUrl: string): URL {
  const url = URL.canParse(next) ? new URL(next) : null;
  if (!url || url.origin !== new URL(baseUrl).origin) throw unexpectedResponse("paging.next leaves the Graph API");
  return url;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function unexpectedResponse(reason: string): CloudApiError {
  return new CloudApiError("other", `Unexpected Graph API response: ${reason}`, {
    code: null,
    subcode: null,
    httpStatus: 200,
    details: null,
    retryable: false,
    retryAfterMs: null,
    fbtraceId: null,
  });
}
