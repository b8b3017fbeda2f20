import { demoEmail, demoPassword, seedDemo } from "../../../server/demo/seed";
import { demoCrmPersons } from "../../../server/demo-crm/company";
import { normalizePhone } from "../../../server/whatsapp/phone";
import { startTestServer, type TestServer, testPasswordCost } from "../../support/server";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await seedDemo(server.database.db, testPasswordCost, server.services.config.auditChainKey, server.services.mediaStorage);
});
afterAll(() => server.close());

const login = async (roleId: Parameters<typeof demoEmail>[0]) =>
  (await server.api("POST", "/sessions", { body: { email: demoEmail(roleId), password: demoPassword } })).body.token as string;

describe("demo workspace", () => {
  it("is created once, with a member per built-in role", async () => {
    expect(await seedDemo(server.database.db, testPasswordCost, server.services.config.auditChainKey, server.services.mediaStorage)).toHaveLength(5);
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
    expect(await visibleNames("owner")).toEqual(["Ada Lovelace", "Alan Turing", "Grace Hopper", "Grace Hopper", "Hedy Lamarr"]);
    expect(await visibleNames("agent")).toEqual(["Alan Turing", "Grace Hopper", "Hedy Lamarr"]);
    expect(await visibleNames("collaborator")).toEqual(["Ada Lovelace"]);
    const chats = (await server.api("GET", "/chats", { token: owner })).body.data;
    // Grace wrote to the Sales line from her mobile (and to the Agent's line from her work phone).
    const grace = chats.find((chat: { contact: { phone: string } }) => chat.contact.phone === "+442079460958");
    const history = await server.api("GET", `/chats/${grace.id}/messages`, { token: owner });
    expect(history.body.data.map((message: { direction: string }) => message.direction)).toEqual(["in", "in", "in", "in", "out", "in"]);
  });

  it("has a customer's photo, PDF and voice note in a chat a Teammate sees, each a link that downloads the file", async () => {
    const teammate = await login("teammate");
    const chats = (await server.api("GET", "/chats", { token: teammate })).body.data;
    const grace = chats.find((chat: { contact: { phone: string } }) => chat.contact.phone === "+442079460958");
    const history = (await server.api("GET", `/chats/${grace.id}/messages`, { token: teammate })).body.data;
    const files = history.filter((message: { media?: unknown }) => message.media).reverse();
    expect(
      files.map((message: { text: string; media: { kind: string; mimeType: string; status: string } }) => [
        message.text,
        message.media.kind,
        message.media.mimeType,
        message.media.status,
      ]),
    ).toEqual([
      ["[image] Our office, for the onboarding visit", "image", "image/png", "ready"],
      ["[document] Invoice 2026-117.pdf", "document", "application/pdf", "ready"],
      ["[audio]", "audio", "audio/mpeg", "ready"],
    ]);
    const starts = await Promise.all(
      files.map(async (message: { media: { url: string } }) =>
        Buffer.from(await (await fetch(`${server.url}/api/v1${message.media.url}`)).arrayBuffer())
          .subarray(0, 4)
          .toString("hex"),
      ),
    );
    // A PNG's signature, "%PDF", an MP3 frame's sync word.
    expect(starts).toEqual(["89504e47", "25504446", "fffb9064"]);
  });

  it("keeps the 24-hour window as WhatsApp does: open where the customer wrote in the last hours, closed for Alan (two days ago), and the sandbox's templates in each state", async () => {
    const owner = await login("owner");
    const chats = (await server.api("GET", "/chats", { token: owner })).body.data as {
      id: string;
      accountId: string;
      contact: { name: string };
      windowOpenUntil: string | null;
    }[];
    const open = (chat: { windowOpenUntil: string | null }) => Boolean(chat.windowOpenUntil && Date.parse(chat.windowOpenUntil) > Date.now());
    expect(chats.map((chat) => [chat.contact.name, open(chat)]).sort()).toEqual([
      ["Ada Lovelace", true],
      ["Alan Turing", false],
      ["Grace Hopper", true],
      ["Grace Hopper", true],
      ["Hedy Lamarr", true],
    ]);
    const alan = chats.find((chat) => chat.contact.name === "Alan Turing") as { id: string; accountId: string };
    const agent = await login("agent");
    const text = await server.api("POST", `/chats/${alan.id}/messages`, { token: agent, body: { text: "Still interested?" } });
    expect(text.status).toBe(422);
    const template = await server.api("POST", `/chats/${alan.id}/messages`, {
      token: agent,
      body: { template: { name: "follow_up", languageCode: "en_US", bodyParameters: ["Alan"] } },
    });
    expect(template.body.message).toMatchObject({ status: "sent", templateName: "follow_up" });

    // The Agent, whose line it is, has them (and the Owner sees everyone's).
    const templates = (await server.api("GET", "/templates", { token: agent })).body.data as {
      metaTemplateName: string;
      metaStatus: string;
      accountId: string;
    }[];
    // Synced from the Agent's line, the one Alan's chat is on, so its composer offers them.
    expect(new Set(templates.map((entry) => entry.accountId))).toEqual(new Set([alan.accountId]));
    expect((await server.api("GET", "/templates", { token: owner })).body.data).toHaveLength(5);
    expect(templates.map((entry) => [entry.metaTemplateName, entry.metaStatus]).sort()).toEqual([
      ["appointment_reminder", "APPROVED"],
      ["follow_up", "APPROVED"],
      ["order_update", "APPROVED"],
      ["spring_sale", "PENDING"],
      ["win_back", "REJECTED"],
    ]);
  });

  it("talks to the people of the demo CRM on the numbers it has for them, so the panel finds their chats", async () => {
    const chats = (await server.api("GET", "/chats", { token: await login("owner") })).body.data as { contact: { name: string; phone: string } }[];
    const crmNumbers = demoCrmPersons.flatMap((person) => person.phones.map((phone) => `${person.name} ${normalizePhone(phone.value)}`));
    expect(chats.map((chat) => `${chat.contact.name} ${chat.contact.phone}`).sort()).toEqual(crmNumbers.sort());
  });
});
