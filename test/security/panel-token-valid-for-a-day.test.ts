import { SignJWT } from "jose";
import { signPanelToken } from "../../server/pipedrive/panel-token";
import type { FakePipedrive } from "../fakes/pipedrive";
import { panelSecret, startConnectedPipedriveStack } from "../server/pipedrive/server-support";
import type { TestServer } from "../support/server";

// Pipedrive's signed tokens live 5 minutes (pipedrive.md §2.3). One that claims a longer life was
// not minted by Pipedrive's GET_SIGNED_TOKEN: a leaked or home-made token must not open sessions
// for a day.

let fake: FakePipedrive;
let server: TestServer;
beforeAll(async () => {
  ({ fake, server } = await startConnectedPipedriveStack());
});
afterAll(async () => {
  await server.close();
  await fake.close();
});

const trade = (token: string) => server.api("POST", "/panel/pipedrive/session", { body: { token } });
const admin = () => ({ userId: fake.user.id, companyId: fake.user.company_id });

describe("a panel token valid for a day", () => {
  it("is refused with 401", async () => {
    const refused = await trade(await signPanelToken(panelSecret, admin(), 24 * 3600));
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: "unauthenticated", detail: expect.stringContaining("too_long_lived") });
  });

  it("is refused however it is dressed: an old `iat`, or no `iat` at all", async () => {
    const now = Math.floor(Date.now() / 1000);
    const backdated = await signPanelToken(panelSecret, admin(), 24 * 3600 + 60, new Date(Date.now() - 24 * 3600_000));
    const withoutIat = await new SignJWT(admin())
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime(now + 3600)
      .sign(new TextEncoder().encode(panelSecret));
    for (const token of [backdated, withoutIat]) expect((await trade(token)).status).toBe(401);
  });

  it("while a token of Pipedrive's 5 minutes opens the panel", async () => {
    expect((await trade(await signPanelToken(panelSecret, admin(), 300))).status).toBe(201);
  });
});
