import { and, desc, eq, isNull, ne } from "drizzle-orm";
import { z } from "zod";
import { recordingRateLimit, recordingWrongPassword } from "../audit/security-events";
import type { Executor } from "../db/client";
import { invitations, members, users, workspaces } from "../db/schema";
import { conflict, HttpProblem, notFound } from "../http/problem";
import { publicAccess, requires, route } from "../http/route";
import { Email, IdParam, Password, PersonName } from "../http/schemas";
import type { PasswordAttempt } from "../identity/attempt-limiter";
import { startLoginSession } from "../identity/login-sessions";
import { hashPassword, verifyPassword } from "../identity/passwords";
import { newId, newSecret, sha256 } from "../ids";
import { invitationMail } from "../mail/messages";
import { enqueueMail, mailConfigured } from "../mail/outbox";
import { assertGrantWithinOwn } from "../permissions";
import { grantableRole } from "./grants";
import { addMember, findMember } from "./membership";
import { presentMember } from "./presenters";

const invitationLifetimeMs = 7 * 24 * 60 * 60 * 1000;
const NewInvitation = z.object({ email: Email, roleId: z.string().min(1).max(100) }).strict();
const AcceptInvitation = z.object({ name: PersonName, password: Password }).strict();
const AcceptTokenParam = z.object({ acceptToken: z.string().min(1).max(300) }).strict();

/** The console's accept page for a token (the link the invitation e-mail carries). */
export function acceptUrl(publicUrl: string, acceptToken: string): string {
  return `${publicUrl}/#/accept/${encodeURIComponent(acceptToken)}`;
}

/** Accept tokens read `inv.<workspaceId>.<secret>`; only the secret's hash is stored. */
function parseAcceptToken(token: string) {
  const [prefix, workspaceId, secret, ...rest] = token.split(".");
  if (prefix !== "inv" || !workspaceId || !secret || rest.length > 0) return null;
  return { workspaceId, tokenHash: sha256(secret) };
}

/**
 * Finds an existing user by email, or creates one; an existing user must prove it is them, as one
 * `attempt` of the shared login limiter (spent by the caller before this check).
 */
export async function userForEmail(
  db: Executor,
  input: { email: string; name: string; password: string; cost: { N: number; r: number; p: number }; attempt: PasswordAttempt },
) {
  const [existing] = await db.select().from(users).where(eq(users.email, input.email));
  if (existing) {
    if (!(await verifyPassword(input.password, existing.passwordHash))) {
      throw new HttpProblem(401, "unauthenticated", "Unauthenticated", "This email already has an account; use its password.");
    }
    await input.attempt.succeeded();
    return existing.id;
  }
  const id = newId("usr");
  await db.insert(users).values({ id, email: input.email, name: input.name, passwordHash: await hashPassword(input.password, input.cost) });
  return id;
}

export async function assertNotAlreadyMember(db: Executor, workspaceId: string, email: string) {
  const [row] = await db
    .select({ id: members.id })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(and(eq(members.workspaceId, workspaceId), eq(users.email, email), ne(members.status, "removed")));
  if (row) throw conflict("This person is already a member of the workspace.");
}

