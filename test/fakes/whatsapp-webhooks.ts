import { randomBytes } from "node:crypto";

/**
 * Builders for WhatsApp webhook bodies in Meta's documented shapes (whatsapp.md §6.3-6.4).
 * A sender with only `bsuid` builds the 2026 variant in which the phone (wa_id/from) is absent
 * and the business-scoped user id travels in `user_id`.
 */
export type WebhookSender = { phone?: string; bsuid?: string };

export type InboundTextInput = {
  phoneNumberId: string;
  from: WebhookSender;
  body: string;
  name?: string;
  wamid?: string;
  /** Unix seconds. */
  timestamp?: number;
  wabaId?: string;
  displayPhoneNumber?: string;
  /** A reply: the wamid of the message quoted (Meta sends `context: {from, id}`). */
  replyTo?: string;
};

export type StatusInput = {
  phoneNumberId: string;
  wamid: string;
  status: string;
  recipient: WebhookSender;
  timestamp?: number;
  errors?: { code: number; title: string; message?: string; details?: string }[];
  callbackData?: string;
  wabaId?: string;
  /**
   * What Meta charged. Meta sends `pricing` with `sent` and with the first of `delivered`/`read`
   * only, never with `failed`; the builder assumes a `read` follows a `delivered` unless
   * `readWithoutDelivered` (Meta skips `delivered` when the user reads at once). Default: a
   * free-form reply inside the window (category service, type free_customer_service).
   */
  pricing?: Pricing;
  readWithoutDelivered?: boolean;
};

/** Meta's per-message pricing object (pricing_model PMP since July 2025; `billable` is deprecated). */
export type Pricing = {
  category: "service" | "utility" | "marketing" | "authentication" | "marketing_lite";
  type: "regular" | "free_customer_service" | "free_entry_point";
};

/** An inbound text message notification (field `messages`, `value.messages[]`). */
export function inboundTextWebhook(input: InboundTextInput) {
  return inboundMessageWebhook({ ...input, type: "text", content: { text: { body: input.body } } });
}

/** What every inbound message builder takes; `replyTo` adds Meta's `context`. */
export type InboundInput = Omit<InboundTextInput, "body">;

/**
 * A customer's reply (Meta, "Text messages webhook reference" and the other message references:
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/text):
 * `context: {from: <business display number>, id: <quoted wamid>}` beside the message's own fields.
 */
function contextOf(input: InboundInput) {
  return input.replyTo ? { context: { from: input.displayPhoneNumber ?? "15550783881", id: input.replyTo } } : {};
}

/**
 * A customer's reaction (Meta, "Reaction messages webhook reference",
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/reaction):
 * `reaction: {message_id, emoji}`; when the user removes their reaction, "the emoji property will be
 * omitted from the payload" (emoji: null here).
 */
export function reactionWebhook(input: InboundInput & { messageId: string; emoji: string | null }) {
  const reaction = { message_id: input.messageId, ...(input.emoji === null ? {} : { emoji: input.emoji }) };
  return inboundMessageWebhook({ ...input, type: "reaction", content: { reaction } });
}

/**
 * A shared location (Meta, "Location messages webhook reference",
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/location):
 * `location: {address, latitude, longitude, name, url}`, latitude and longitude as numbers.
 */
export function locationWebhook(input: InboundInput & { location: { latitude: number; longitude: number; name?: string; address?: string; url?: string } }) {
  return inboundMessageWebhook({ ...input, type: "location", content: { location: input.location } });
}

/**
 * Shared contact cards (Meta, "Contacts messages webhook reference",
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/contacts):
 * `contacts: [{name: {formatted_name, first_name, …}, phones: [{phone, wa_id, type}], …}]`; "many contact
 * object properties may be omitted".
 */
export function contactsWebhook(
  input: InboundInput & { cards: { formattedName: string; firstName?: string; phones: { phone: string; waId?: string; type?: string }[] }[] },
) {
  const contacts = input.cards.map((card) => ({
    name: { formatted_name: card.formattedName, ...(card.firstName ? { first_name: card.firstName } : {}) },
    phones: card.phones.map((phone) => ({ phone: phone.phone, ...(phone.waId ? { wa_id: phone.waId } : {}), type: phone.type ?? "CELL" })),
  }));
  return inboundMessageWebhook({ ...input, type: "contacts", content: { contacts } });
}

