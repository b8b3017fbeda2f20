import { eq } from "drizzle-orm";
import { outgoingMail } from "../../../server/db/schema";
import { startTestServer, type TestServer } from "../../support/server";
import { linkIn, type SmtpInbox, startSmtpInbox } from "../../support/smtp-inbox";
import { insertTeamDirectly } from "../../support/team";

// Against a real SMTP server (test/support/smtp-inbox.ts) that requires a login, as a provider does.
let inbox: SmtpInbox;
let server: TestServer;
beforeAll(async () => {
  inbox = await startSmtpInbox();
  server = await startTestServer({ SMTP_URL: inbox.url, MAIL_FROM: "Switchboard Test <mail@switchboard.test>" }, { ownPublicUrl: true });
});
afterAll(async () => {
  await server.close();
  await inbox.close();
});

const unique = () => Math.random().toString(36).slice(2, 9);
const mailTo = (address: string) => server.database.db.select().from(outgoingMail).where(eq(outgoingMail.toAddress, address));

async function waitForRow(address: string, status: "sent" | "failed" | "retrying") {
  for (let tries = 0; tries < 300; tries++) {
    const [row] = await mailTo(address);
    if (row && (status === "retrying" ? row.status === "pending" && row.attempts === 1 && row.lastError : row.status === status)) return row;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the mail to ${address} never became ${status}`);
}

describe("invitation e-mail", () => {
  it("arrives through SMTP with the accept link, and the link works: accept, then log in", async () => {
    const team = await insertTeamDirectly(server.database.db);
    const email = `invitee-${unique()}@example.test`;
    const invited = await server.api("POST", "/invitations", { token: team.admin.token, body: { email, roleId: "agent" } });
    expect(invited.status).toBe(201);
    expect(invited.body.mail).toBe("queued");

    const mail = await inbox.waitFor(email);
    expect(mail).toMatchObject({ from: '"Switchboard Test" <mail@switchboard.test>', authenticatedAs: "switchboard" });
    expect(mail.subject).toBe(`The admin invited you to ${team.workspace.name} on Switchboard`);
    expect(mail.text).toContain("as Agent");
    const link = linkIn(mail.text, `${server.url}/#/accept/`);
    expect(mail.html).toContain(link);
    const acceptToken = decodeURIComponent(link.slice(`${server.url}/#/accept/`.length));
    expect(acceptToken).toBe(invited.body.acceptToken);

    const accepted = await server.api("POST", `/invitations/${encodeURIComponent(acceptToken)}/accept`, {
      body: { name: "Ivy Invitee", password: "invitee password" },
    });
    expect(accepted.status).toBe(201);
    const login = await server.api("POST", "/sessions", { body: { email, password: "invitee password" } });
    expect(login.status).toBe(201);
    expect(login.body.member).toMatchObject({ name: "Ivy Invitee", roleId: "agent" });
  });

  it("keeps the message encrypted while it waits and erases it once sent", async () => {
    const team = await insertTeamDirectly(server.database.db);
    const email = `stored-${unique()}@example.test`;
    const invited = await server.api("POST", "/invitations", { token: team.admin.token, body: { email, roleId: "agent" } });
    const secret = String(invited.body.acceptToken).split(".")[2] as string;
    const sent = await waitForRow(email, "sent");
    expect(sent).toMatchObject({ workspaceId: team.workspace.id, kind: "invitation", bodyEncrypted: null, sentAt: expect.any(Date) });
    expect(JSON.stringify(sent)).not.toContain(secret);
  });

  it("a refused send (451) is retried and the mail still arrives; a 550 is final", async () => {
    const team = await insertTeamDirectly(server.database.db);
    const later = `later-${unique()}@example.test`;
    inbox.refuseNext(1, 451);
    await server.api("POST", "/invitations", { token: team.admin.token, body: { email: later, roleId: "agent" } });
    const waiting = await waitForRow(later, "retrying");
    expect(waiting.lastError).toContain("451");
    expect(waiting.bodyEncrypted).not.toBeNull();
    // Its backoff has not run out: bring the retry forward rather than wait for it.
    await server.database.db.update(outgoingMail).set({ nextAttemptAt: new Date() }).where(eq(outgoingMail.id, waiting.id));
    const mail = await inbox.waitFor(later);
    expect(mail.text).toContain("/#/accept/");
    expect((await waitForRow(later, "sent")).attempts).toBe(2);

    const never = `never-${unique()}@example.test`;
    inbox.refuseNext(1, 550);
    await server.api("POST", "/invitations", { token: team.admin.token, body: { email: never, roleId: "agent" } });
    const dead = await waitForRow(never, "failed");
    expect(dead).toMatchObject({ attempts: 1, lastError: expect.stringContaining("550") });
  });

  it("a refused invitation queues no mail (it rides the invitation's transaction)", async () => {
    const team = await insertTeamDirectly(server.database.db);
    const refused = await server.api("POST", "/invitations", { token: team.admin.token, body: { email: team.agent.email, roleId: "agent" } });
    expect(refused.status).toBe(409);
    expect(await mailTo(team.agent.email)).toEqual([]);
  });
});

describe("without SMTP configured", () => {
  let bare: TestServer;
  beforeAll(async () => {
    bare = await startTestServer();
  });
  afterAll(() => bare.close());

  it("an invitation still gives its link, says mail is not configured, and queues nothing", async () => {
    const team = await insertTeamDirectly(bare.database.db);
    const email = `by-hand-${unique()}@example.test`;
    const invited = await bare.api("POST", "/invitations", { token: team.admin.token, body: { email, roleId: "agent" } });
    expect(invited.status).toBe(201);
    expect(invited.body).toMatchObject({ mail: "not_configured", acceptToken: expect.stringMatching(/^inv\./) });
    expect(await bare.database.db.select().from(outgoingMail).where(eq(outgoingMail.toAddress, email))).toEqual([]);
  });
});
