import { demoEmail, demoPassword } from "../../server/demo/seed";
import { startDemo } from "../../server/demo/start";
import { demoCrmCompany, demoCrmUserFor } from "../../server/demo-crm/company";
import type { BuiltinRoleId } from "../../server/permissions";
import { signPanelToken } from "../../server/pipedrive/panel-token";
import { startTestServer, type TestServer, testPasswordCost } from "./server";

export type DemoServer = TestServer & {
  /** A console session of the demo member with this role. */
  login(roleId: BuiltinRoleId): Promise<string>;
  /** A panel session, as the panel opens one: a JWT for the role's demo CRM user, traded at /panel/pipedrive/session (with the iframe's record, if any). */
  panelLogin(roleId: BuiltinRoleId, openedOn?: { resource: string; selectedIds: string }): Promise<string>;
};

/**
 * A server as `npm start` leaves it in development: the demo CRM on at the server's own address,
 * the demo workspace seeded and connected to it. No fake servers anywhere.
 */
export async function startDemoServer(options: { webRoot?: string } = {}): Promise<DemoServer> {
  const server = await startTestServer({ DEMO_CRM: "on", LOG_LEVEL: "warn" }, { ownPublicUrl: true, webRoot: options.webRoot });
  await startDemo(server.services, testPasswordCost, server.url);
  const secret = server.services.config.pipedrive.jwtSecret as string;
  return {
    ...server,
    async login(roleId) {
      const response = await server.api("POST", "/sessions", { body: { email: demoEmail(roleId), password: demoPassword } });
      if (response.status !== 201) throw new Error(`login as ${roleId}: ${response.status} ${response.text}`);
      return response.body.token as string;
    },
    async panelLogin(roleId, openedOn) {
      const jwt = await signPanelToken(secret, { userId: demoCrmUserFor(roleId).id, companyId: demoCrmCompany.id });
      const response = await server.api("POST", "/panel/pipedrive/session", { body: { token: jwt, ...openedOn } });
      if (response.status !== 201) throw new Error(`panel session as ${roleId}: ${response.status} ${response.text}`);
      return response.body.token as string;
    },
  };
}
