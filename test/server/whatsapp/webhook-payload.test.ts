import {
  type MessageStatus,
  type NormalizedEvent,
  parseWebhook,
  shouldApplyStatus,
  statusRank,
  WebhookPayloadError,
} from "../../../server/whatsapp/webhook-payload";
import { inboundTextWebhook, statusWebhook } from "../../fakes/whatsapp-webhooks";

const phoneNumberId = "106540352242922";
const at = (seconds: number) => new Date(seconds * 1000);

type Payload = { entry: { changes: { value: Record<string, unknown> }[] }[] };
/** The first change's value, to edit a built payload in place. */
function firstChangeValue(payload: Payload): Record<string, unknown> {
  const value = payload.entry[0]?.changes[0]?.value;
  if (!value) throw new Error("payload has no change");
  return value;
}
function itemsOf(payload: Payload, key: "messages" | "contacts"): Record<string, unknown>[] {
  return firstChangeValue(payload)[key] as Record<string, unknown>[];
}

function malformedIssues(json: unknown): string[] {
  try {
    parseWebhook(json);
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookPayloadError);
    return (error as WebhookPayloadError).issues;
  }
  throw new Error("expected the payload to be rejected");
}

describe("parseWebhook: inbound messages", () => {
  it("reads Meta's documented example (whatsapp.md §6.3) verbatim", () => {
    const documented = {
      object: "whatsapp_business_account",
      entry: [
        {
          id: "<WABA_ID>",
          changes: [
            {
              field: "messages",
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: "15550783881", phone_number_id: "106540352242922" },
                contacts: [{ profile: { name: "Sheena Nelson" }, wa_id: "16505551234" }],
                messages: [
                  {
                    from: "16505551234",
                    id: "wamid.HBgL…",
                    timestamp: "1749416383",
                    type: "text",
                    text: { body: "Does it come in another color?" },
                  },
                ],
              },
            },
          ],
        },
      ],
    };
    expect(parseWebhook(documented)).toEqual<NormalizedEvent[]>([
      {
        kind: "message",
        phoneNumberId: "106540352242922",
        wamid: "wamid.HBgL…",
        from: { phone: "16505551234" },
        contactName: "Sheena Nelson",
        timestamp: at(1749416383),
        type: "text",
        text: "Does it come in another color?",
      },
    ]);
  });

  it("reads a BSUID-only sender (no phone) from a 2026 webhook", () => {
    const payload = inboundTextWebhook({
      phoneNumberId,
      from: { bsuid: "BR.1502576394655843" },
      name: "Ana",
      body: "Oi!",
      wamid: "wamid.bsuid",
      timestamp: 1780000000,
    });
    expect(JSON.stringify(payload)).not.toMatch(/wa_id|"from"/);
    expect(parseWebhook(payload)).toEqual([
      {
        kind: "message",
        phoneNumberId,
        wamid: "wamid.bsuid",
        from: { bsuid: "BR.1502576394655843" },
        contactName: "Ana",
        timestamp: at(1780000000),
        type: "text",
        text: "Oi!",
      },
    ]);
  });

  it("takes the BSUID from contacts[] when the message carries only the phone", () => {
    const payload = inboundTextWebhook({ phoneNumberId, from: { phone: "16505551234" }, body: "Hi", wamid: "wamid.1" });
    Object.assign(itemsOf(payload, "contacts")[0] ?? {}, { user_id: "US.77" });
    expect(parseWebhook(payload)[0]).toMatchObject({ from: { phone: "16505551234", bsuid: "US.77" } });
  });

  describe.each<{ type: string; content: Record<string, unknown>; text: string; media?: object; rich?: object }>([
    {
      type: "image",
      content: { image: { id: "media_1", mime_type: "image/jpeg", caption: "the red one", sha256: "c2hhMjU2IG9mIHRoZSBwaG90bw==" } },
      text: "[image] the red one",
      media: { id: "media_1", mimeType: "image/jpeg", caption: "the red one", sha256: "c2hhMjU2IG9mIHRoZSBwaG90bw==" },
    },
    {
      type: "audio",
      content: { audio: { id: "media_2", mime_type: "audio/ogg", voice: true } },
      text: "[audio]",
      media: { id: "media_2", mimeType: "audio/ogg" },
    },
    {
      type: "document",
      content: { document: { id: "media_3", filename: "invoice.pdf" } },
      text: "[document] invoice.pdf",
      media: { id: "media_3", fileName: "invoice.pdf" },
    },
    { type: "sticker", content: { sticker: { id: "media_4", animated: false } }, text: "[sticker]", media: { id: "media_4" } },
    {
      type: "location",
      content: { location: { latitude: 1, longitude: 2, name: "Cafe Central" } },
      text: "[location] Cafe Central",
      rich: { location: { latitude: 1, longitude: 2, name: "Cafe Central", address: null } },
    },
    { type: "location", content: { location: { name: "No coordinates" } }, text: "[location] No coordinates" },
    {
      type: "contacts",
      content: { contacts: [{ name: { formatted_name: "Bo" }, phones: [{ phone: "+1 555 0100", wa_id: "15550100", type: "CELL" }] }] },
      text: "[contact] Bo",
      rich: { contacts: [{ name: "Bo", phones: ["+1 555 0100"] }] },
    },
    {
      type: "button",
      content: { button: { text: "Yes, confirm", payload: "CONFIRM" } },
      text: "Yes, confirm",
      rich: { interactive: { kind: "button", id: "CONFIRM", title: "Yes, confirm" } },
    },
    {
      type: "interactive",
      content: { interactive: { type: "list_reply", list_reply: { id: "2", title: "Tuesday" } } },
      text: "Tuesday",
      rich: { interactive: { kind: "list_reply", id: "2", title: "Tuesday" } },
    },
    {
      type: "interactive",
      content: { interactive: { type: "button_reply", button_reply: { id: "yes", title: "Yes" } } },
      text: "Yes",
      rich: { interactive: { kind: "button_reply", id: "yes", title: "Yes" } },
    },
    { type: "unsupported", content: { errors: [{ code: 131051, title: "Message type unknown" }] }, text: "[unsupported]" },
  ])("a $type message", ({ type, content, text, media, rich }) => {
    it(`reads as "${text}"`, () => {
      const payload = inboundTextWebhook({ phoneNumberId, from: { phone: "16505551234" }, body: "", wamid: "wamid.m" });
      itemsOf(payload, "messages")[0] = { from: "16505551234", id: "wamid.m", timestamp: "1749416383", type, ...content };
      const [event] = parseWebhook(payload);
      expect(event).toEqual({
        kind: "message",
        phoneNumberId,
        wamid: "wamid.m",
        from: { phone: "16505551234" },
        contactName: "Sheena Nelson",
        timestamp: at(1749416383),
        type,
        text,
        ...(media ? { media } : {}),
        ...(rich ? { rich } : {}),
      });
    });
  });

  it.each([
    { case: "a reaction", reaction: { message_id: "wamid.x", emoji: "👍" }, emoji: "👍" },
    // Meta: "If the user removes their initial reaction … the emoji property will be omitted".
    { case: "a removed reaction", reaction: { message_id: "wamid.x" }, emoji: "" },
  ])("$case is a reaction event on the message it names, not a message", ({ reaction, emoji }) => {
    const payload = inboundTextWebhook({ phoneNumberId, from: { phone: "16505551234" }, body: "", wamid: "wamid.r" });
    itemsOf(payload, "messages")[0] = { from: "16505551234", id: "wamid.r", timestamp: "1749416383", type: "reaction", reaction };
    expect(parseWebhook(payload)).toEqual([
      {
        kind: "reaction",
        phoneNumberId,
        wamid: "wamid.r",
        from: { phone: "16505551234" },
        contactName: "Sheena Nelson",
        timestamp: at(1749416383),
        targetWamid: "wamid.x",
        emoji,
      },
    ]);
  });

  it("ignores fields Meta adds and changes it doesn't route to the inbox", () => {
    const payload = inboundTextWebhook({ phoneNumberId, from: { phone: "16505551234" }, body: "Hi", wamid: "wamid.2" });
    Object.assign(itemsOf(payload, "messages")[0] ?? {}, { brand_new_field: { nested: true }, context: { id: "wamid.quoted", from: "x" } });
    Object.assign(payload, { sent_by: "meta" });
    payload.entry.push({ id: "1", changes: [{ field: "message_template_status_update", value: { event: "APPROVED" } as never }] });
    expect(parseWebhook(payload)).toEqual([expect.objectContaining({ kind: "message", wamid: "wamid.2", text: "Hi", replyToWamid: "wamid.quoted" })]);
  });

  it("returns events from every entry and change in one POST", () => {
    const first = inboundTextWebhook({ phoneNumberId: "pn_1", from: { phone: "16505551234" }, body: "a", wamid: "wamid.a" });
    const second = statusWebhook({ phoneNumberId: "pn_2", wamid: "wamid.b", status: "read", recipient: { phone: "16505551234" } });
    const combined = { ...first, entry: [...first.entry, ...second.entry] };
    expect(parseWebhook(combined).map((event) => [event.kind, event.phoneNumberId])).toEqual([
      ["message", "pn_1"],
      ["status", "pn_2"],
    ]);
  });
});

