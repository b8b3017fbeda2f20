import { latestMessageId } from "../crm/panel-chats";
import { hubspotChatLinks } from "../db/schema";
import { HttpProblem, notFound } from "../http/problem";
import { anyMember, route } from "../http/route";
import { IdParam } from "../http/schemas";
import { loadVisibleChat } from "../inbox/queries";
import { loadHubspotInstallation } from "./installations";
import { hubspotLogEnqueueSql } from "./log-queue";
import { loadHubspotPanelBinding } from "./panel-binding";
import { readHubspotPanelPersons } from "./panel-reads";

// A chat used from a HubSpot panel opened on a deal is logged under that deal: its Communications
// are associated to the deal (85) as well as to the contact (81), inline (log-writer.ts). The
// contact is the deal's contact whose phone is the chat's number, read through the connection.

export const hubspotChatDealRoutes = [
  route({
    method: "put",
    path: "/hubspot/panel/chats/:id/deal",
    summary: "In HubSpot's modal opened on a deal: log this chat under the deal (and the deal's contact with the chat's number)",
    tag: "HubSpot card",
    access: anyMember,
    params: IdParam,
    ownTransactions: true,
    responses: {
      200: "{chatId, hubId, dealId, contactId}",
      403: "crm_not_linked (missing: hubspot_deal_panel): only a session opened from the card of a deal links chats to it",
      404: "No such chat, or you cannot see it; or none of the deal's contacts has the chat's number",
      409: "HubSpot needs reconnecting",
      429: "HubSpot asks to wait (Retry-After)",
      502: "HubSpot could not answer",
    },
    async handler({ actor, services, params, audit }) {
      const database = services.database.db;
      const chat = await loadVisibleChat(database, actor, params.id);
      const binding = await loadHubspotPanelBinding(database, actor);
      if (binding?.objectTypeId !== "0-3") {
        throw new HttpProblem(403, "crm_not_linked", "Open it from a HubSpot deal", "Chats are linked to a deal only from the card on that deal.", {
          missing: "hubspot_deal_panel",
        });
      }
      const installation = await loadHubspotInstallation(database, actor.workspaceId);
      if (installation?.hubId !== binding.hubId) throw notFound("HubSpot record");
      // HubSpot is asked outside the transaction.
      const persons = await readHubspotPanelPersons(services, actor.workspaceId, binding);
      const contact = persons.find((person) => person.phones.some((phone) => phone.e164 !== null && phone.e164 === chat.contactPhone));
      if (!contact) throw notFound("contact of this deal with the chat's number");
      const values = { hubId: binding.hubId, contactId: contact.id, dealId: binding.objectId, linkedBy: actor.memberId, updatedAt: new Date() };
      await database.transaction(async (db) => {
        await db
          .insert(hubspotChatLinks)
          .values({ workspaceId: actor.workspaceId, chatId: chat.id, ...values })
          .onConflictDoUpdate({ target: [hubspotChatLinks.workspaceId, hubspotChatLinks.chatId], set: values });
        // The chat's latest day is logged again: its Communications from now on carry the deal.
        const latestId = await latestMessageId(db, actor.workspaceId, chat.id);
        if (latestId) await db.execute(hubspotLogEnqueueSql([{ workspaceId: actor.workspaceId, messageId: latestId }]));
        await audit(
          {
            action: "hubspot.chat_link",
            targetType: "chat",
            targetId: chat.id,
            details: { hubId: binding.hubId, dealId: values.dealId, contactId: values.contactId },
          },
          db,
        );
      });
      return { status: 200, body: { chatId: chat.id, hubId: binding.hubId, dealId: values.dealId, contactId: values.contactId } };
    },
  }),
];
