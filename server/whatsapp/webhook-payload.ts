import { z } from "zod";
import type { MessageRichContent } from "../db/schema";
import { isMessageStatus, type MessageStatus } from "./message-status";
import type { ContactIdentity } from "./phone";

export { type MessageStatus, messageStatuses, shouldApplyStatus, statusRank } from "./message-status";

// Schemas list only the fields we use: zod strips the rest, so fields Meta adds are ignored,
// while a missing or mistyped field we rely on rejects the payload.

const UnixSeconds = z.union([z.string().regex(/^\d{1,12}$/), z.number().int().nonnegative()]).transform((seconds) => new Date(Number(seconds) * 1000));

const GraphError = z.object({
  code: z.number().int(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.object({ details: z.string().optional() }).optional(),
});

const Media = z.object({
  id: z.string().min(1),
  mime_type: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  sha256: z.string().optional(),
});

const mediaTypes = ["image", "video", "audio", "document", "sticker"] as const;

// The structured types, as Meta's webhook reference shows them (webhooks/reference/messages/location,
// /contacts, /interactive, /button). A part we can't read falls back to the readable text alone
// (`.catch`): one odd contact card must not cost the whole POST its other messages.
const Location = z.object({
  latitude: z.number().optional(),
  longitude: z.number().optional(),
  name: z.string().optional(),
  address: z.string().optional(),
});
const SharedContact = z.object({
  name: z.object({ formatted_name: z.string().optional(), first_name: z.string().optional(), last_name: z.string().optional() }).optional(),
  phones: z.array(z.object({ phone: z.string().optional(), wa_id: z.string().optional() })).optional(),
});
const Interactive = z.object({
  type: z.string().optional(),
  button_reply: z.object({ id: z.string().optional(), title: z.string() }).optional(),
  list_reply: z.object({ id: z.string().optional(), title: z.string(), description: z.string().optional() }).optional(),
});

const InboundMessage = z
  .object({
    id: z.string().min(1),
    from: z.string().min(1).optional(),
    // whatsapp.md §6.3/§8 names `user_id`; `from_user_id` is accepted too in case messages use that name.
    user_id: z.string().min(1).optional(),
    from_user_id: z.string().min(1).optional(),
    timestamp: UnixSeconds,
    type: z.string().min(1),
    // Meta: a reply (or a tap on a button of our message) carries context {from, id}, id the quoted wamid.
    context: z.object({ id: z.string().min(1).optional() }).optional(),
    text: z.object({ body: z.string() }).optional(),
    image: Media.optional(),
    video: Media.optional(),
    audio: Media.optional(),
    document: Media.optional(),
    sticker: Media.optional(),
    location: Location.optional().catch(undefined),
    contacts: z.array(SharedContact).optional().catch(undefined),
    button: z.object({ text: z.string(), payload: z.string().optional() }).optional().catch(undefined),
    interactive: Interactive.optional().catch(undefined),
    // Meta, "Reaction messages webhook reference": {message_id, emoji}; emoji is omitted when the user removes theirs.
    reaction: z.object({ message_id: z.string().min(1), emoji: z.string().optional() }).optional(),
  })
  .refine((message) => message.type !== "text" || message.text !== undefined, {
    message: "a text message needs text.body",
    path: ["text"],
  })
  .refine((message) => message.type !== "reaction" || message.reaction !== undefined, {
    message: "a reaction needs reaction.message_id",
    path: ["reaction"],
  });

const Contact = z.object({
  wa_id: z.string().min(1).optional(),
  user_id: z.string().min(1).optional(),
  profile: z.object({ name: z.string().optional() }).optional(),
});

const Status = z.object({
  id: z.string().min(1),
  status: z.string().min(1),
  timestamp: UnixSeconds,
  recipient_id: z.string().min(1).optional(),
  recipient_user_id: z.string().min(1).optional(),
  biz_opaque_callback_data: z.string().optional(),
  errors: z.array(GraphError).optional(),
});

const MessagesValue = z.object({
  metadata: z.object({ phone_number_id: z.string().min(1) }),
  contacts: z.array(Contact).optional(),
  messages: z.array(InboundMessage).optional(),
  statuses: z.array(Status).optional(),
  errors: z.array(GraphError).optional(),
});

const Envelope = z.object({
  object: z.literal("whatsapp_business_account"),
  entry: z.array(z.object({ id: z.string(), changes: z.array(z.object({ field: z.string(), value: z.unknown() })) })),
});

export type WebhookError = { code: number; title: string; message: string; details?: string };

export type InboundMessageEvent = {
  kind: "message";
  phoneNumberId: string;
  wamid: string;
  /** `phone` is the wa_id as Meta sends it (digits, no "+"); contactKeyOf turns it into E.164. */
  from: ContactIdentity;
  contactName?: string;
  timestamp: Date;
  /** Meta's message type (text, image, reaction, …), kept as sent because Meta adds types. */
  type: string;
  /** The text, or a readable stand-in for other types ("[image] caption", "[location] Cafe"). */
  text: string;
  /** An inbound file: Meta's media id (fetched later with GET /{media-id}) and what the webhook tells of it. */
  media?: { id: string; mimeType?: string; caption?: string; fileName?: string; sha256?: string };
  /** A location, contact card or button/list reply's data. */
  rich?: MessageRichContent;
  /** The wamid of the message this one quotes (Meta's `context.id`). */
  replyToWamid?: string;
};

/** A customer reacted to a message (`emoji` "" when they took their reaction back): no message of its own. */
export type ReactionEvent = {
  kind: "reaction";
  phoneNumberId: string;
  /** The reaction's own wamid. */
  wamid: string;
  from: ContactIdentity;
  contactName?: string;
  timestamp: Date;
  /** The wamid of the message reacted to. */
  targetWamid: string;
  emoji: string;
};

export type StatusEvent = {
  kind: "status";
  phoneNumberId: string;
  wamid: string;
  status: MessageStatus;
  timestamp: Date;
  recipient: ContactIdentity;
  error?: WebhookError;
  /** `biz_opaque_callback_data` from the send, echoed back. */
  callbackData?: string;
};

/** A system- or app-level problem reported in `value.errors[]`, e.g. 130429. */
export type WebhookErrorEvent = { kind: "error"; phoneNumberId: string; error: WebhookError };

export type NormalizedEvent = InboundMessageEvent | ReactionEvent | StatusEvent | WebhookErrorEvent;

export class WebhookPayloadError extends Error {
  override readonly name = "WebhookPayloadError";
  constructor(readonly issues: string[]) {
    super(`Malformed WhatsApp webhook: ${issues.join("; ")}`);
  }
}

/**
 * Turns a parsed webhook body into events (per change: messages, statuses, then errors, each in
 * payload order; Meta doesn't promise order anyway). Changes other than `messages`
 * (template updates, account alerts) and statuses other than sent/delivered/read/failed are
 * skipped. Throws WebhookPayloadError when a field we rely on is missing or mistyped; the route
 * should still store the raw body and answer 200, or Meta redelivers it for days.
 */
export function parseWebhook(json: unknown): NormalizedEvent[] {
  const envelope = parseOrThrow(Envelope, json, []);
  const events: NormalizedEvent[] = [];
  envelope.entry.forEach((entry, entryIndex) => {
    entry.changes.forEach((change, changeIndex) => {
      if (change.field !== "messages") return;
      const path = ["entry", entryIndex, "changes", changeIndex, "value"];
      events.push(...eventsOf(parseOrThrow(MessagesValue, change.value, path), path));
    });
  });
  return events;
}

function eventsOf(value: z.infer<typeof MessagesValue>, path: (string | number)[]): NormalizedEvent[] {
  const phoneNumberId = value.metadata.phone_number_id;
  const contacts = value.contacts ?? [];
  const messages = (value.messages ?? []).map((message, index): InboundMessageEvent | ReactionEvent => {
    const contact = contactFor(message, contacts);
    const from = identity(message.from ?? contact?.wa_id, message.user_id ?? message.from_user_id ?? contact?.user_id);
    if (!from.phone && !from.bsuid) {
      throw new WebhookPayloadError([`${[...path, "messages", index].join(".")}: no sender phone or user_id`]);
    }
    const sender = {
      phoneNumberId,
      wamid: message.id,
      from,
      ...(contact?.profile?.name ? { contactName: contact.profile.name } : {}),
      timestamp: message.timestamp,
    };
    if (message.type === "reaction" && message.reaction) {
      return { kind: "reaction", ...sender, targetWamid: message.reaction.message_id, emoji: message.reaction.emoji ?? "" };
    }
    const media = mediaOf(message);
    const rich = richOf(message);
    return {
      kind: "message",
      ...sender,
      type: message.type,
      text: readableText(message),
      ...(media ? { media: presentMedia(media) } : {}),
      ...(rich ? { rich } : {}),
      ...(message.context?.id ? { replyToWamid: message.context.id } : {}),
    };
  });
  const statuses = (value.statuses ?? []).flatMap((status): StatusEvent[] => {
    if (!isMessageStatus(status.status)) return [];
    const error = status.errors?.[0];
    return [
      {
        kind: "status",
        phoneNumberId,
        wamid: status.id,
        status: status.status,
        timestamp: status.timestamp,
        recipient: identity(status.recipient_id, status.recipient_user_id),
        ...(error ? { error: presentError(error) } : {}),
        ...(status.biz_opaque_callback_data ? { callbackData: status.biz_opaque_callback_data } : {}),
      },
    ];
  });
  const errors = (value.errors ?? []).map((error): WebhookErrorEvent => ({ kind: "error", phoneNumberId, error: presentError(error) }));
  return [...messages, ...statuses, ...errors];
}

type Message = z.infer<typeof InboundMessage>;
type Contact = z.infer<typeof Contact>;

function contactFor(message: Message, contacts: Contact[]): Contact | undefined {
  const matching = contacts.find(
    (contact) =>
      (contact.wa_id !== undefined && contact.wa_id === message.from) ||
      (contact.user_id !== undefined && contact.user_id === (message.user_id ?? message.from_user_id)),
  );
  return matching ?? (contacts.length === 1 ? contacts[0] : undefined);
}

function identity(phone: string | undefined, bsuid: string | undefined): ContactIdentity {
  return { ...(phone ? { phone } : {}), ...(bsuid ? { bsuid } : {}) };
}

function mediaOf(message: Message): z.infer<typeof Media> | undefined {
  const type = mediaTypes.find((mediaType) => mediaType === message.type);
  return type ? message[type] : undefined;
}

function presentMedia(media: z.infer<typeof Media>): NonNullable<InboundMessageEvent["media"]> {
  return {
    id: media.id,
    ...(media.mime_type ? { mimeType: media.mime_type } : {}),
    ...(media.caption ? { caption: media.caption } : {}),
    ...(media.filename ? { fileName: media.filename } : {}),
    ...(media.sha256 ? { sha256: media.sha256 } : {}),
  };
}

function richOf(message: Message): MessageRichContent | undefined {
  if (message.type === "location" && message.location?.latitude !== undefined && message.location.longitude !== undefined) {
    const { latitude, longitude, name, address } = message.location;
    return { location: { latitude, longitude, name: name ?? null, address: address ?? null } };
  }
  if (message.type === "contacts" && message.contacts) {
    return {
      contacts: message.contacts.map((card) => ({
        name: contactCardName(card),
        phones: (card.phones ?? []).flatMap((phone) => phone.phone ?? phone.wa_id ?? []),
      })),
    };
  }
  if (message.type === "button" && message.button) return { interactive: { kind: "button", id: message.button.payload ?? null, title: message.button.text } };
  const reply = message.type === "interactive" ? (message.interactive?.button_reply ?? message.interactive?.list_reply) : undefined;
  if (reply) {
    const kind = message.interactive?.button_reply ? "button_reply" : "list_reply";
    return { interactive: { kind, id: reply.id ?? null, title: reply.title } };
  }
  return undefined;
}

function contactCardName(card: z.infer<typeof SharedContact>): string {
  const parts = [card.name?.first_name, card.name?.last_name].filter(Boolean).join(" ");
  return card.name?.formatted_name ?? (parts || "Contact");
}

function readableText(message: Message): string {
  if (message.type === "text") return message.text?.body ?? "";
  const media = mediaOf(message);
  if (media) return labelled(message.type, media.caption ?? media.filename);
  switch (message.type) {
    case "location":
      return labelled("location", message.location?.name ?? message.location?.address);
    case "contacts": {
      const names = (message.contacts ?? []).map(contactCardName);
      return names.length > 0 ? `[contact] ${names.join(", ")}` : "[contact card]";
    }
    case "button":
      return message.button?.text ?? "[button]";
    case "interactive":
      return message.interactive?.button_reply?.title ?? message.interactive?.list_reply?.title ?? "[interactive]";
    default:
      return `[${message.type}]`;
  }
}

function labelled(type: string, detail: string | undefined): string {
  return detail ? `[${type}] ${detail}` : `[${type}]`;
}

function presentError(error: z.infer<typeof GraphError>): WebhookError {
  const title = error.title ?? error.message ?? `Error ${error.code}`;
  const details = error.error_data?.details;
  return { code: error.code, title, message: error.message ?? title, ...(details ? { details } : {}) };
}

function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, path: (string | number)[]): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new WebhookPayloadError(parsed.error.issues.map((issue) => `${[...path, ...issue.path.map(String)].join(".") || "body"}: ${issue.message}`));
}