describe("parseWebhook: statuses and errors", () => {
  it.each<MessageStatus>(["sent", "delivered", "read"])("reads a %s status", (status) => {
    const payload = statusWebhook({
      phoneNumberId,
      wamid: "wamid.out",
      status,
      recipient: { phone: "16505551234" },
      timestamp: 1749416400,
      callbackData: "msg_42",
    });
    expect(parseWebhook(payload)).toEqual([
      {
        kind: "status",
        phoneNumberId,
        wamid: "wamid.out",
        status,
        timestamp: at(1749416400),
        recipient: { phone: "16505551234" },
        callbackData: "msg_42",
      },
    ]);
  });

  it("reads a failed status with its error", () => {
    const payload = statusWebhook({
      phoneNumberId,
      wamid: "wamid.out",
      status: "failed",
      recipient: { bsuid: "BR.15" },
      errors: [{ code: 131026, title: "Message undeliverable", details: "Recipient is not a WhatsApp user" }],
    });
    expect(parseWebhook(payload)).toEqual([
      {
        kind: "status",
        phoneNumberId,
        wamid: "wamid.out",
        status: "failed",
        timestamp: at(1749416400),
        recipient: { bsuid: "BR.15" },
        error: {
          code: 131026,
          title: "Message undeliverable",
          message: "Message undeliverable",
          details: "Recipient is not a WhatsApp user",
        },
      },
    ]);
  });

  it("skips statuses the inbox doesn't track (e.g. played)", () => {
    const payload = statusWebhook({ phoneNumberId, wamid: "w", status: "played", recipient: { phone: "16505551234" } });
    expect(parseWebhook(payload)).toEqual([]);
  });

  it("reads value.errors[] as error events", () => {
    const payload = {
      object: "whatsapp_business_account",
      entry: [
        {
          id: "waba",
          changes: [
            {
              field: "messages",
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: "15550783881", phone_number_id: phoneNumberId },
                errors: [{ code: 130429, title: "Rate limit hit", message: "Rate limit hit", error_data: { details: "Too many" } }],
              },
            },
          ],
        },
      ],
    };
    expect(parseWebhook(payload)).toEqual([
      { kind: "error", phoneNumberId, error: { code: 130429, title: "Rate limit hit", message: "Rate limit hit", details: "Too many" } },
    ]);
  });
});

