import { and, eq } from "drizzle-orm";
import { campaignRecipients, messages, webhookDeliveries, webhooks } from "../../../server/db/schema";
import type { BusEvent } from "../../../server/events/bus";
import { newId } from "../../../server/ids";
import { applyStatuses, foldStatuses, type StatusUpdate } from "../../../server/inbox/statuses";
import { insertAccountDirectly, insertCampaignDirectly, insertChatDirectly, insertMemberDirectly, insertWorkspaceDirectly } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { eventually } from "../../support/sse";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const at = (second: number) => new Date(Date.UTC(2026, 10, 25, 9, 0, second));

/** A workspace with one chat holding outbound messages `wamid.<name>` in the given statuses. */
async function outboundMessages(statuses: Record<string, "sent" | "failed" | "delivered" | "read">) {
  const db = server.database.db;
  const workspace = await insertWorkspaceDirectly(db);
  const owner = await insertMemberDirectly(db, workspace, { roleId: "owner" });
  const account = await insertAccountDirectly(db, workspace, owner.id);
  const chat = await insertChatDirectly(db, workspace, account);
  const providerIds: Record<string, string> = {};
  for (const [name, status] of Object.entries(statuses)) {
    providerIds[name] = `wamid.${newId("t")}`;
    await db.insert(messages).values({
      workspaceId: workspace.id,
      id: newId("msg"),
      chatId: chat.id,
      direction: "out",
      text: name,
      status,
      providerMessageId: providerIds[name],
      statusAt: at(0),
    });
  }
  const statusOf = async (name: string) => {
    const [row] = await db
      .select({ status: messages.status, statusAt: messages.statusAt, errorCode: messages.errorCode, errorDetail: messages.errorDetail })
      .from(messages)
      .where(and(eq(messages.workspaceId, workspace.id), eq(messages.providerMessageId, providerIds[name] as string)));
    return row;
  };
  return { workspace, owner, account, chat, providerIds, statusOf };
}

describe("foldStatuses", () => {
  it("keeps one update per message: the furthest status, with the earliest proof of delivery", () => {
    const updates: StatusUpdate[] = [
      { workspaceId: "ws_1", providerMessageId: "a", status: "read", at: at(9) },
      { workspaceId: "ws_1", providerMessageId: "a", status: "delivered", at: at(4) },
      { workspaceId: "ws_1", providerMessageId: "a", status: "failed", at: at(2), error: { code: "131026", detail: "undeliverable" } },
      { workspaceId: "ws_2", providerMessageId: "a", status: "sent", at: at(1) },
    ];
    expect(foldStatuses(updates)).toEqual([
      { workspaceId: "ws_1", providerMessageId: "a", status: "read", at: at(9), deliveredAt: at(4) },
      { workspaceId: "ws_2", providerMessageId: "a", status: "sent", at: at(1), deliveredAt: null },
    ]);
  });
});

