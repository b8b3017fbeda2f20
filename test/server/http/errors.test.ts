import { allRoutes } from "../../../server/http/registry";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";

let server: TestServer;
let team: Team;
beforeAll(async () => {
  server = await startTestServer();
  team = await insertTeamDirectly(server.database.db);
});
afterAll(() => server.close());

describe("problem+json for bad input, never a 500", () => {
  it.each([
    ["malformed JSON", { rawBody: '{"email": ', headers: { "content-type": "application/json" } }, 400, "invalid_request"],
    ["wrong types", { body: { email: 42, roleId: ["agent"] } }, 400, "invalid_request"],
    ["unknown fields", { body: { email: "a@b.test", roleId: "agent", admin: true } }, 400, "invalid_request"],
    ["oversized body", { body: { email: "a@b.test", roleId: "x".repeat(200_000) } }, 413, "payload_too_large"],
    ["not JSON", { rawBody: "email=a@b.test", headers: { "content-type": "application/x-www-form-urlencoded" } }, 415, "unsupported_media_type"],
  ] as const)("%s", async (_name, options, status, code) => {
    const response = await server.api("POST", "/invitations", { token: team.admin.token, ...options });
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ type: `urn:switchboard:problem:${code}`, status, code, title: expect.any(String), detail: expect.any(String) });
  });

  it("lists each field problem", async () => {
    const response = await server.api("POST", "/signup", { body: { workspaceName: "", email: "not-an-email", name: "A", password: 5 } });
    expect(response.body.errors.map((error: { path: string }) => error.path).sort()).toEqual(["body.email", "body.password", "body.workspaceName"]);
  });

  it("answers unknown endpoints with a 404 problem", async () => {
    const response = await server.api("GET", "/nowhere", { token: team.owner.token });
    expect(response.body).toMatchObject({ status: 404, code: "not_found" });
  });

  it("survives junk bodies on every route", async () => {
    // Its own team: this walk includes DELETE /sessions/current, which ends the session it uses.
    const junkTeam = await insertTeamDirectly(server.database.db);
    const junk = [null, [], "text", 12, { a: { b: { c: [1, 2, { d: null }] } } }, { limit: -1 }];
    for (const route of allRoutes.filter((candidate) => candidate.method !== "get")) {
      for (const body of junk) {
        const path = route.path.replace(/:(\w+)/g, "x");
        const response = await server.api(route.method.toUpperCase(), path, {
          token: junkTeam.owner.token,
          rawBody: JSON.stringify(body),
          headers: { "content-type": "application/json" },
        });
        expect(response.status, `${route.method} ${route.path} ${JSON.stringify(body)}: ${response.text}`).toBeLessThan(500);
      }
    }
  });

  it("rejects bad query values", async () => {
    for (const query of ["limit=0", "limit=201", "limit=abc", "cursor=%%%"]) {
      expect((await server.api("GET", `/members?${query}`, { token: team.owner.token })).status, query).toBe(400);
    }
  });
});
