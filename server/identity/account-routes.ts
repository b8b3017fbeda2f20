import { and, eq, inArray, isNull } from "drizzle-orm";
import { z } from "zod";
import { recordingRateLimit, recordLoginRefusal } from "../audit/security-events";
import type { Executor } from "../db/client";
import { authTokens, members, passwordResets, users } from "../db/schema";
import { conflict, HttpProblem, notFound } from "../http/problem";
import { anyMember, publicAccess, route } from "../http/route";
import { Email, Password, PersonName } from "../http/schemas";
import { newId, newSecret, sha256 } from "../ids";
import { passwordResetMail } from "../mail/messages";
import { enqueueMail, mailConfigured } from "../mail/outbox";
import { presentMember } from "../team/presenters";
import { sparingOwnBrowser } from "./login-sessions";
import { hashPassword, verifyPassword } from "./passwords";
import { revokeTokens } from "./tokens";

/** How long a reset link works. */
export const passwordResetLifetimeMinutes = 60;

const ResetRequest = z.object({ email: Email }).strict();
const ResetTokenParam = z.object({ resetToken: z.string().min(1).max(300) }).strict();
const NewPassword = z.object({ password: Password }).strict();
const PasswordChange = z.object({ currentPassword: z.string().min(1).max(200), newPassword: Password }).strict();
const ProfileChange = z.object({ name: PersonName }).strict();

/** The one answer to every reset request, so it says nothing about whether the address has an account. */
export const resetRequestAnswer = "If an account uses this address, we have sent it a link to choose a new password. It works once, for an hour.";

/** Reset tokens read `pwr.<secret>`; only the secret's SHA-256 is stored. */
function resetTokenHash(token: string): string | null {
  const [prefix, secret, ...rest] = token.split(".");
  return prefix === "pwr" && secret && rest.length === 0 ? sha256(secret) : null;
}

/** The console's page for a reset token (the link the e-mail carries). */
export function resetUrl(publicUrl: string, resetToken: string): string {
  return `${publicUrl}/#/reset-password/${encodeURIComponent(resetToken)}`;
}

/** A user's memberships: their password and name are theirs in every workspace, so each log hears of a change. */
async function membershipsOf(db: Executor, userId: string) {
  return db.select({ workspaceId: members.workspaceId, memberId: members.id }).from(members).where(eq(members.userId, userId));
}

/**
 * Ends the user's console and panel sessions, and their browsers' login sessions (the cookies that
 * would open new tabs), in every workspace, except the request's own browser (`keep`: its token,
 * its login session and that session's tabs). Personal API tokens and workspace keys are
 * credentials someone made on purpose: they stay, and are revoked under Settings. Answers how many
 * console and panel sessions ended.
 */
async function revokeSessions(
  db: Executor,
  memberships: { workspaceId: string; memberId: string }[],
  keep?: { tokenId: string; loginSessionId: string | null },
) {
  let revoked = 0;
  for (const { workspaceId, memberId } of memberships) {
    const spared = keep ? sparingOwnBrowser(keep) : [];
    const ids = await revokeTokens(db, workspaceId, eq(authTokens.memberId, memberId), inArray(authTokens.kind, ["session", "panel"]), ...spared);
    await revokeTokens(db, workspaceId, eq(authTokens.memberId, memberId), eq(authTokens.kind, "login_session"), ...spared);
    revoked += ids.length;
  }
  return revoked;
}

