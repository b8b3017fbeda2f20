// What a message carries besides its text, as the API presents it (the media & rich messages contract, issue 17).
// Every field is optional: absent when it does not apply to the message.

export const mediaKinds = ["image", "document", "audio", "video", "sticker"] as const;
export type MediaKind = (typeof mediaKinds)[number];
export type MediaStatus = "loading" | "ready" | "failed";

/** The message's file; `url` is a signed link (15 minutes) relative to the API base, null unless ready. */
export type MessageMedia = {
  kind: MediaKind;
  mimeType: string | null;
  fileName: string | null;
  caption: string | null;
  sizeBytes: number | null;
  status: MediaStatus;
  url: string | null;
};

/** The quoted message; null: the message replied to one Switchboard does not know. */
export type QuotedMessage = { id: string; direction: "in" | "out"; text: string; mediaKind: string | null; deleted?: true } | null;
export type Reaction = { emoji: string; by: "customer" | { memberId: string; name: string } };
export type SharedLocation = { latitude: number; longitude: number; name: string | null; address: string | null };
export type ContactCard = { name: string; phones: string[] };
export type InteractiveReply = { kind: "button_reply" | "list_reply" | "button"; id: string | null; title: string };

export type RichFields = {
  media?: MessageMedia;
  replyTo?: QuotedMessage;
  reactions?: Reaction[];
  location?: SharedLocation;
  contacts?: ContactCard[];
  interactive?: InteractiveReply;
};

/** The part of a presented message the shared content components read. */
export type ContentMessage = RichFields & {
  id: string;
  chatId: string;
  direction: "in" | "out";
  text: string | null;
};
