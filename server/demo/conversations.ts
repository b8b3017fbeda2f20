import { and, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { chats, messages, whatsappAccounts } from "../db/schema";
import { type DemoCrmPerson, demoCrmPeople } from "../demo-crm/company";
import { newId } from "../ids";
import { ingestInboundMessage, touchChat } from "../inbox/ingest";
import { type SampleMediaName, storeSampleMedia } from "../media/samples";
import type { MediaStorage } from "../media/storage";
import { normalizePhone } from "../whatsapp/phone";

type Line = { label: string; phoneNumber: string; connectedBy: string };
/** `daysAgo`: when the conversation took place; two days or more and its 24-hour window has closed. */
/** A turn: who wrote, the text (a file's caption), and for a customer's file which sample they sent. */
type Turn = ["in" | "out", string] | ["in", string | null, SampleMediaName];
type Conversation = { line: 0 | 1; from: string; name: string; turns: Turn[]; responsible?: string; daysAgo?: number };

/** A person of the demo CRM on one of their numbers (the first unless told), so the panel finds the chat. */
const contact = (person: DemoCrmPerson, phoneIndex = 0) => ({
  from: normalizePhone(person.phones[phoneIndex]?.value ?? "") as string,
  name: person.name,
});

/**
 * Sandbox accounts for the Owner and the Agent, and a few conversations with history: the recent
 * ones have an open 24-hour window (the customer wrote last), one from two days ago a closed one.
 */
export async function seedDemoConversations(db: Database, storage: MediaStorage, workspaceId: string, memberIds: Record<string, string>) {
  const lines: Line[] = [
    { label: "Sales line", phoneNumber: "+15550100100", connectedBy: memberIds.owner as string },
    { label: "Agent's line", phoneNumber: "+15550100200", connectedBy: memberIds.agent as string },
  ];
  const accountIds: string[] = [];
  for (const line of lines) {
    const id = newId("wa");
    await db
      .insert(whatsappAccounts)
      .values({ workspaceId, id, provider: "sandbox", phoneNumber: line.phoneNumber, displayName: line.label, connectedBy: line.connectedBy });
    accountIds.push(id);
  }
  const conversations: Conversation[] = [
    {
      line: 0,
      ...contact(demoCrmPeople.grace),
      turns: [
        ["in", "Hi! Is the enterprise plan billed yearly?"],
        ["out", "Hi Grace, yes, yearly or monthly, as you prefer."],
        ["in", "Great, can you send a quote for 25 seats?"],
        // A customer's files: a photo, a PDF and a voice note (server/media/samples.ts).
        ["in", "Our office, for the onboarding visit", "photo"],
        ["in", null, "pdf"],
        ["in", null, "voice"],
      ],
    },
    {
      line: 0,
      ...contact(demoCrmPeople.ada),
      responsible: memberIds.collaborator,
      turns: [
        ["in", "Our invoice shows the wrong VAT number."],
        ["out", "Sorry about that! I'll have it corrected today."],
        ["in", "Thank you 🙏"],
      ],
    },
    // Alan wrote two days ago: his window has closed, so a reply must be an approved template.
    {
      line: 1,
      ...contact(demoCrmPeople.alan),
      daysAgo: 2,
      turns: [
        ["in", "Do you ship to Brazil?"],
        ["out", "We do, delivery takes 5-7 business days."],
      ],
    },
    { line: 1, ...contact(demoCrmPeople.hedy), responsible: memberIds.agent, turns: [["in", "Can we book a demo on Thursday?"]] },
    // Grace also wrote to the Agent's line from her work phone: the Agent's panel on her deal has history too.
    {
      line: 1,
      ...contact(demoCrmPeople.grace, 1),
      turns: [
        ["in", "Hello, Grace from Navy Labs here. Who can walk us through onboarding?"],
        ["out", "That's me! I'll send you a few time slots."],
      ],
    },
  ];
  const start = Date.now() - 3 * 60 * 60 * 1000;
  let minute = 0;
  for (const conversation of conversations) {
    const accountId = accountIds[conversation.line] as string;
    const author = lines[conversation.line]?.connectedBy as string;
    let chatId = "";
    for (const [direction, caption, sample] of conversation.turns) {
      const at = new Date(start - (conversation.daysAgo ?? 0) * 24 * 60 * 60 * 1000 + minute++ * 7 * 60 * 1000);
      const file = sample ? await storeSampleMedia(storage, sample, caption) : null;
      const text = file?.text ?? caption ?? "";
      if (direction === "in") {
        const created = await ingestInboundMessage(db, {
          workspaceId,
          accountId,
          from: { phone: conversation.from, name: conversation.name },
          providerMessageId: `sbx-demo.${newId("m")}`,
          text,
          receivedAt: at,
          ...(file ? { media: file.media } : {}),
        });
        chatId = created.chatId;
      } else {
        await db.insert(messages).values({
          workspaceId,
          id: newId("msg"),
          chatId,
          direction: "out",
          text,
          status: "read",
          authorId: author,
          providerMessageId: `sbx-demo.${newId("m")}`,
          createdAt: at,
          sentAt: at,
          statusAt: at,
        });
        await touchChat(db, workspaceId, chatId, at, text, false);
      }
    }
    if (conversation.responsible) {
      await db
        .update(chats)
        .set({ responsibleId: conversation.responsible })
        .where(and(eq(chats.workspaceId, workspaceId), eq(chats.id, chatId)));
    }
  }
}
