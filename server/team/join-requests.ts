import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { recordingRateLimit, recordLoginRefusal } from "../audit/security-events";
import type { Executor } from "../db/client";
import { joinRequests, users, workspaces } from "../db/schema";
import { conflict, HttpProblem, notFound } from "../http/problem";
import { publicAccess, requires, route } from "../http/route";
import { Email, IdParam, Password, PersonName } from "../http/schemas";
import { hashPassword, verifyPassword } from "../identity/passwords";
import { newId } from "../ids";
import { assertGrantWithinOwn } from "../permissions";
import { grantableRole } from "./grants";
import { assertNotAlreadyMember } from "./invitations";
import { addMember, findMember } from "./membership";
import { presentMember } from "./presenters";

const NewJoinRequest = z.object({ joinCode: z.string().min(1).max(100), name: PersonName, email: Email, password: Password }).strict();
const AcceptJoinRequest = z.object({ roleId: z.string().min(1).max(100) }).strict();

async function pendingRequest(db: Executor, workspaceId: string, id: string) {
  const [request] = await db
    .select()
    .from(joinRequests)
    .where(and(eq(joinRequests.workspaceId, workspaceId), eq(joinRequests.id, id)))
    .for("update");
  if (!request) throw notFound("join request");
  if (request.status !== "pending") throw conflict(`This join request was already ${request.status}.`);
  return request;
}

export const joinRequestRoutes = [
  route({
    method: "post",
    path: "/join-requests",
    summary: "Ask to join a workspace with its join code",
    tag: "Team",
    access: publicAccess("anyone with the join code may ask"),
    body: NewJoinRequest,
    responses: {
      202: "{id}: waits for a member with team.manage",
      401: "The email has an account and this is not its password",
      404: "Unknown join code",
      429: "Too many password attempts for this email or from this address",
    },
    async handler({ body, db, services, meta, audit }) {
      const [workspace] = await db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.joinCode, body.joinCode));
      if (!workspace) throw notFound("workspace");
      await assertNotAlreadyMember(db, workspace.id, body.email);
      // Every request spends an attempt, even for an unknown email: 202 or 401 tells them apart.
      const attempt = await services.loginLimiter.passwordAttempt({ ip: meta.ip, email: body.email }).catch(recordingRateLimit(services, meta, body.email));
      const [existingUser] = await db.select().from(users).where(eq(users.email, body.email));
      if (existingUser) {
        if (!(await verifyPassword(body.password, existingUser.passwordHash))) {
          void recordLoginRefusal(services, meta, { kind: "login.failed", email: body.email, reason: "join_request" });
          throw new HttpProblem(401, "unauthenticated", "Unauthenticated", "This email already has an account; use its password.");
        }
        await attempt.succeeded();
      }
      const id = newId("jrq");
      await db.insert(joinRequests).values({
        workspaceId: workspace.id,
        id,
        name: body.name,
        email: body.email,
        // The hash binds the request to the identity that proved it: the account's own (salted, so
        // unique) hash, or a fresh one no later signup can share. Acceptance compares them.
        passwordHash: existingUser?.passwordHash ?? (await hashPassword(body.password, services.passwordCost)),
      });
      await audit({
        workspaceId: workspace.id,
        actorId: null,
        action: "join_request.create",
        targetType: "join_request",
        targetId: id,
        details: { email: body.email },
      });
      return { status: 202, body: { id } };
    },
  }),
  route({
    method: "get",
    path: "/join-requests",
    summary: "Pending join requests",
    tag: "Team",
    access: requires("team.manage"),
    responses: { 200: "{data: [{id, name, email, createdAt}]}" },
    async handler({ actor, db }) {
      const rows = await db
        .select({ id: joinRequests.id, name: joinRequests.name, email: joinRequests.email, createdAt: joinRequests.createdAt })
        .from(joinRequests)
        .where(and(eq(joinRequests.workspaceId, actor.workspaceId), eq(joinRequests.status, "pending")))
        .orderBy(desc(joinRequests.createdAt))
        .limit(200);
      return { status: 200, body: { data: rows, nextCursor: null } };
    },
  }),
  route({
    method: "post",
    path: "/join-requests/:id/accept",
    summary: "Accept a join request with a role",
    tag: "Team",
    access: requires("team.manage"),
    params: IdParam,
    body: AcceptJoinRequest,
    responses: { 201: "{member}", 409: "Already decided, roleId owner, or the email's account is not the one that asked" },
    async handler({ actor, params, body, db, audit }) {
      const request = await pendingRequest(db, actor.workspaceId, params.id);
      const role = await grantableRole(db, actor.workspaceId, body.roleId);
      assertGrantWithinOwn(actor, role.permissions);
      await assertNotAlreadyMember(db, actor.workspaceId, request.email);
      let [user] = await db.select({ id: users.id, passwordHash: users.passwordHash }).from(users).where(eq(users.email, request.email));
      // Filed before this email had an account (or by another identity): its owner never asked.
      if (user && user.passwordHash !== request.passwordHash) {
        throw conflict("This request was not filed by the account that now owns this email; reject it, and ask them to file a new one.");
      }
      if (!user) {
        user = { id: newId("usr"), passwordHash: request.passwordHash };
        await db.insert(users).values({ id: user.id, email: request.email, name: request.name, passwordHash: request.passwordHash });
      }
      const memberId = await addMember(db, { workspaceId: actor.workspaceId, userId: user.id, roleId: role.id });
      await db
        .update(joinRequests)
        .set({ status: "accepted", decidedBy: actor.memberId })
        .where(and(eq(joinRequests.workspaceId, actor.workspaceId), eq(joinRequests.id, request.id)));
      await audit({ action: "join_request.accept", targetType: "join_request", targetId: request.id, details: { memberId, roleId: role.id } });
      const member = await findMember(db, actor.workspaceId, memberId);
      return { status: 201, body: { member: member && presentMember(member) } };
    },
  }),
  route({
    method: "post",
    path: "/join-requests/:id/reject",
    summary: "Reject a join request",
    tag: "Team",
    access: requires("team.manage"),
    params: IdParam,
    responses: { 200: "{id, status}" },
    async handler({ actor, params, db, audit }) {
      const request = await pendingRequest(db, actor.workspaceId, params.id);
      await db
        .update(joinRequests)
        .set({ status: "rejected", decidedBy: actor.memberId })
        .where(and(eq(joinRequests.workspaceId, actor.workspaceId), eq(joinRequests.id, request.id)));
      await audit({ action: "join_request.reject", targetType: "join_request", targetId: request.id });
      return { status: 200, body: { id: request.id, status: "rejected" } };
    },
  }),
];
