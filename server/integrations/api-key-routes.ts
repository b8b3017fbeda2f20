import { and, desc, eq } from "drizzle-orm";
import type { Executor } from "../db/client";
import { authTokens } from "../db/schema";
import { HttpProblem } from "../http/problem";
import { requires, route } from "../http/route";
import { issueToken, revokeTokens } from "../identity/tokens";

const isWorkspaceKey = eq(authTokens.kind, "workspace_key");

/** The workspace's API key as the console shows it: who created it and when, never the key. */
async function currentKey(db: Executor, workspaceId: string) {
  const [row] = await db
    .select({ id: authTokens.id, createdBy: authTokens.memberId, createdAt: authTokens.createdAt })
    .from(authTokens)
    .where(and(eq(authTokens.workspaceId, workspaceId), isWorkspaceKey))
    .orderBy(desc(authTokens.createdAt))
    .limit(1);
  return row ? { id: row.id, createdBy: row.createdBy, createdAt: row.createdAt.toISOString() } : null;
}

export const apiKeyRoutes = [
  route({
    method: "get",
    path: "/integrations/api-key",
    summary: "The workspace API key: who created it and when (never the key itself)",
    tag: "Integrations",
    access: requires("integrations.workspace"),
    responses: { 200: "{key: {id, createdBy, createdAt} | null}" },
    async handler({ actor, db }) {
      return { status: 200, body: { key: await currentKey(db, actor.workspaceId) } };
    },
  }),
  route({
    method: "post",
    path: "/integrations/api-key",
    summary: "Rotate the workspace API key: the previous key stops working at once",
    tag: "Integrations",
    access: requires("integrations.workspace"),
    responses: { 201: "{key}; shown once. It acts with the rotating member's current role." },
    async handler({ actor, db, audit }) {
      // One key per workspace. It authenticates as the member who rotated it, whose role and
      // status are read on every request like any other token's, so a demotion narrows it too.
      const revoked = await revokeTokens(db, actor.workspaceId, isWorkspaceKey);
      const { id, token } = await issueToken(db, {
        workspaceId: actor.workspaceId,
        memberId: actor.memberId,
        kind: "workspace_key",
        name: "Workspace API key",
      });
      await audit({ action: "api_key.rotate", targetType: "token", targetId: id, details: { revoked } });
      return { status: 201, headers: { "cache-control": "no-store" }, body: { key: token } };
    },
  }),
  route({
    method: "delete",
    path: "/integrations/api-key",
    summary: "Revoke the workspace API key: it stops working at once",
    tag: "Integrations",
    access: requires("integrations.workspace"),
    responses: { 204: "Revoked", 404: "The workspace has no API key" },
    async handler({ actor, db, audit }) {
      const revoked = await revokeTokens(db, actor.workspaceId, isWorkspaceKey);
      const [id] = revoked;
      if (!id) throw new HttpProblem(404, "not_found", "Not found", "This workspace has no API key.");
      await audit({ action: "api_key.revoke", targetType: "token", targetId: id, details: { revoked } });
      return { status: 204 };
    },
  }),
];
