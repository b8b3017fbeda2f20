import { eq } from "drizzle-orm";
import { authTokens } from "../db/schema";
import { requires, route } from "../http/route";
import { issueToken, revokeTokens } from "../identity/tokens";

export const apiKeyRoutes = [
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
      const revoked = await revokeTokens(db, actor.workspaceId, eq(authTokens.kind, "workspace_key"));
      const { id, token } = await issueToken(db, {
        workspaceId: actor.workspaceId,
        memberId: actor.memberId,
        kind: "workspace_key",
        name: "Workspace API key",
      });
      await audit({ action: "api_key.rotate", targetType: "token", targetId: id, details: { revoked } });
      return { status: 201, body: { key: token } };
    },
  }),
];
