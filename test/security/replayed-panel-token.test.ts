import { SignJWT } from "jose";
import { signPanelToken } from "../../server/pipedrive/panel-token";
import type { FakePipedrive } from "../fakes/pipedrive";
import { panelSecret, startConnectedPipedriveStack } from "../server/pipedrive/server-support";
import type { TestServer } from "../support/server";

// A panel JWT travels in the iframe's URL (browser history, referrers, logs). Whoever picks one up
// within its 5 minutes must not get a session of their own: each token opens one session, for every
// server process at once; the panel renews with a fresh token from GET_SIGNED_TOKEN.

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

/** A token with only the claims Pipedrive documents (no `jti`): told apart by its whole text. */
function pipedriveStyleToken(issuedAt: number) {
  return new SignJWT(admin())
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + 300)
    .sign(new TextEncoder().encode(panelSecret));
}

describe("a replayed panel token", () => {
  it("is refused with 401 the second time", async () => {
    const token = await signPanelToken(panelSecret, admin());
    expect((await trade(token)).status).toBe(201);
    const replayed = await trade(token);
    expect(replayed.status).toBe(401);
    expect(replayed.body).toMatchObject({ code: "unauthenticated", detail: expect.stringContaining("replayed") });
  });

  it("is refused without a `jti` too, while another token of the same user still works", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await pipedriveStyleToken(now);
    expect((await trade(token)).status).toBe(201);
    expect((await trade(token)).status).toBe(401);
    expect((await trade(await pipedriveStyleToken(now - 1))).status).toBe(201);
  });

  it("opens one session when raced", async () => {
    const token = await signPanelToken(panelSecret, admin());
    const answers = await Promise.all([trade(token), trade(token), trade(token)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 401, 401]);
  });

  it("does not stop renewal: fresh tokens for the same user each open a session", async () => {
    for (let renewal = 0; renewal < 3; renewal++) expect((await trade(await signPanelToken(panelSecret, admin()))).status).toBe(201);
  });
});
