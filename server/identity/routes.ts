import { and, desc, eq, ne } from "drizzle-orm";
import { z } from "zod";
import { recordingRateLimit, recordLoginRefusal } from "../audit/security-events";
import { authTokens, members, users, workspaces } from "../db/schema";
import { conflict, notFound, unauthenticated } from "../http/problem";
import { anyMember, publicAccess, route } from "../http/route";
import { Email, IdParam, Password, PersonName } from "../http/schemas";
import { newId, newSecret } from "../ids";
import { effectivePermissions, holds } from "../permissions";
import { addMember, findMember } from "../team/membership";
import { presentMember, presentWorkspace } from "../team/presenters";
import { cookieExchangeRoutes } from "./cookie-exchange-route";
import { endLoginSession, loginCookieHeader, startLoginSession } from "./login-sessions";
import { decoyPasswordHash, hashPassword, verifyPassword } from "./passwords";
import { issueToken, revokeTokens } from "./tokens";

const Signup = z.object({ workspaceName: z.string().trim().min(1).max(100), name: PersonName, email: Email, password: Password }).strict();
const Login = z.object({ email: Email, password: z.string().min(1).max(200), workspaceId: z.string().max(100).optional() }).strict();
const NewApiToken = z.object({ name: z.string().trim().min(1).max(100) }).strict();

export function newJoinCode(): string {
  return newSecret().slice(0, 10);
}

