import { afterEach } from "vitest";
import type { ContractRefusal, FakePipedrive } from "../fakes/pipedrive";

// Issue 11, "every request we send to the fake passes its schema check": the strict fake refuses a
// bad request with Pipedrive's 400 (or 403/404), and a refused activity simply doesn't appear, so
// nothing would notice. The fake records each refusal made on contract grounds; the Pipedrive suites
// check after each test that there were none.

const describeRefusal = (refusal: ContractRefusal) =>
  `${refusal.method} ${refusal.path} → ${refusal.status} (${refusal.kind}): ${refusal.error}; body ${JSON.stringify(refusal.body)}`;

/** Throws if `fake` refused a request for breaking Pipedrive's contract since the last check (and forgets them). */
export function expectNoContractRefusals(fake: FakePipedrive): void {
  const refusals = fake.takeContractRefusals();
  if (refusals.length > 0) {
    throw new Error(`The fake Pipedrive refused ${refusals.length} request(s) for breaking its contract:\n${refusals.map(describeRefusal).join("\n")}`);
  }
}

/**
 * After each test of the calling file, fails it if the fake (when started) refused a request on
 * contract grounds. A test that sends a bad request on purpose takes its refusals with
 * `fake.takeContractRefusals()` (and may assert on them).
 */
export function failOnContractRefusals(fake: () => FakePipedrive | undefined): void {
  afterEach(() => {
    const started = fake();
    if (started) expectNoContractRefusals(started);
  });
}
