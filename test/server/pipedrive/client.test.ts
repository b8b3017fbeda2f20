import { createPipedriveConnector, type PipedriveApis } from "../../../server/pipedrive/client";
import { PipedriveError } from "../../../server/pipedrive/errors";
import { type FakePipedrive, startFakePipedrive } from "../../fakes/pipedrive";
import { failOnContractRefusals } from "../../support/pipedrive-contract";
import { appFor, installedConnection, minutesFromNow, recordingTokenStore } from "./support";

let fake: FakePipedrive;
failOnContractRefusals(() => fake);
beforeAll(async () => {
  fake = await startFakePipedrive();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const requestLines = () => fake.requests.map(({ method, path }) => `${method} ${path}`);
const readDeal = (dealId: number) => (apis: PipedriveApis) => apis.deals.getDeal({ id: dealId });

async function rejectionOf(promise: Promise<unknown>): Promise<PipedriveError> {
  const rejection = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  expect(rejection).toBeInstanceOf(PipedriveError);
  return rejection as PipedriveError;
}

describe("getClient", () => {
  it("uses a token with time left as it is, through the SDK on the installation's api_domain", async () => {
    const deal = fake.addDeal({ title: "Kitchen refit" });
    const connection = await installedConnection(fake);
    const store = recordingTokenStore();
    const client = await createPipedriveConnector({ app: appFor(fake), saveTokens: store.saveTokens }).getClient(connection);

    const response = await client.run(readDeal(deal.id));

    expect(response.data?.title).toBe("Kitchen refit");
    expect(requestLines()).toEqual([`GET /api/v2/deals/${deal.id}`]);
    expect(fake.requests[0]?.authorization).toBe(`Bearer ${connection.tokens.accessToken}`);
    expect(store.saved).toEqual([]);
  });

  it("refreshes first when the token expires within the margin, and saves the new tokens", async () => {
    const deal = fake.addDeal({ title: "Kitchen refit" });
    // Our own clock says 2 minutes left; the SDK's would say a fresh hour (pipedrive.md §1.5 gotcha 2).
    const connection = await installedConnection(fake, { expiresAt: minutesFromNow(2) });
    const store = recordingTokenStore();
    const client = await createPipedriveConnector({ app: appFor(fake), saveTokens: store.saveTokens }).getClient(connection);
    await client.run(readDeal(deal.id));

    expect(requestLines()).toEqual(["POST /oauth/token", `GET /api/v2/deals/${deal.id}`]);
    expect(store.saved).toHaveLength(1);
    const saved = store.saved[0];
    expect(saved?.connectionId).toBe("pdi_test");
    expect(saved?.tokens.refreshToken).toBe(connection.tokens.refreshToken);
    expect(saved?.tokens.accessToken).not.toBe(connection.tokens.accessToken);
    expect(saved?.tokens.expiresAt.getTime()).toBeGreaterThan(minutesFromNow(59).getTime());
    expect(fake.requests[1]?.authorization).toBe(`Bearer ${saved?.tokens.accessToken}`);
    expect(client.tokens()).toEqual(saved?.tokens);
  });

  it("refreshes once for concurrent calls that all find the token expiring", async () => {
    const deal = fake.addDeal({ title: "Kitchen refit" });
    const connection = await installedConnection(fake, { expiresAt: minutesFromNow(-1) });
    const store = recordingTokenStore();
    const connector = createPipedriveConnector({ app: appFor(fake), saveTokens: store.saveTokens });
    const [first, second] = await Promise.all([connector.getClient(connection), connector.getClient(connection)]);
    await Promise.all([first?.run(readDeal(deal.id)), second?.run(readDeal(deal.id))]);

    expect(requestLines().filter((line) => line === "POST /oauth/token")).toHaveLength(1);
    expect(store.saved).toHaveLength(1);
  });

  it("on a 401 refreshes once and retries the call with the new token", async () => {
    const deal = fake.addDeal({ title: "Kitchen refit" });
    const connection = await installedConnection(fake);
    fake.expireAccessTokens(); // Pipedrive disagrees with our bookkeeping.
    const store = recordingTokenStore();
    const client = await createPipedriveConnector({ app: appFor(fake), saveTokens: store.saveTokens }).getClient(connection);

    const response = await client.run(readDeal(deal.id));

    expect(response.data?.title).toBe("Kitchen refit");
    expect(requestLines()).toEqual([`GET /api/v2/deals/${deal.id}`, "POST /oauth/token", `GET /api/v2/deals/${deal.id}`]);
    expect(fake.requests[0]?.authorization).toBe(`Bearer ${connection.tokens.accessToken}`);
    expect(fake.requests[2]?.authorization).toBe(`Bearer ${store.saved[0]?.tokens.accessToken}`);
  });

  it("retries only once: a second 401 means the installation must be reconnected", async () => {
    const deal = fake.addDeal({ title: "Kitchen refit" });
    const client = await createPipedriveConnector({ app: appFor(fake), saveTokens: recordingTokenStore().saveTokens }).getClient(
      await installedConnection(fake),
    );
    fake.failNext({ status: 401 });
    fake.failNext({ status: 401 });
    fake.failNext({ status: 401 });

    const failure = await rejectionOf(client.run(readDeal(deal.id)));

    expect(failure.reason).toBe("reconnect_required");
    expect(requestLines()).toEqual([`GET /api/v2/deals/${deal.id}`, "POST /oauth/token", `GET /api/v2/deals/${deal.id}`]);
  });

  it("fails with reconnect_required when the refresh token was revoked, before any API call", async () => {
    const connection = await installedConnection(fake, { expiresAt: minutesFromNow(-5) });
    fake.revokeRefreshTokens();
    const store = recordingTokenStore();
    const connector = createPipedriveConnector({ app: appFor(fake), saveTokens: store.saveTokens });

    const failure = await rejectionOf(connector.getClient(connection));

    expect(failure.reason).toBe("reconnect_required");
    expect(requestLines()).toEqual(["POST /oauth/token"]);
    expect(store.saved).toEqual([]);
  });

  it("fails with reconnect_required when a 401's refresh is refused (app uninstalled mid-job)", async () => {
    const deal = fake.addDeal({ title: "Kitchen refit" });
    const client = await createPipedriveConnector({ app: appFor(fake), saveTokens: recordingTokenStore().saveTokens }).getClient(
      await installedConnection(fake),
    );
    fake.revokeRefreshTokens();

    const failure = await rejectionOf(client.run(readDeal(deal.id)));

    expect(failure.reason).toBe("reconnect_required");
    expect(requestLines()).toEqual([`GET /api/v2/deals/${deal.id}`, "POST /oauth/token"]);
  });

  it("passes other failures through without refreshing", async () => {
    const client = await createPipedriveConnector({ app: appFor(fake), saveTokens: recordingTokenStore().saveTokens }).getClient(
      await installedConnection(fake),
    );
    const failure = await rejectionOf(client.run(readDeal(999)));
    expect(failure).toMatchObject({ reason: "not_found", httpStatus: 404 });
    expect(requestLines()).toEqual(["GET /api/v2/deals/999"]);
  });

  it("refreshes a long-lived client's token when it nears expiry between calls", async () => {
    const deal = fake.addDeal({ title: "Kitchen refit" });
    let clock = Date.now();
    const store = recordingTokenStore();
    const connector = createPipedriveConnector({ app: appFor(fake), saveTokens: store.saveTokens, now: () => new Date(clock) });
    const client = await connector.getClient(await installedConnection(fake));
    await client.run(readDeal(deal.id));
    clock += 56 * 60_000;
    await client.run(readDeal(deal.id));

    expect(requestLines()).toEqual([`GET /api/v2/deals/${deal.id}`, "POST /oauth/token", `GET /api/v2/deals/${deal.id}`]);
    expect(fake.requests[2]?.authorization).toBe(`Bearer ${store.saved[0]?.tokens.accessToken}`);
  });

  it("rethrows a failure to save refreshed tokens as it is, not as a Pipedrive failure", async () => {
    const deal = fake.addDeal({ title: "Kitchen refit" });
    let clock = Date.now();
    const connector = createPipedriveConnector({
      app: appFor(fake),
      saveTokens: async () => {
        throw new Error("database is down");
      },
      now: () => new Date(clock),
    });
    const client = await connector.getClient(await installedConnection(fake));
    clock += 58 * 60_000;
    const rejection = await client.run(readDeal(deal.id)).catch((error: unknown) => error);
    expect(rejection).not.toBeInstanceOf(PipedriveError);
    expect(rejection).toEqual(new Error("database is down"));
  });

  it("fails the call when saving refreshed tokens fails", async () => {
    const connection = await installedConnection(fake, { expiresAt: minutesFromNow(1) });
    const connector = createPipedriveConnector({
      app: appFor(fake),
      saveTokens: async () => {
        throw new Error("database is down");
      },
    });
    await expect(connector.getClient(connection)).rejects.toThrow("database is down");
  });
});