export const invitationRoutes = [
  route({
    method: "post",
    path: "/invitations",
    summary: "Invite someone by email with a role",
    tag: "Team",
    access: requires("team.manage"),
    body: NewInvitation,
    responses: {
      201: "{id, email, roleId, acceptToken, expiresAt, mail}: mail is `queued` (sent after commit) or `not_configured` (send the accept link yourself)",
      409: "roleId owner, or already a member",
    },
    async handler({ actor, body, db, services, audit }) {
      const role = await grantableRole(db, actor.workspaceId, body.roleId);
      assertGrantWithinOwn(actor, role.permissions);
      await assertNotAlreadyMember(db, actor.workspaceId, body.email);
      const id = newId("inv");
      const secret = newSecret();
      const expiresAt = new Date(Date.now() + invitationLifetimeMs);
      await db
        .insert(invitations)
        .values({ workspaceId: actor.workspaceId, id, email: body.email, roleId: role.id, tokenHash: sha256(secret), invitedBy: actor.memberId, expiresAt });
      const acceptToken = `inv.${actor.workspaceId}.${secret}`;
      // Queued in this transaction, sent after commit by the mail worker (server/mail/worker.ts).
      const mail = mailConfigured(services.config) ? "queued" : "not_configured";
      if (mail === "queued") {
        const [workspace] = await db.select({ name: workspaces.name }).from(workspaces).where(eq(workspaces.id, actor.workspaceId));
        await enqueueMail(db, services.config, {
          workspaceId: actor.workspaceId,
          kind: "invitation",
          to: body.email,
          content: invitationMail({
            workspaceName: workspace?.name ?? "a workspace",
            inviterName: actor.name,
            roleName: role.name,
            acceptUrl: acceptUrl(services.config.publicUrl, acceptToken),
            expiresAt,
          }),
        });
      }
      await audit({ action: "invitation.create", targetType: "invitation", targetId: id, details: { email: body.email, roleId: role.id, mail } });
      return {
        status: 201,
        body: { id, email: body.email, roleId: role.id, acceptToken, expiresAt: expiresAt.toISOString(), mail },
      };
    },
  }),
  route({
    method: "get",
    path: "/invitations",
    summary: "Pending invitations",
    tag: "Team",
    access: requires("team.manage"),
    responses: { 200: "{data: [{id, email, roleId, expiresAt}]}" },
    async handler({ actor, db }) {
      const rows = await db
        .select({
          id: invitations.id,
          email: invitations.email,
          roleId: invitations.roleId,
          expiresAt: invitations.expiresAt,
          invitedBy: invitations.invitedBy,
        })
        .from(invitations)
        .where(and(eq(invitations.workspaceId, actor.workspaceId), isNull(invitations.acceptedAt)))
        .orderBy(desc(invitations.createdAt))
        .limit(200);
      return { status: 200, body: { data: rows, nextCursor: null } };
    },
  }),
  route({
    method: "delete",
    path: "/invitations/:id",
    summary: "Withdraw a pending invitation",
    tag: "Team",
    access: requires("team.manage"),
    params: IdParam,
    responses: { 204: "Withdrawn" },
    async handler({ actor, params, db, audit }) {
      const deleted = await db
        .delete(invitations)
        .where(and(eq(invitations.workspaceId, actor.workspaceId), eq(invitations.id, params.id), isNull(invitations.acceptedAt)))
        .returning({ id: invitations.id });
      if (deleted.length === 0) throw notFound("invitation");
      await audit({ action: "invitation.delete", targetType: "invitation", targetId: params.id });
      return { status: 204 };
    },
  }),
  route({
    method: "post",
    path: "/invitations/:acceptToken/accept",
    summary: "Accept an invitation (one time, before it expires)",
    tag: "Team",
    access: publicAccess("the accept token is the credential"),
    params: AcceptTokenParam,
    body: AcceptInvitation,
    responses: {
      201: "{token, member}",
      401: "The email has an account and this is not its password",
      404: "Unknown or used invitation",
      409: "Expired",
      429: "Too many password attempts for this email or from this address",
    },
    async handler({ params, body, db, services, meta, audit }) {
      const parsed = parseAcceptToken(params.acceptToken);
      if (!parsed) throw notFound("invitation");
      const [invitation] = await db
        .select()
        .from(invitations)
        .where(and(eq(invitations.workspaceId, parsed.workspaceId), eq(invitations.tokenHash, parsed.tokenHash), isNull(invitations.acceptedAt)))
        .for("update");
      if (!invitation) throw notFound("invitation");
      if (invitation.expiresAt.getTime() <= Date.now()) throw conflict("This invitation has expired; ask for a new one.");
      await assertNotAlreadyMember(db, invitation.workspaceId, invitation.email);
      const attempt = await services.loginLimiter
        .passwordAttempt({ ip: meta.ip, email: invitation.email })
        .catch(recordingRateLimit(services, meta, invitation.email));
      const userId = await userForEmail(db, { email: invitation.email, name: body.name, password: body.password, cost: services.passwordCost, attempt }).catch(
        recordingWrongPassword(services, meta, invitation.email, "invitation_accept"),
      );
      const memberId = await addMember(db, { workspaceId: invitation.workspaceId, userId, roleId: invitation.roleId });
      await db
        .update(invitations)
        .set({ acceptedAt: new Date() })
        .where(and(eq(invitations.workspaceId, invitation.workspaceId), eq(invitations.id, invitation.id)));
      const { token, setCookie } = await startLoginSession(db, services.config, { workspaceId: invitation.workspaceId, memberId });
      await audit({
        workspaceId: invitation.workspaceId,
        actorId: memberId,
        action: "invitation.accept",
        targetType: "invitation",
        targetId: invitation.id,
        details: { roleId: invitation.roleId },
      });
      const member = await findMember(db, invitation.workspaceId, memberId);
      return { status: 201, headers: { "set-cookie": setCookie, "cache-control": "no-store" }, body: { token, member: member && presentMember(member) } };
    },
  }),
];