export const identityRoutes = [
  route({
    method: "post",
    path: "/signup",
    summary: "Create a workspace and its Owner",
    tag: "Identity",
    access: publicAccess("creates the caller's workspace"),
    body: Signup,
    responses: { 201: "The token, the Owner and the workspace", 409: "The email is already registered", 429: "Too many attempts from this address" },
    async handler({ body, db, services, meta, audit }) {
      // Signup tells a registered email apart (409; no e-mail exists to answer otherwise), so every
      // signup spends the address's attempt budget: one address cannot walk a list of emails.
      await services.loginLimiter.signupAttempt(meta.ip);
      const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, body.email));
      if (existing) throw conflict("An account with this email exists; log in instead.");
      const userId = newId("usr");
      const workspaceId = newId("ws");
      await db.insert(users).values({
        id: userId,
        email: body.email,
        name: body.name,
        passwordHash: await hashPassword(body.password, services.passwordCost),
      });
      const [workspace] = await db.insert(workspaces).values({ id: workspaceId, name: body.workspaceName, joinCode: newJoinCode() }).returning();
      const memberId = await addMember(db, { workspaceId, userId, roleId: "owner" });
      const { token, setCookie } = await startLoginSession(db, services.config, { workspaceId, memberId });
      await audit({ workspaceId, actorId: memberId, action: "workspace.create", targetType: "workspace", targetId: workspaceId });
      const member = await findMember(db, workspaceId, memberId);
      return {
        status: 201,
        headers: { "set-cookie": setCookie, "cache-control": "no-store" },
        body: { token, member: member && presentMember(member), workspace: workspace && presentWorkspace(workspace, true) },
      };
    },
  }),
  route({
    method: "post",
    path: "/sessions",
    summary: "Log in",
    tag: "Identity",
    access: publicAccess("exchanges credentials for a token"),
    body: Login,
    responses: {
      201: "The token and the member; sets the browser's login-session cookie (HttpOnly, SameSite=Strict), which opens new tabs",
      401: "Wrong email or password",
      429: "Too many attempts",
    },
    async handler({ body, db, services, meta, audit }) {
      const attempt = await services.loginLimiter.passwordAttempt({ ip: meta.ip, email: body.email }).catch(recordingRateLimit(services, meta, body.email));
      const [user] = await db.select().from(users).where(eq(users.email, body.email));
      const passwordMatches = await verifyPassword(body.password, user?.passwordHash ?? (await decoyPasswordHash(services.passwordCost)));
      if (!user || !passwordMatches) {
        // Not awaited: recorded on its own, after this request's transaction is rolled back.
        void recordLoginRefusal(services, meta, { kind: "login.failed", email: body.email });
        throw unauthenticated("The email or password is wrong.");
      }
      await attempt.succeeded();
      const workspaceId = body.workspaceId ?? user.lastWorkspaceId;
      const [membership] = workspaceId
        ? await db
            .select({ id: members.id })
            .from(members)
            .where(and(eq(members.workspaceId, workspaceId), eq(members.userId, user.id), ne(members.status, "removed")))
        : [];
      if (!workspaceId || !membership) throw unauthenticated("You are not a member of that workspace.");
      const { token, setCookie } = await startLoginSession(db, services.config, { workspaceId, memberId: membership.id });
      await db.update(users).set({ lastWorkspaceId: workspaceId }).where(eq(users.id, user.id));
      await audit({ workspaceId, actorId: membership.id, action: "session.create", targetType: "member", targetId: membership.id });
      const member = await findMember(db, workspaceId, membership.id);
      return { status: 201, headers: { "set-cookie": setCookie, "cache-control": "no-store" }, body: { token, member: member && presentMember(member) } };
    },
  }),
  ...cookieExchangeRoutes,
  route({
    method: "delete",
    path: "/sessions/current",
    summary: "Log out: revoke the token of this request and its browser's login session (its other tabs too), and delete the login-session cookie",
    tag: "Identity",
    access: anyMember,
    allowSuspended: true,
    responses: { 204: "Revoked" },
    async handler({ actor, db, services, audit }) {
      if (actor.loginSessionId) await endLoginSession(db, actor.workspaceId, actor.loginSessionId);
      await revokeTokens(db, actor.workspaceId, eq(authTokens.id, actor.tokenId));
      await audit({ action: "session.delete", targetType: "token", targetId: actor.tokenId, details: { loginSessionId: actor.loginSessionId } });
      return { status: 204, headers: { "set-cookie": loginCookieHeader(services.config, null) } };
    },
  }),
  route({
    method: "get",
    path: "/me",
    summary: "The caller, their workspace and effective permissions",
    tag: "Identity",
    access: anyMember,
    responses: { 200: "{member, workspace, permissions}" },
    async handler({ actor }) {
      const permissions = effectivePermissions(actor);
      return {
        status: 200,
        body: {
          member: presentMember({ id: actor.memberId, name: actor.name, email: actor.email, roleId: actor.roleId, status: actor.status }),
          role: { id: actor.roleId, name: actor.roleName },
          workspace: presentWorkspace(actor.workspace, holds(actor, "team.manage")),
          permissions,
        },
      };
    },
  }),
  route({
    method: "post",
    path: "/api-tokens",
    summary: "Create a personal API token",
    tag: "Identity",
    access: anyMember,
    body: NewApiToken,
    responses: { 201: "{id, token}; the token is shown only once" },
    async handler({ actor, body, db, audit }) {
      const { id, token } = await issueToken(db, { workspaceId: actor.workspaceId, memberId: actor.memberId, kind: "personal", name: body.name });
      await audit({ action: "api_token.create", targetType: "token", targetId: id, details: { name: body.name } });
      return { status: 201, body: { id, name: body.name, token } };
    },
  }),
  route({
    method: "get",
    path: "/api-tokens",
    summary: "The caller's personal API tokens (never their secrets)",
    tag: "Identity",
    access: anyMember,
    responses: { 200: "{data: [{id, name, createdAt}]}" },
    async handler({ actor, db }) {
      const rows = await db
        .select({ id: authTokens.id, name: authTokens.name, createdAt: authTokens.createdAt })
        .from(authTokens)
        .where(and(eq(authTokens.workspaceId, actor.workspaceId), eq(authTokens.memberId, actor.memberId), eq(authTokens.kind, "personal")))
        .orderBy(desc(authTokens.createdAt));
      return { status: 200, body: { data: rows, nextCursor: null } };
    },
  }),
  route({
    method: "delete",
    path: "/api-tokens/:id",
    summary: "Revoke one of the caller's personal API tokens",
    tag: "Identity",
    access: anyMember,
    params: IdParam,
    responses: { 204: "Revoked", 404: "No such token of the caller" },
    async handler({ actor, params, db, audit }) {
      const deleted = await revokeTokens(
        db,
        actor.workspaceId,
        eq(authTokens.id, params.id),
        eq(authTokens.memberId, actor.memberId),
        eq(authTokens.kind, "personal"),
      );
      if (deleted.length === 0) throw notFound("API token");
      await audit({ action: "api_token.delete", targetType: "token", targetId: params.id });
      return { status: 204 };
    },
  }),
];