describe("parseWebhook: malformed payloads", () => {
  const valid = () => inboundTextWebhook({ phoneNumberId, from: { phone: "16505551234" }, body: "Hi", wamid: "wamid.3" });
  const firstMessage = (payload: Payload) => itemsOf(payload, "messages")[0] ?? {};

  it("rejects a body that isn't a WhatsApp Business Account webhook", () => {
    expect(malformedIssues(null)).toEqual(["body: Invalid input: expected object, received null"]);
    expect(malformedIssues({ ...valid(), object: "page" })[0]).toMatch(/^object: /);
    expect(malformedIssues({ object: "whatsapp_business_account" })[0]).toMatch(/^entry: /);
  });

  it("rejects a messages change without metadata.phone_number_id", () => {
    const payload = valid();
    delete firstChangeValue(payload).metadata;
    expect(malformedIssues(payload)).toEqual([expect.stringMatching(/^entry\.0\.changes\.0\.value\.metadata: /)]);
  });

  it("rejects a message without id, a bad timestamp, a text without body, or no sender at all", () => {
    const noId = valid();
    delete firstMessage(noId).id;
    const badTimestamp = valid();
    firstMessage(badTimestamp).timestamp = "yesterday";
    const noBody = valid();
    delete firstMessage(noBody).text;
    const noSender = valid();
    delete firstMessage(noSender).from;
    delete itemsOf(noSender, "contacts")[0]?.wa_id;
    expect([noId, badTimestamp, noBody, noSender].map((payload) => malformedIssues(payload)[0])).toEqual([
      expect.stringMatching(/\.messages\.0\.id: /),
      expect.stringMatching(/\.messages\.0\.timestamp: /),
      "entry.0.changes.0.value.messages.0.text: a text message needs text.body",
      "entry.0.changes.0.value.messages.0: no sender phone or user_id",
    ]);
  });

  it("rejects a status without a wamid", () => {
    const payload = statusWebhook({ phoneNumberId, wamid: "", status: "read", recipient: { phone: "1" } });
    expect(malformedIssues(payload)).toEqual([expect.stringMatching(/\.statuses\.0\.id: /)]);
  });
});

