import { and, eq } from "drizzle-orm";
import { auditLog, outgoingMail, passwordResets } from "../../../server/db/schema";
import { resetRequestAnswer } from "../../../server/identity/account-routes";
import { insertMemberDirectly, insertWorkspaceDirectly, testPassword } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";
import { linkIn, type SmtpInbox, startSmtpInbox } from "../../support/smtp-inbox";

let inbox: SmtpInbox;
let server: TestServer;
beforeAll(async () => {
  inbox = await startSmtpInbox();
  server = await startTestServer({ SMTP_URL: inbox.url }, { ownPublicUrl: true });
});
afterAll(async () => {
  await server.close();
  await inbox.close();
});

const unique = () => Math.random().toString(36).slice(2, 9);
const resetPrefix = () => `${server.url}/#/reset-password/`;
const tokenOf = (link: string) => decodeURIComponent(link.slice(resetPrefix().length));

/** A member of a fresh workspace with a unique address; asks for a reset and reads the link from the mail. */
async function memberWithResetLink() {
  const member = await insertMemberDirectly(server.database.db, await insertWorkspaceDirectly(server.database.db), {
    email: `forgetful-${unique()}@example.test`,
    name: "Fay Forgetful",
  });
  const asked = await server.api("POST", "/password-resets", { body: { email: member.email } });
  expect(asked.status).toBe(202);
  const mail = await inbox.waitFor(member.email);
  return { member, mail, resetToken: tokenOf(linkIn(mail.text, resetPrefix())) };
}

describe("forgot password", () => {
  it("e-mails a link that sets a new password once, ends every session, and logs it", async () => {
    const { member, mail, resetToken } = await memberWithResetLink();
    expect(mail.subject).toBe("Reset your Switchboard password");
    expect(mail.text).toContain("Hello Fay Forgetful");

    const reset = await server.api("POST", `/password-resets/${encodeURIComponent(resetToken)}`, { body: { password: "a brand new password" } });
    expect(reset.status).toBe(200);
    expect(reset.body).toEqual({ email: member.email });
    expect((await server.api("GET", "/me", { token: member.token })).status).toBe(401);
    expect((await server.api("POST", "/sessions", { body: { email: member.email, password: testPassword } })).status).toBe(401);
    expect((await server.api("POST", "/sessions", { body: { email: member.email, password: "a brand new password" } })).status).toBe(201);

    const again = await server.api("POST", `/password-resets/${encodeURIComponent(resetToken)}`, { body: { password: "another new password" } });
    expect(again.status).toBe(404);
    const actions = await server.database.db
      .select({ action: auditLog.action, actorId: auditLog.actorId, targetId: auditLog.targetId })
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, member.workspaceId), eq(auditLog.targetId, member.id)));
    expect(actions).toEqual(
      expect.arrayContaining([
        { action: "password_reset.request", actorId: null, targetId: member.id },
        { action: "password.reset", actorId: member.id, targetId: member.id },
      ]),
    );
  });

  it("answers an unknown address exactly as a known one, and queues nothing for it", async () => {
    const known = await insertMemberDirectly(server.database.db, await insertWorkspaceDirectly(server.database.db), {
      email: `known-${unique()}@example.test`,
    });
    const unknownEmail = `nobody-${unique()}@example.test`;
    const forKnown = await server.api("POST", "/password-resets", { body: { email: known.email } });
    const forUnknown = await server.api("POST", "/password-resets", { body: { email: unknownEmail } });
    expect(forUnknown.status).toBe(forKnown.status);
    expect(forUnknown.body).toEqual(forKnown.body);
    expect(forKnown.body).toEqual({ message: resetRequestAnswer });
    expect(await server.database.db.select().from(outgoingMail).where(eq(outgoingMail.toAddress, unknownEmail))).toEqual([]);
    expect(await server.database.db.select().from(outgoingMail).where(eq(outgoingMail.toAddress, known.email))).toHaveLength(1);
  });

  it("refuses an expired link (409) and a link a newer request replaced (404)", async () => {
    const { member, resetToken: expiring } = await memberWithResetLink();
    await server.database.db.update(passwordResets).set({ expiresAt: new Date(Date.now() - 1000) });
    const expired = await server.api("POST", `/password-resets/${encodeURIComponent(expiring)}`, { body: { password: "too late password" } });
    expect(expired.status).toBe(409);
    expect(expired.body.detail).toBe("This reset link has expired; ask for a new one.");

    inbox.received.splice(0);
    expect((await server.api("POST", "/password-resets", { body: { email: member.email } })).status).toBe(202);
    const fresh = tokenOf(linkIn((await inbox.waitFor(member.email)).text, resetPrefix()));
    expect(fresh).not.toBe(expiring);
    expect((await server.api("POST", `/password-resets/${encodeURIComponent(expiring)}`, { body: { password: "too late password" } })).status).toBe(404);
    expect((await server.api("POST", `/password-resets/${encodeURIComponent(fresh)}`, { body: { password: "in time password" } })).status).toBe(200);
    expect((await server.api("POST", "/password-resets/pwr.made-up", { body: { password: "in time password" } })).status).toBe(404);
  });

  it("limits requests per email (3 per 15 minutes) the same for known and unknown addresses", async () => {
    const known = await insertMemberDirectly(server.database.db, await insertWorkspaceDirectly(server.database.db), {
      email: `flooded-${unique()}@example.test`,
    });
    const unknownEmail = `ghost-${unique()}@example.test`;
    for (const email of [known.email, unknownEmail]) {
      const statuses = [];
      for (let request = 0; request < 4; request++) statuses.push((await server.api("POST", "/password-resets", { body: { email } })).status);
      expect(statuses).toEqual([202, 202, 202, 429]);
    }
    // Asking for resets spends nothing of the account's login budget.
    expect((await server.api("POST", "/sessions", { body: { email: known.email, password: testPassword } })).status).toBe(201);
  });
});

describe("forgot password without mail", () => {
  it("says mail is not configured, for every address alike (503)", async () => {
    const bare = await startTestServer();
    try {
      const member = await insertMemberDirectly(bare.database.db, await insertWorkspaceDirectly(bare.database.db));
      const known = await bare.api("POST", "/password-resets", { body: { email: member.email } });
      const unknown = await bare.api("POST", "/password-resets", { body: { email: "nobody@example.test" } });
      expect(known.status).toBe(503);
      expect(known.body).toMatchObject({ code: "mail_not_configured" });
      expect(unknown.body).toEqual(known.body);
    } finally {
      await bare.close();
    }
  });
});
