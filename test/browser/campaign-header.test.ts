import { and, eq } from "drizzle-orm";
import { campaigns } from "../../server/db/schema";
import { logInToSection } from "../support/console";
import { insertMemberDirectly, insertWorkspaceDirectly } from "../support/factories";
import { startWebTestServer, webUiSuite } from "../support/web-server";

// The campaign form's header file: an Admin attaches the image a template's header shows; the
// launch carries it and the campaign keeps it (the sends fill the header: header-media.test.ts).
const suite = webUiSuite((webRoot) => startWebTestServer(webRoot, { WHATSAPP_SEND_RATE: "10" }));
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2048, 5)]);

describe("campaign header file", () => {
  it("an Admin attaches a header image to a campaign, a GIF is refused with the reason, and the launch keeps the image", async () => {
    const db = suite.server.database.db;
    const workspace = await insertWorkspaceDirectly(db);
    const admin = await insertMemberDirectly(db, workspace, { roleId: "admin", name: "Ada Admin" });
    const connected = await suite.server.api("POST", "/whatsapp-accounts", {
      token: admin.token,
      body: { provider: "sandbox", phoneNumber: "+1 555 012 0001", displayName: "Promo line" },
    });
    expect(connected.status).toBe(201);
    expect((await suite.server.api("POST", "/templates/sync", { token: admin.token, body: { accountId: connected.body.account.id } })).status).toBe(200);

    const page = await logInToSection(await suite.newPage(), suite.server.url, admin, "Campaigns");
    await page.getByRole("button", { name: "New campaign" }).click();
    const builder = page.getByRole("form", { name: "New campaign" });
    const templatePicker = builder.getByLabel("Template");
    await templatePicker.locator("option", { hasText: "order_update" }).waitFor({ state: "attached" });
    await templatePicker.selectOption({ label: "order_update (en_US) — approved" });
    await builder.getByLabel("Campaign name (optional)").fill("Spring photos");

    const header = builder.getByRole("group", { name: "Header file" });
    await header.getByLabel("Header image, video or PDF (optional)").setInputFiles({ name: "spin.gif", mimeType: "image/gif", buffer: Buffer.from("GIF89a") });
    await header.getByRole("alert").getByText("spin.gif can't be a template header: choose a JPEG or PNG image, an MP4 video or a PDF.").waitFor();
    await header.getByLabel("Header image, video or PDF (optional)").setInputFiles({ name: "spring.png", mimeType: "image/png", buffer: png });
    await header.getByText("spring.png").waitFor();

    const csv = ["Phone,Name,Order", "+1 555 012 1001,Ana,A-1", "+1 555 012 1002,Bo,A-2"].join("\n");
    await builder.getByLabel("CSV file").setInputFiles({ name: "customers.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await builder.getByLabel("Column for {{1}}").selectOption("Name");
    await builder.getByLabel("Column for {{2}}").selectOption("Order");
    await builder.getByRole("button", { name: "Check recipients" }).click();
    await builder.getByRole("region", { name: "Preview" }).getByRole("heading", { name: "2 recipients get the message" }).waitFor();
    await builder.getByRole("button", { name: "Launch campaign" }).click();
    await page.getByRole("status").filter({ hasText: "Spring photos is sending." }).waitFor();

    const [campaign] = await db
      .select({ template: campaigns.template })
      .from(campaigns)
      .where(and(eq(campaigns.workspaceId, workspace.id), eq(campaigns.name, "Spring photos")));
    expect(campaign?.template?.headerMedia).toMatchObject({ kind: "image", mimeType: "image/png", fileName: "spring.png", sizeBytes: png.length });
  });
});