describe("shouldApplyStatus", () => {
  describe.each<{ current: MessageStatus | null; incoming: MessageStatus; apply: boolean }>([
    { current: null, incoming: "sent", apply: true },
    { current: null, incoming: "read", apply: true },
    { current: null, incoming: "failed", apply: true },
    { current: "sent", incoming: "delivered", apply: true },
    { current: "sent", incoming: "read", apply: true },
    { current: "sent", incoming: "failed", apply: true },
    { current: "sent", incoming: "sent", apply: false },
    { current: "delivered", incoming: "sent", apply: false },
    { current: "delivered", incoming: "read", apply: true },
    { current: "delivered", incoming: "failed", apply: false },
    { current: "delivered", incoming: "delivered", apply: false },
    { current: "read", incoming: "sent", apply: false },
    { current: "read", incoming: "delivered", apply: false },
    { current: "read", incoming: "failed", apply: false },
    { current: "read", incoming: "read", apply: false },
    { current: "failed", incoming: "sent", apply: false },
    { current: "failed", incoming: "failed", apply: false },
    { current: "failed", incoming: "delivered", apply: true },
    { current: "failed", incoming: "read", apply: true },
  ])("$current → $incoming", ({ current, incoming, apply }) => {
    it(apply ? "applies" : "is ignored", () => {
      expect(shouldApplyStatus(current, incoming)).toBe(apply);
    });
  });

  it("ranks sent < failed < delivered < read", () => {
    expect((["read", "sent", "delivered", "failed"] as const).map(statusRank)).toEqual([4, 1, 3, 2]);
  });

  it("ends on the highest status whatever order the webhooks arrive in", () => {
    const arrivals: MessageStatus[][] = [
      ["read", "delivered", "sent"],
      ["failed", "sent", "delivered"],
      ["delivered", "failed", "sent"],
    ];
    const finals = arrivals.map((order) =>
      order.reduce<MessageStatus | null>((current, incoming) => (shouldApplyStatus(current, incoming) ? incoming : current), null),
    );
    expect(finals).toEqual(["read", "delivered", "delivered"]);
  });
});