export const passwordAndProfileRoutes = [
  route({
    method: "post",
    path: "/password-resets",
    summary: "Forgot password: e-mail a single-use reset link to the address, if it has an account",
    tag: "Identity",
    access: publicAccess("anyone may ask; the answer is the same whether or not the address has an account"),
    body: ResetRequest,
    auditExempt: "an address with an account gets a password_reset.request entry in each of its workspaces; an unknown address changes nothing",
    responses: {
      202: "{message}: the same for every address",
      429: "Too many requests from this address or for this email",
      503: "This server sends no e-mail (mail_not_configured)",
    },
    async handler({ body, db, services, meta, audit }) {
      if (!mailConfigured(services.config)) {
        throw new HttpProblem(
          503,
          "mail_not_configured",
          "E-mail is not set up",
          "This server cannot send e-mail, so a password cannot be reset by e-mail here. Ask the person who runs Switchboard for your team.",
        );
      }
      await services.loginLimiter.resetRequest({ ip: meta.ip, email: body.email }).catch(recordingRateLimit(services, meta, body.email));
      const [user] = await db.select().from(users).where(eq(users.email, body.email));
      if (user) {
        // A new link ends the ones before it: one link alive per account at a time.
        await db.delete(passwordResets).where(and(eq(passwordResets.userId, user.id), isNull(passwordResets.usedAt)));
        const secret = newSecret();
        const id = newId("pwr");
        await db.insert(passwordResets).values({
          id,
          userId: user.id,
          tokenHash: sha256(secret),
          expiresAt: new Date(Date.now() + passwordResetLifetimeMinutes * 60_000),
        });
        await enqueueMail(db, services.config, {
          workspaceId: null,
          kind: "password_reset",
          to: user.email,
          content: passwordResetMail({
            name: user.name,
            resetUrl: resetUrl(services.config.publicUrl, `pwr.${secret}`),
            validMinutes: passwordResetLifetimeMinutes,
          }),
        });
        for (const { workspaceId, memberId } of await membershipsOf(db, user.id)) {
          await audit({ workspaceId, actorId: null, action: "password_reset.request", targetType: "member", targetId: memberId, details: { resetId: id } });
        }
      }
      return { status: 202, body: { message: resetRequestAnswer } };
    },
  }),
  route({
    method: "post",
    path: "/password-resets/:resetToken",
    summary: "Set a new password with a reset link's token (once, within the hour); ends every session",
    tag: "Identity",
    access: publicAccess("the reset token is the credential"),
    params: ResetTokenParam,
    body: NewPassword,
    auditExempt: "writes password.reset in each of the account's workspaces",
    responses: { 200: "{email}: log in with it and the new password", 404: "Unknown or already used link", 409: "The link has expired" },
    async handler({ params, body, db, services, audit }) {
      const tokenHash = resetTokenHash(params.resetToken);
      if (!tokenHash) throw notFound("password reset");
      const [reset] = await db
        .select()
        .from(passwordResets)
        .where(and(eq(passwordResets.tokenHash, tokenHash), isNull(passwordResets.usedAt)))
        .for("update");
      if (!reset) throw new HttpProblem(404, "not_found", "Not found", "This reset link is unknown or was already used; ask for a new one.");
      if (reset.expiresAt.getTime() <= Date.now()) throw conflict("This reset link has expired; ask for a new one.");
      await db.update(passwordResets).set({ usedAt: new Date() }).where(eq(passwordResets.id, reset.id));
      await db.delete(passwordResets).where(and(eq(passwordResets.userId, reset.userId), isNull(passwordResets.usedAt)));
      const [user] = await db
        .update(users)
        .set({ passwordHash: await hashPassword(body.password, services.passwordCost) })
        .where(eq(users.id, reset.userId))
        .returning({ email: users.email });
      const memberships = await membershipsOf(db, reset.userId);
      // Whoever knew the old password is out: every session of the account ends.
      const revokedSessions = await revokeSessions(db, memberships);
      for (const { workspaceId, memberId } of memberships) {
        await audit({
          workspaceId,
          actorId: memberId,
          action: "password.reset",
          targetType: "member",
          targetId: memberId,
          details: { resetId: reset.id, revokedSessions },
        });
      }
      return { status: 200, body: { email: user?.email } };
    },
  }),
  route({
    method: "patch",
    path: "/me",
    summary: "Change my name (the same in every workspace I belong to)",
    tag: "Identity",
    access: anyMember,
    body: ProfileChange,
    responses: { 200: "{member}" },
    async handler({ actor, body, db, audit }) {
      const [user] = await db
        .select({ id: users.id, name: users.name })
        .from(users)
        .innerJoin(members, eq(members.userId, users.id))
        .where(and(eq(members.workspaceId, actor.workspaceId), eq(members.id, actor.memberId)));
      if (!user) throw notFound("member");
      await db.update(users).set({ name: body.name }).where(eq(users.id, user.id));
      for (const { workspaceId, memberId } of await membershipsOf(db, user.id)) {
        await audit({
          workspaceId,
          actorId: memberId,
          action: "profile.update",
          targetType: "member",
          targetId: memberId,
          details: { before: { name: user.name }, after: { name: body.name } },
        });
      }
      return {
        status: 200,
        body: { member: presentMember({ id: actor.memberId, name: body.name, email: actor.email, roleId: actor.roleId, status: actor.status }) },
      };
    },
  }),
  route({
    method: "put",
    path: "/me/password",
    summary: "Change my password (with the current one); my other sessions end",
    tag: "Identity",
    access: anyMember,
    body: PasswordChange,
    responses: { 204: "Changed", 403: "The current password is wrong (wrong_password)", 429: "Too many wrong passwords" },
    async handler({ actor, body, db, services, meta, audit }) {
      // A stolen session must not become a password oracle: the same limiter as every password check.
      const attempt = await services.loginLimiter.passwordAttempt({ ip: meta.ip, email: actor.email }).catch(recordingRateLimit(services, meta, actor.email));
      const [user] = await db
        .select({ id: users.id, passwordHash: users.passwordHash })
        .from(users)
        .innerJoin(members, eq(members.userId, users.id))
        .where(and(eq(members.workspaceId, actor.workspaceId), eq(members.id, actor.memberId)));
      if (!user || !(await verifyPassword(body.currentPassword, user.passwordHash))) {
        void recordLoginRefusal(services, meta, { kind: "login.failed", email: actor.email, reason: "password_change" });
        throw new HttpProblem(403, "wrong_password", "Wrong password", "Your current password is not right.");
      }
      await attempt.succeeded();
      await db
        .update(users)
        .set({ passwordHash: await hashPassword(body.newPassword, services.passwordCost) })
        .where(eq(users.id, user.id));
      await db.delete(passwordResets).where(and(eq(passwordResets.userId, user.id), isNull(passwordResets.usedAt)));
      const memberships = await membershipsOf(db, user.id);
      const revokedSessions = await revokeSessions(db, memberships, { tokenId: actor.tokenId, loginSessionId: actor.loginSessionId });
      for (const { workspaceId, memberId } of memberships) {
        await audit({ workspaceId, actorId: memberId, action: "password.change", targetType: "member", targetId: memberId, details: { revokedSessions } });
      }
      return { status: 204 };
    },
  }),
];
