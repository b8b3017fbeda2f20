import { startTestServer, type TestServer } from "../support/server";

// POST /signup answers 409 for an email that has an account and 201 otherwise. With no e-mail
// sending in the product the answer cannot be made the same without breaking signup, so the
// difference stays (README, "Identity") but every signup spends the caller's address budget that
// failed password checks spend too: an address can no longer walk a list of emails.

const signupAs = (server: TestServer, email: string) =>
  server.api("POST", "/signup", { body: { workspaceName: "Probe", name: "Prober", email, password: "a long password" } });

describe("an attacker enumerates registered emails through signup", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ LOGIN_LIMIT_PER_IP: "5" });
  });
  afterAll(() => server.close());

  it("probing signup from one address is cut off by the shared per-address limit (429 with Retry-After), whatever the email", async () => {
    expect((await signupAs(server, "registered@example.test")).status).toBe(201);
    expect((await signupAs(server, "registered@example.test")).status).toBe(409);
    expect((await signupAs(server, "unknown-1@example.test")).status).toBe(201);
    expect((await server.api("POST", "/sessions", { body: { email: "registered@example.test", password: "a wrong password" } })).status).toBe(401);
    expect((await signupAs(server, "registered@example.test")).status).toBe(409);
    for (const email of ["registered@example.test", "unknown-2@example.test"]) {
      const probe = await signupAs(server, email);
      expect(probe.status).toBe(429);
      expect(probe.body.code).toBe("rate_limited");
      expect(Number(probe.headers.get("retry-after"))).toBeGreaterThan(0);
    }
  });
});
