import { eq } from "drizzle-orm";
import { chats } from "../../../server/db/schema";
import { insertAccountDirectly } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly } from "../../support/team";

// The sandbox provider is development-only (on by default only with NODE_ENV=development). A server
// where it is off refuses new sandbox numbers, and the sandbox numbers a database kept from a
// development run take no simulated customer messages either: nothing the sandbox offers is open.

describe.each([
  ["off", { connect: 409, inbound: 409, chats: 0 }],
  ["on", { connect: 201, inbound: 201, chats: 1 }],
] as const)("with SANDBOX_PROVIDER=%s", (setting, expected) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ SANDBOX_PROVIDER: setting });
  });
  afterAll(() => server.close());

  it(`connecting a sandbox number answers ${expected.connect}`, async () => {
    const team = await insertTeamDirectly(server.database.db);
    const connected = await server.api("POST", "/whatsapp-accounts", {
      token: team.owner.token,
      body: { provider: "sandbox", phoneNumber: "+1 555 010 2000" },
    });
    expect(connected.status).toBe(expected.connect);
    if (setting === "off") expect(connected.body.detail).toBe("The sandbox provider is disabled on this server.");
    else expect(connected.body.account).toMatchObject({ provider: "sandbox", phoneNumber: "+15550102000" });
  });

  it(`a simulated customer message on a sandbox number already in the database answers ${expected.inbound}`, async () => {
    const team = await insertTeamDirectly(server.database.db);
    const account = await insertAccountDirectly(server.database.db, team.workspace, team.owner.id);
    const inbound = await server.api("POST", `/whatsapp-accounts/${account.id}/sandbox/inbound`, {
      token: team.owner.token,
      body: { from: "+44 20 7946 0958", text: "Hello?" },
    });
    expect(inbound.status).toBe(expected.inbound);
    if (setting === "off") expect(inbound.body.detail).toBe("The sandbox provider is disabled on this server.");
    else expect(inbound.body.chatId).toEqual(expect.any(String));
    expect(await server.database.db.select().from(chats).where(eq(chats.accountId, account.id))).toHaveLength(expected.chats);
  });
});