describe("applyStatuses", () => {
  it("applies a batch in order of precedence, ignoring stale, unknown and other workspaces' statuses", async () => {
    const { workspace, providerIds, statusOf } = await outboundMessages({ fresh: "sent", failing: "sent", done: "read", late: "delivered" });
    const other = await outboundMessages({ theirs: "sent" });
    const changed = await applyStatuses(server.database.db, [
      { workspaceId: workspace.id, providerMessageId: providerIds.fresh as string, status: "delivered", at: at(3) },
      { workspaceId: workspace.id, providerMessageId: providerIds.fresh as string, status: "read", at: at(5) },
      {
        workspaceId: workspace.id,
        providerMessageId: providerIds.failing as string,
        status: "failed",
        at: at(4),
        error: { code: "131026", detail: "Message undeliverable" },
      },
      { workspaceId: workspace.id, providerMessageId: providerIds.done as string, status: "delivered", at: at(6) },
      {
        workspaceId: workspace.id,
        providerMessageId: providerIds.late as string,
        status: "failed",
        at: at(7),
        error: { code: "131000", detail: "Something went wrong" },
      },
      { workspaceId: workspace.id, providerMessageId: "wamid.unknown", status: "read", at: at(8) },
      // Another workspace's message id under this workspace: not found, not touched.
      { workspaceId: workspace.id, providerMessageId: other.providerIds.theirs as string, status: "read", at: at(8) },
    ]);
    expect(changed).toBe(2);
    expect(await statusOf("fresh")).toMatchObject({ status: "read", statusAt: at(5), errorCode: null });
    expect(await statusOf("failing")).toMatchObject({ status: "failed", statusAt: at(4), errorCode: "131026", errorDetail: "Message undeliverable" });
    expect(await statusOf("done")).toMatchObject({ status: "read", statusAt: at(0) });
    expect(await statusOf("late")).toMatchObject({ status: "delivered", errorCode: null });
    expect(await other.statusOf("theirs")).toMatchObject({ status: "sent" });
    // A redelivered batch changes nothing.
    expect(
      await applyStatuses(server.database.db, [{ workspaceId: workspace.id, providerMessageId: providerIds.fresh as string, status: "read", at: at(5) }]),
    ).toBe(0);
  });

  it("publishes one live event and queues one webhook delivery per changed message, in the same transaction", async () => {
    const { workspace, owner, providerIds } = await outboundMessages({ one: "sent", two: "sent", three: "read" });
    await server.database.db.insert(webhooks).values({
      workspaceId: workspace.id,
      id: newId("wh"),
      url: "https://hooks.example.com/switchboard",
      events: ["message.status"],
      secretEncrypted: "not-used-by-this-test",
      createdBy: owner.id,
    });
    const seen: BusEvent[] = [];
    const unsubscribe = server.services.events.subscribe((event) => {
      if (event.workspaceId === workspace.id) seen.push(event);
    });
    try {
      const update = (name: string, status: "delivered" | "read"): StatusUpdate => ({
        workspaceId: workspace.id,
        providerMessageId: providerIds[name] as string,
        status,
        at: at(2),
      });
      expect(await applyStatuses(server.database.db, [update("one", "delivered"), update("two", "read"), update("three", "delivered")])).toBe(2);
      await eventually(() => expect(seen.map((event) => event.type)).toEqual(["message.status", "message.status"]));
      const deliveries = await server.database.db
        .select({ event: webhookDeliveries.event, payload: webhookDeliveries.payload })
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.workspaceId, workspace.id));
      expect(
        deliveries.map((delivery) => [delivery.event, (delivery.payload as { data: { message: { text: string; status: string } } }).data.message]).sort(),
      ).toEqual([
        ["message.status", expect.objectContaining({ text: "one", status: "delivered" })],
        ["message.status", expect.objectContaining({ text: "two", status: "read" })],
      ]);
    } finally {
      unsubscribe();
    }
  });

  it("moves campaign recipients along with their messages, never backwards, keeping the first delivery time", async () => {
    const db = server.database.db;
    const { workspace, owner, account, providerIds } = await outboundMessages({ r1: "sent", r2: "sent", r3: "sent" });
    const campaign = await insertCampaignDirectly(db, workspace, account, owner.id, { status: "running", recipients: 3 });
    const recipientStatuses = ["sent", "delivered", "sending"] as const;
    for (const [index, name] of ["r1", "r2", "r3"].entries())
      await db
        .update(campaignRecipients)
        .set({ status: recipientStatuses[index], providerMessageId: providerIds[name], deliveredAt: index === 1 ? at(1) : null })
        .where(and(eq(campaignRecipients.campaignId, campaign.id), eq(campaignRecipients.seq, index + 1)));
    await applyStatuses(db, [
      { workspaceId: workspace.id, providerMessageId: providerIds.r1 as string, status: "delivered", at: at(3) },
      { workspaceId: workspace.id, providerMessageId: providerIds.r1 as string, status: "read", at: at(6) },
      { workspaceId: workspace.id, providerMessageId: providerIds.r2 as string, status: "read", at: at(7) },
      // In flight: the send itself records it as sent first; a status can't overtake that.
      { workspaceId: workspace.id, providerMessageId: providerIds.r3 as string, status: "read", at: at(8) },
    ]);
    const rows = await db
      .select({
        seq: campaignRecipients.seq,
        status: campaignRecipients.status,
        deliveredAt: campaignRecipients.deliveredAt,
        readAt: campaignRecipients.readAt,
      })
      .from(campaignRecipients)
      .where(eq(campaignRecipients.campaignId, campaign.id))
      .orderBy(campaignRecipients.seq);
    expect(rows).toEqual([
      { seq: 1, status: "read", deliveredAt: at(3), readAt: at(6) },
      { seq: 2, status: "read", deliveredAt: at(1), readAt: at(7) },
      { seq: 3, status: "sending", deliveredAt: null, readAt: null },
    ]);
  });
});
