import { demoEmail, demoPassword, seedDemo } from "../../../server/demo/seed";
import { startTestServer, type TestServer, testPasswordCost } from "../../support/server";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await seedDemo(server.database.db, testPasswordCost);
});
afterAll(() => server.close());

const login = async (roleId: Parameters<typeof demoEmail>[0]) =>
  (await server.api("POST", "/sessions", { body: { email: demoEmail(roleId), password: demoPassword } })).body.token as string;

describe("demo workspace", () => {
  it("is created once, with a member per built-in role", async () => {
    expect(await seedDemo(server.database.db, testPasswordCost)).toHaveLength(5);
    const members = await server.api("GET", "/members", { token: await login("owner") });
    expect(members.body.data.map((member: { roleId: string }) => member.roleId).sort()).toEqual(["admin", "agent", "collaborator", "owner", "teammate"]);
  });

  it("has sandbox lines of the Owner and the Agent, and chats each role sees as the rules say", async () => {
    const owner = await login("owner");
    const accounts = await server.api("GET", "/whatsapp-accounts", { token: owner });
    expect(accounts.body.data.map((account: { displayName: string; provider: string }) => [account.displayName, account.provider])).toEqual([
      ["Sales line", "sandbox"],
      ["Agent's line", "sandbox"],
    ]);
    const visibleNames = async (roleId: Parameters<typeof demoEmail>[0]) =>
      (await server.api("GET", "/chats", { token: await login(roleId) })).body.data.map((chat: { contact: { name: string } }) => chat.contact.name).sort();
    expect(await visibleNames("owner")).toEqual(["Ada Lovelace", "Alan Turing", "Grace Hopper", "Hedy Lamarr"]);
    expect(await visibleNames("agent")).toEqual(["Alan Turing", "Hedy Lamarr"]);
    expect(await visibleNames("collaborator")).toEqual(["Ada Lovelace"]);
    const chats = (await server.api("GET", "/chats", { token: owner })).body.data;
    const grace = chats.find((chat: { contact: { name: string } }) => chat.contact.name === "Grace Hopper");
    const history = await server.api("GET", `/chats/${grace.id}/messages`, { token: owner });
    expect(history.body.data.map((message: { direction: string }) => message.direction)).toEqual(["in", "out", "in"]);
  });
});
