import { consoleSectionIds } from "../../../extension/console/permissions/sections";
import { reconnectHint } from "../../../server/pipedrive/connections";
import { signPanelToken } from "../../../server/pipedrive/panel-token";
import type { FakePipedrive } from "../../fakes/pipedrive";
import type { TestServer } from "../../support/server";
import type { Team } from "../../support/team";
import { connect, otherUser, panelSecret, pipedriveSuite } from "./server-support";

// Every Pipedrive refusal that sends people somewhere names a page that exists: the console's
// Integrations page, with its address.

let fake: FakePipedrive;
let server: TestServer;
let team: Team;
pipedriveSuite((stack) => ({ fake, server, team } = stack));

/** Says where to go: the Integrations page, at an address the console has. */
function expectSendsToIntegrations(text: string) {
  expect(text).toContain("Integrations page");
  expect(text).toContain("/#/integrations");
  expect(text).not.toMatch(/Settings → Integrations|My integrations/);
  expect(consoleSectionIds).toContain("integrations");
}

const panelSession = async (claims: { userId: number; companyId: number }) =>
  server.api("POST", "/panel/pipedrive/session", { body: { token: await signPanelToken(panelSecret, claims) } });

describe("refusals that send people somewhere name the console's Integrations page", () => {
  it("the panel in a company no workspace connected", async () => {
    const refused = await panelSession({ userId: 12345, companyId: 99999 });
    expect(refused.body.code).toBe("crm_not_linked");
    expectSendsToIntegrations(refused.body.detail);
  });

  it("the panel for a Pipedrive user no member is linked to", async () => {
    await connect(server, fake, team.admin.token, "workspace");
    const refused = await panelSession({ userId: 55555, companyId: 67890 });
    expect(refused.body).toMatchObject({ code: "crm_not_linked", missing: "member_link" });
    expectSendsToIntegrations(refused.body.detail);
  });

  it("an Admin changing a link the member made through their own connection", async () => {
    await connect(server, fake, team.admin.token, "workspace");
    await connect(server, fake, team.agent.token, "individual", otherUser());
    const refused = await server.api("PUT", "/integrations/pipedrive/users/22222", { token: team.admin.token, body: { memberId: null } });
    expect(refused.status).toBe(409);
    expectSendsToIntegrations(refused.body.detail);
  });

  it("a connection Pipedrive no longer accepts, the workspace's and a member's own", () => {
    expectSendsToIntegrations(reconnectHint("workspace"));
    expectSendsToIntegrations(reconnectHint("individual"));
  });
});
