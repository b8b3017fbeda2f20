import { type ChildProcess, spawn } from "node:child_process";
import { unknownAfterRestart } from "../../../server/campaigns/delivery";
import { defaultLanes } from "../../../server/campaigns/dispatcher";
import { type FakeGraphApi, startFakeGraphApi } from "../../fakes/graph-api";
import { startTestServer, type TestServer } from "../../support/server";
import { eventually } from "../../support/sse";
import { buildTeam, type Team } from "../../support/team";
import { busiestSecond, createTemplate, launch, recipientRows, recipients, waitForCampaign } from "./support";

// A real crash: the production entry point (server/main.ts) runs as its own process against
// PostgreSQL, sends a campaign to the fake Graph API, and is SIGKILLed halfway. A new process
// resumes it. The fake, in this process, is the witness of what reached "Meta".
const accessToken = "EAAGm0PX4ZCpsBAtest-access-token-crash";
const rate = 40;
const size = 200;

describe("kill -9 of the server mid-campaign (PostgreSQL)", () => {
  let fake: FakeGraphApi;
  let server: TestServer;
  let team: Team;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    fake = await startFakeGraphApi({ accessToken });
    // The campaign's Meta template, approved in the WABA: two body parameters ({{name}}, {{order}} in order).
    fake.registerTemplate("102290129340398", { name: "order_ready", language: "en_US", body: "Hi {{1}}, your order {{2}} is ready." });
    // Meta's side: the number is in the WABA our token manages (connecting checks it there).
    fake.registerPhoneNumber({ wabaId: "102290129340398", phoneNumberId: "406540352240001", displayPhoneNumber: "+1 555-078-0001" });
    // This process only sets up and reads; the child processes send.
    server = await startTestServer({ CAMPAIGN_DISPATCHER: "off", GRAPH_API_BASE_URL: fake.url });
    team = await buildTeam(server.database.db);
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    await server?.close();
    await fake?.close();
  });

  /** `node --import tsx server/main.ts`: one process (npx would leave the server running as its grandchild). */
  async function startServerProcess(): Promise<ChildProcess> {
    const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
      env: {
        ...process.env,
        NODE_ENV: "test",
        PORT: "0",
        DEMO: "off",
        LOG_LEVEL: "warn",
        DATA_DIR: ".test-tmp/crash-child",
        DATABASE_URL: server.database.databaseUrl,
        ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
        GRAPH_API_BASE_URL: fake.url,
        WHATSAPP_SEND_RATE: String(rate),
        CAMPAIGN_UNKNOWN_OUTCOME_AFTER_MS: "1500",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let output = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server process did not start:\n${output}`)), 60_000);
      child.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("Switchboard: ")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`server process exited with ${code}:\n${output}`));
      });
    });
    child.removeAllListeners("exit");
    return child;
  }

  it("resumes where it stopped: every recipient reaches Meta at most once; only the in-flight ones are unknown", async () => {
    const connected = await server.api("POST", "/whatsapp-accounts", {
      token: team.agent.token,
      body: { provider: "cloud", phoneNumber: "+15550780001", cloud: { phoneNumberId: "406540352240001", wabaId: "102290129340398", accessToken } },
    });
    const templateId = await createTemplate(server, team.agent.token, "Hi {{name}}, your order {{order}} is ready.", {
      metaTemplateName: "order_ready",
      metaLanguage: "en_US",
    });
    const launched = await launch(server, team.agent.token, { accountId: connected.body.account.id, templateId, recipients: recipients(size) });
    const campaignId = launched.body.campaign.id;

    const first = await startServerProcess();
    await eventually(() => expect(fake.sentMessages.length).toBeGreaterThanOrEqual(size / 2), 60_000);
    first.kill("SIGKILL");
    await new Promise((resolve) => first.once("exit", resolve));
    const reachedBeforeKill = fake.sentMessages.length;
    expect(reachedBeforeKill).toBeLessThan(size);
    // A statement PostgreSQL was already running for the dead process still commits: let it.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const inFlight = (await recipientRows(server, team.workspace.id, campaignId)).filter((row) => row.status === "sending");

    const second = await startServerProcess();
    await waitForCampaign(server, team.agent.token, campaignId, "completed", 60_000);
    second.kill("SIGTERM");

    const rows = await recipientRows(server, team.workspace.id, campaignId);
    const accepted = new Map<string, number>();
    for (const sent of fake.sentMessages) accepted.set(`+${sent.body.to}`, (accepted.get(`+${sent.body.to}`) ?? 0) + 1);
    // Nobody reached Meta twice.
    expect(Math.max(...accepted.values())).toBe(1);
    const sent = rows.filter((row) => row.status === "sent");
    const unknown = rows.filter((row) => row.status === "failed");
    expect(sent.length + unknown.length).toBe(size);
    // Every recipient recorded as sent reached Meta exactly once, under the id we stored.
    for (const row of sent) {
      expect(accepted.get(row.phone)).toBe(1);
      expect(fake.sentMessages.find((message) => message.wamid === row.providerMessageId)?.body.to).toBe(row.phone.slice(1));
    }
    // The unknown ones are exactly those in flight at the kill: at most one per lane, never retried.
    expect(unknown.map((row) => row.error)).toEqual(unknown.map(() => unknownAfterRestart));
    expect(unknown.map((row) => row.seq).sort()).toEqual(inFlight.map((row) => row.seq).sort());
    expect(unknown.length).toBeLessThanOrEqual(defaultLanes(rate));
    for (const row of unknown) expect(accepted.get(row.phone) ?? 0).toBeLessThanOrEqual(1);
    // The shared schedule held across the kill and the restart.
    expect(busiestSecond(sent.map((row) => row.sentAt?.getTime() ?? 0))).toBeLessThanOrEqual(rate);
  }, 180_000);
});
