import { and, eq } from "drizzle-orm";
import { campaigns } from "../../../server/db/schema";
import { mediaStorageOf } from "../../../server/media/storage-of";
import { type FakeGraphApi, startFakeGraphApi } from "../../fakes/graph-api";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";
import { createTemplate, launch, recipientRows, recipients, waitForCampaign } from "./support";

// A campaign whose Meta template has an image header: the launch carries the file once, the
// first send uploads it to Meta for the number, and every recipient's template names that id.
const accessToken = "EAAGm0PX4ZCpsBAtest-access-token-header-media";
const wabaId = "102290129340888";
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(1024, 3)]);
let fake: FakeGraphApi;
let server: TestServer;
let team: Team;
let sequence = 0;

beforeAll(async () => {
  fake = await startFakeGraphApi({ accessToken });
  fake.registerTemplate(wabaId, {
    name: "spring_sale",
    language: "en_US",
    header: { format: "IMAGE" },
    body: "Hi {{1}}, your order {{2}} ships with 20% off.",
  });
  server = await startTestServer({ GRAPH_API_BASE_URL: fake.url });
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
  fake.reset();
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

async function cloudLine() {
  sequence++;
  const phoneNumberId = String(306540352280000 + sequence);
  const phoneNumber = `+1555081${String(sequence).padStart(4, "0")}`;
  fake.registerPhoneNumber({ wabaId, phoneNumberId, displayPhoneNumber: phoneNumber });
  const connected = await server.api("POST", "/whatsapp-accounts", {
    token: team.agent.token,
    body: { provider: "cloud", phoneNumber, cloud: { phoneNumberId, wabaId, accessToken } },
  });
  expect(connected.status, connected.text).toBe(201);
  const templateId = await createTemplate(server, team.agent.token, "Hi {{name}}, your order {{order}} ships with 20% off.", {
    metaTemplateName: "spring_sale",
    metaLanguage: "en_US",
  });
  fake.reset();
  return { accountId: connected.body.account.id as string, phoneNumberId, templateId };
}

const headerMedia = (data: Buffer, mimeType = "image/png", fileName = "sale.png") => ({ fileName, mimeType, data: data.toString("base64") });

describe("a campaign with a media header", () => {
  it("uploads the header file to Meta once and fills every recipient's header parameter with its id", async () => {
    const { accountId, phoneNumberId, templateId } = await cloudLine();
    const launched = await launch(server, team.agent.token, { accountId, templateId, recipients: recipients(3, "+1555300"), headerMedia: headerMedia(png) });
    expect(launched.status, launched.text).toBe(202);
    await waitForCampaign(server, team.agent.token, launched.body.campaign.id);

    expect(fake.uploads).toEqual([{ id: expect.any(String), phoneNumberId, mimeType: "image/png", fileName: "sale.png", data: png }]);
    const mediaId = fake.uploads[0]?.id;
    expect(fake.sentMessages).toHaveLength(3);
    for (const sent of fake.sentMessages) {
      expect(sent.body).toMatchObject({ type: "template", template: { name: "spring_sale" } });
      const template = (sent.body as { template: { components: unknown[] } }).template;
      expect(template.components[0]).toEqual({ type: "header", parameters: [{ type: "image", image: { id: mediaId } }] });
    }
    expect((await recipientRows(server, team.workspace.id, launched.body.campaign.id)).map((row) => row.status)).toEqual(["sent", "sent", "sent"]);
    // The snapshot keeps the file and Meta's id; the file is in our storage.
    const [campaign] = await server.database.db
      .select({ template: campaigns.template })
      .from(campaigns)
      .where(and(eq(campaigns.workspaceId, team.workspace.id), eq(campaigns.id, launched.body.campaign.id)));
    expect(campaign?.template?.headerMedia).toMatchObject({ kind: "image", fileName: "sale.png", sizeBytes: png.length, providerMediaId: mediaId });
    expect(await mediaStorageOf(server.services).get(campaign?.template?.headerMedia?.storageKey as string)).toEqual(png);
    const log = await server.api("GET", "/audit-log?action=campaign.launch", { token: team.owner.token });
    expect(log.body.data[0].details).toMatchObject({ headerMedia: { kind: "image", fileName: "sale.png", sizeBytes: png.length } });
  });

  it("without the header file, Meta refuses the template (132000) and every recipient fails with its reason", async () => {
    const { accountId, templateId } = await cloudLine();
    const launched = await launch(server, team.agent.token, { accountId, templateId, recipients: recipients(1, "+1555301") });
    expect(launched.status).toBe(202);
    await waitForCampaign(server, team.agent.token, launched.body.campaign.id);
    const [row] = await recipientRows(server, team.workspace.id, launched.body.campaign.id);
    expect(row).toMatchObject({ status: "failed", error: expect.stringContaining("132000") });
    expect(fake.uploads).toEqual([]);
  });

  it.each([
    ["a GIF", Buffer.from("GIF89a"), "image/gif", 415, /JPEG or PNG image, an MP4 or 3GPP video, or a PDF/],
    ["a Word document (a header document is a PDF)", Buffer.from("doc"), "application/msword", 415, /PDF document/],
    ["an image over Meta's 5 MB", Buffer.alloc(5 * 1024 * 1024 + 1, 1), "image/jpeg", 413, /image files of at most 5 MB/],
  ])("refuses %s at launch, before anything is stored or sent", async (_case, data, mimeType, status, detail) => {
    const { accountId, templateId } = await cloudLine();
    const refused = await launch(server, team.agent.token, {
      accountId,
      templateId,
      recipients: recipients(1, "+1555302"),
      headerMedia: headerMedia(data, mimeType),
    });
    expect(refused.status).toBe(status);
    expect(refused.body.detail).toMatch(detail);
    const stored = await server.database.db.select().from(campaigns).where(eq(campaigns.workspaceId, team.workspace.id));
    expect(stored).toEqual([]);
    expect(fake.requests).toEqual([]);
  });
});
