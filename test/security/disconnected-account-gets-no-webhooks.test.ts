import { eq } from "drizzle-orm";
import { whatsappRoutes } from "../../server/db/schema";
import { publish } from "../../server/events/bus";
import { webhookRouteCache } from "../../server/whatsapp/route-cache";
import { oneCloudNumberSuite } from "../support/one-cloud-number";
import { insertTeamDirectly } from "../support/team";

// Webhook routes (phone_number_id → workspace, account) are cached for a few seconds
// (server/whatsapp/route-cache.ts). Disconnecting an account must still stop its webhooks at
// once: a customer's message is never stored in the workspace of an account that is gone.
const number = { wabaId: "602290129340477", phoneNumberId: "606540352240077", displayPhoneNumber: "+1 555-079-0677" };
const line = oneCloudNumberSuite({ accessToken: "EAAGm0PX4ZCpsBAtest-access-token-route-cache", number, phoneNumber: "+15550790677", customer: "16505550077" });
const { connect, chatTexts, customerWrites } = line;

describe("a disconnected account's cached webhook route", () => {
  it("is forgotten when the account is disconnected: the next webhook is not stored in its workspace", async () => {
    const team = await insertTeamDirectly(line.server.database.db);
    const account = await connect(team);
    expect(account.status).toBe(201);
    expect(await customerWrites("Hello while connected")).toEqual({ status: 200, text: JSON.stringify({ received: 1 }) });
    expect(await chatTexts(team)).toEqual(["Hello while connected"]);

    expect((await line.server.api("DELETE", `/whatsapp-accounts/${account.body.account.id}`, { token: team.agent.token })).status).toBe(204);
    expect(await customerWrites("Hello after the disconnect")).toEqual({ status: 200, text: JSON.stringify({ received: 0 }) });
    expect(await chatTexts(team)).toEqual(["Hello while connected"]);
  });

  it("is forgotten on access.changed from the bus (another process disconnected the account)", async () => {
    const team = await insertTeamDirectly(line.server.database.db);
    const cache = webhookRouteCache(line.server.services);
    const [route] = await cache.routesFor(["606540352240099"]);
    expect(route).toBeUndefined();
    expect((await connect(team)).status).toBe(201);
    expect((await cache.routesFor([number.phoneNumberId])).map((known) => known.workspaceId)).toEqual([team.workspace.id]);
    // Another process's disconnect: the route row goes, and only the NOTIFY tells this process.
    await line.server.database.db.delete(whatsappRoutes).where(eq(whatsappRoutes.phoneNumberId, number.phoneNumberId));
    expect((await cache.routesFor([number.phoneNumberId])).map((known) => known.workspaceId)).toEqual([team.workspace.id]);
    await publish(line.server.database.db, { type: "access.changed", workspaceId: team.workspace.id });
    await vi.waitFor(async () => expect(await cache.routesFor([number.phoneNumberId])).toEqual([]));
  });

  it("is not trusted while the bus is not heard (LISTEN lost): a route removed meanwhile is not served", async () => {
    const team = await insertTeamDirectly(line.server.database.db);
    const cache = webhookRouteCache(line.server.services);
    expect((await connect(team)).status).toBe(201);
    expect((await cache.routesFor([number.phoneNumberId])).map((known) => known.workspaceId)).toEqual([team.workspace.id]);
    // The LISTEN connection drops; another process disconnects the account; its NOTIFY is lost.
    line.server.services.events.connectionChanged(false);
    await line.server.database.db.delete(whatsappRoutes).where(eq(whatsappRoutes.phoneNumberId, number.phoneNumberId));
    expect(await cache.routesFor([number.phoneNumberId])).toEqual([]);
    expect(await customerWrites("Hello while the bus is away")).toEqual({ status: 200, text: JSON.stringify({ received: 0 }) });
    // Back: routes are cached again from the database as it is now.
    line.server.services.events.connectionChanged(true);
    expect(await cache.routesFor([number.phoneNumberId])).toEqual([]);
  });
});