/**
 * A tap on a reply button or a list row of our interactive message (Meta, "Interactive messages webhook
 * reference", https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/interactive):
 * `interactive: {type: "button_reply", button_reply: {id, title}}` or `{type: "list_reply", list_reply: {id, title,
 * description}}`, always with `context` naming our message (`replyTo`, or a wamid made up here).
 */
export function interactiveReplyWebhook(
  input: InboundInput & {
    reply: { kind: "button_reply"; id: string; title: string } | { kind: "list_reply"; id: string; title: string; description?: string };
  },
) {
  const { kind, ...fields } = input.reply;
  return inboundMessageWebhook({
    ...input,
    replyTo: input.replyTo ?? newWamid(),
    type: "interactive",
    content: { interactive: { type: kind, [kind]: fields } },
  });
}

/**
 * A tap on a template's quick-reply button (Meta, "Button messages webhook reference",
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/button):
 * `button: {payload, text}`, always with `context` naming the template message (`replyTo`, or a wamid made up here).
 */
export function quickReplyButtonWebhook(input: InboundInput & { payload: string; text: string }) {
  return inboundMessageWebhook({
    ...input,
    replyTo: input.replyTo ?? newWamid(),
    type: "button",
    content: { button: { payload: input.payload, text: input.text } },
  });
}

/** Any inbound message: Meta's envelope, the sender's contact, and `content` (the type's own field) as given. */
export function inboundMessageWebhook(input: InboundInput & { type: string; content: Record<string, unknown> }) {
  const phone = input.from.phone?.replace(/^\+/, "");
  const bsuid = input.from.bsuid;
  return envelope(input.wabaId, {
    ...metadataOf(input.phoneNumberId, input.displayPhoneNumber),
    contacts: [
      {
        profile: { name: input.name ?? "Sheena Nelson" },
        ...(phone ? { wa_id: phone } : {}),
        ...(bsuid ? { user_id: bsuid } : {}),
      },
    ],
    messages: [
      {
        ...contextOf(input),
        ...(phone ? { from: phone } : {}),
        ...(bsuid ? { user_id: bsuid } : {}),
        id: input.wamid ?? newWamid(),
        timestamp: String(input.timestamp ?? 1749416383),
        type: input.type,
        ...input.content,
      },
    ],
  });
}

/**
 * A delivery status notification (field `messages`, `value.statuses[]`). Meta, "Status messages
 * webhook reference" (developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/
 * reference/messages/status): `pricing` is "only included with sent status, and one of either
 * delivered or read status"; `conversation` is "omitted entirely for v24.0+ unless webhook is for
 * a free entry point conversation" (we call v25.0, so it is never here); `errors` only on failure.
 */
export function statusWebhook(input: StatusInput) {
  const phone = input.recipient.phone?.replace(/^\+/, "");
  const bsuid = input.recipient.bsuid;
  return envelope(input.wabaId, {
    ...metadataOf(input.phoneNumberId),
    statuses: [
      {
        id: input.wamid,
        status: input.status,
        timestamp: String(input.timestamp ?? 1749416400),
        ...(phone ? { recipient_id: phone } : {}),
        ...(bsuid ? { recipient_user_id: bsuid } : {}),
        ...(input.callbackData ? { biz_opaque_callback_data: input.callbackData } : {}),
        ...(carriesPricing(input) ? { pricing: { pricing_model: "PMP", ...(input.pricing ?? { category: "service", type: "free_customer_service" }) } } : {}),
        ...(input.errors
          ? {
              errors: input.errors.map((error) => ({
                code: error.code,
                title: error.title,
                message: error.message ?? error.title,
                ...(error.details ? { error_data: { details: error.details } } : {}),
                href: "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
              })),
            }
          : {}),
      },
    ],
  });
}

function carriesPricing(input: StatusInput): boolean {
  if (input.status === "sent" || input.status === "delivered") return true;
  return input.status === "read" && input.readWithoutDelivered === true;
}

export function newWamid(): string {
  return `wamid.${randomBytes(24).toString("base64url")}`;
}

function metadataOf(phoneNumberId: string, displayPhoneNumber = "15550783881") {
  return {
    messaging_product: "whatsapp",
    metadata: { display_phone_number: displayPhoneNumber, phone_number_id: phoneNumberId },
  };
}

function envelope(wabaId: string | undefined, value: Record<string, unknown>) {
  return {
    object: "whatsapp_business_account",
    entry: [{ id: wabaId ?? "102290129340398", changes: [{ field: "messages", value }] }],
  };
}
