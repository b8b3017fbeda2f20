import { oneCloudNumberSuite } from "../support/one-cloud-number";
import { insertTeamDirectly } from "../support/team";

// A number moves between workspaces: A connects it, disconnects, and B connects it later. A's
// stale account still names the number, and must not be able to take B's route away (or then
// re-claim the number and read B's customers' messages).
const number = { wabaId: "602290129340398", phoneNumberId: "606540352240001", displayPhoneNumber: "+1 555-079-0601" };
const line = oneCloudNumberSuite({ accessToken: "EAAGm0PX4ZCpsBAtest-access-token-stale-route", number, phoneNumber: "+15550790601", customer: "16505551234" });
const { connect, chatTexts, customerWrites } = line;

describe("a stale account in one workspace unroutes a number another workspace connected later", () => {
  it("disconnecting the stale account again leaves the other workspace's route alone, and the number cannot be re-claimed", async () => {
    const formerOwner = await insertTeamDirectly(line.server.database.db);
    const currentOwner = await insertTeamDirectly(line.server.database.db);
    const stale = await connect(formerOwner);
    expect(stale.status).toBe(201);
    expect((await line.server.api("DELETE", `/whatsapp-accounts/${stale.body.account.id}`, { token: formerOwner.agent.token })).status).toBe(204);
    expect((await connect(currentOwner)).status).toBe(201);

    // The former owner "disconnects" its stale account once more.
    expect((await line.server.api("DELETE", `/whatsapp-accounts/${stale.body.account.id}`, { token: formerOwner.agent.token })).status).toBe(204);
    expect(await customerWrites("Still reaching the current owner?")).toEqual({ status: 200, text: JSON.stringify({ received: 1 }) });
    expect(await chatTexts(currentOwner)).toEqual(["Still reaching the current owner?"]);

    // Nor can the former owner take the number back while it is connected elsewhere.
    expect((await connect(formerOwner)).status).toBe(409);
    expect(await customerWrites("And now?")).toEqual({ status: 200, text: JSON.stringify({ received: 1 }) });
    expect(await chatTexts(formerOwner)).toEqual([]);
  });
});
