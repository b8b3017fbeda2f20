import { demoCrmCompany, demoCrmUsers } from "../../server/demo-crm/company";
import { verifyPanelToken } from "../../server/pipedrive/panel-token";
import type { FakePipedrive } from "../fakes/pipedrive";
import { connect, startPipedriveStack } from "../server/pipedrive/server-support";
import { startTestServer, type TestServer } from "../support/server";
import { insertTeamDirectly } from "../support/team";

// The CRM simulator asks the server to sign its panel tokens (POST /api/v1/dev/simulator/token).
// Signed with the real Pipedrive JWT secret for any company and user, it let anyone who could
// reach a non-production server open a panel session as any linked member of any company.

const signer = (server: TestServer, claims: { userId: number; companyId: number }) => server.api("POST", "/dev/simulator/token", { body: claims });

describe("an unauthenticated caller gets a panel token signed for any company", () => {
  describe("on a development server with its own Pipedrive app", () => {
    let fake: FakePipedrive;
    let server: TestServer;
    beforeAll(async () => {
      // What npm start chooses (--development), with the demo CRM on (its default there) but not the Pipedrive app.
      ({ fake, server } = await startPipedriveStack({ NODE_ENV: "development", DEMO_CRM: "on" }));
    });
    afterAll(async () => {
      await server.close();
      await fake.close();
    });

    it("signs nothing for the connected company, nor for the demo CRM's: the route does not exist", async () => {
      const team = await insertTeamDirectly(server.database.db);
      await connect(server, fake, team.admin.token, "workspace");
      for (const claims of [
        { userId: fake.user.id, companyId: fake.user.company_id },
        { userId: demoCrmUsers[0]?.id as number, companyId: demoCrmCompany.id },
      ]) {
        const answer = await signer(server, claims);
        expect(answer.status).toBe(404);
        expect(answer.body.token).toBeUndefined();
      }
    });
  });

  describe("on a development server whose Pipedrive app is the demo CRM", () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ NODE_ENV: "development", DEMO_CRM: "on" }, { ownPublicUrl: true });
    });
    afterAll(() => server.close());

    it.each([
      ["another company", { userId: 101, companyId: 99999 }],
      ["a user the demo CRM does not have", { userId: 4242, companyId: demoCrmCompany.id }],
    ])("refuses %s, signing nothing", async (_name, claims) => {
      const answer = await signer(server, claims);
      expect(answer.status).toBe(403);
      expect(answer.body.token).toBeUndefined();
    });

    it("signs for the demo CRM's own users, as the demo CRM would", async () => {
      const user = demoCrmUsers[3] as (typeof demoCrmUsers)[number];
      const answer = await signer(server, { userId: user.id, companyId: demoCrmCompany.id });
      expect(answer.status).toBe(200);
      const secret = server.services.config.pipedrive.jwtSecret as string;
      expect(await verifyPanelToken(answer.body.token, secret)).toEqual({ pipedriveUserId: user.id, pipedriveCompanyId: demoCrmCompany.id });
    });
  });
});
