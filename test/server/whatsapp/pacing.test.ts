import fc from "fast-check";
import { providerJitterToleranceSeconds, slotTiming, tryAcquireSendSlot } from "../../../server/whatsapp/pacing";
import { busiestSecond } from "../../bench/campaign";
import { insertAccountDirectly, insertMemberDirectly, insertWorkspaceDirectly } from "../../support/factories";
import { startTestServer, type TestServer } from "../../support/server";

describe("slotTiming", () => {
  it("never lets more than the rate into a one-second window, however sends trail their slots within the tolerance", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 50, maxLength: 400 }),
        (rate, lateness) => {
          const { spacingMicros, catchUpMicros } = slotTiming(rate);
          // Slots as the database hands them out (at least one spacing apart); each send happens
          // up to the catch-up plus the provider jitter after its slot.
          const sends = lateness.map((late, index) => index * spacingMicros + late * (catchUpMicros + providerJitterToleranceSeconds * 1e6));
          expect(busiestSecond(sends.map((micros) => micros / 1000))).toBeLessThanOrEqual(rate);
        },
      ),
    );
  });

  it("keeps the average close to the rate: within 2.5% from 20/s up, 1.5% from 80/s up", () => {
    const ratio = (rate: number) => 1_000_000 / slotTiming(rate).spacingMicros / rate;
    for (const rate of [20, 35, 50]) expect(ratio(rate)).toBeGreaterThanOrEqual(0.975);
    for (const rate of [80, 200, 1000]) expect(ratio(rate)).toBeGreaterThan(0.985);
  });

  it("stays finite and positive for slow numbers", () => {
    for (const rate of [0.1, 0.5, 1, 1.5]) expect(slotTiming(rate).spacingMicros).toBeGreaterThanOrEqual(1_000_000 / rate);
  });
});

describe("tryAcquireSendSlot", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it("waits inside the database for a slot due within waitUpToMs and takes it on time, in one call", async () => {
    const db = server.database.db;
    const workspace = await insertWorkspaceDirectly(db);
    const owner = await insertMemberDirectly(db, workspace, { roleId: "owner" });
    const [workspaceId, accountId] = [workspace.id, (await insertAccountDirectly(db, workspace, owner.id)).id];
    const rate = 10;
    const spacingMs = slotTiming(rate).spacingMicros / 1000;
    const first = await tryAcquireSendSlot(db, workspaceId, accountId, rate);
    if (!("acquiredAt" in first)) throw new Error("the first slot of a number is free");
    // Not waited for: the answer says how long until the next slot.
    const refused = await tryAcquireSendSlot(db, workspaceId, accountId, rate);
    expect("waitMs" in refused && refused.waitMs).toBeGreaterThan(spacingMs / 2);
    const askedAt = Date.now();
    const second = await tryAcquireSendSlot(db, workspaceId, accountId, rate, "interactive", undefined, 2 * spacingMs);
    if (!("acquiredAt" in second)) throw new Error(`expected the slot within ${2 * spacingMs} ms, got ${JSON.stringify(second)}`);
    expect(second.acquiredAt.getTime() - first.acquiredAt.getTime()).toBeGreaterThanOrEqual(spacingMs - 1);
    expect(second.acquiredAt.getTime() - first.acquiredAt.getTime()).toBeLessThan(spacingMs + 30);
    expect(Date.now() - askedAt).toBeGreaterThanOrEqual(spacingMs / 2);
    // A slot further away than waitUpToMs is not waited for.
    const tooFar = await tryAcquireSendSlot(db, workspaceId, accountId, rate, "interactive", undefined, 1);
    expect("waitMs" in tooFar && tooFar.waitMs).toBeGreaterThan(spacingMs / 2);
  });
});
