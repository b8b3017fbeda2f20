import { pipedriveConnections } from "../../../server/db/schema";
import { demoCrmPeople } from "../../../server/demo-crm/company";
import { loadWorkspaceConnection } from "../../../server/pipedrive/connections";
import { openPipedriveTokens } from "../../../server/pipedrive/token-storage";
import { basicHeader, startFakePipedrive } from "../../fakes/pipedrive";
import { startDemoServer } from "../../support/demo";

// Both imitations of Pipedrive (the tests' fake and the development demo CRM) hold API v2
// activities to Pipedrive's rules, so code that gets past them gets past Pipedrive: `person_id`
// is read-only (the person is a primary participant), and unknown or read-only fields are a 400.

type Imitation = { apiUrl: string; accessToken: string; personId: number; close(): Promise<void> };

async function theFake(): Promise<Imitation> {
  const fake = await startFakePipedrive();
  const person = fake.addPerson({ name: "Carla Customer" });
  const response = await fetch(`${fake.url}/oauth/token`, {
    method: "POST",
    headers: { authorization: basicHeader(fake.clientId, fake.clientSecret), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code: fake.issueAuthorizationCode(), redirect_uri: fake.redirectUri }),
  });
  const { access_token } = (await response.json()) as { access_token: string };
  return { apiUrl: `${fake.url}/api`, accessToken: access_token, personId: person.id, close: () => fake.close() };
}

async function theDemoCrm(): Promise<Imitation> {
  const server = await startDemoServer();
  const [connection] = await server.database.db.select().from(pipedriveConnections);
  const served = await loadWorkspaceConnection(server.database.db, connection?.workspaceId ?? "");
  const tokens = openPipedriveTokens(server.services.config.encryptionKey, served?.installation as NonNullable<NonNullable<typeof served>["installation"]>);
  return { apiUrl: `${server.url}/dev/demo-crm/api`, accessToken: tokens.accessToken, personId: demoCrmPeople.grace.id, close: () => server.close() };
}

const badRequest = (error: string | RegExp) => ({
  success: false,
  error: typeof error === "string" ? error : expect.stringMatching(error),
  code: "ERR_BAD_REQUEST",
});

describe.each([
  ["the fake Pipedrive (test/fakes)", theFake],
  ["the demo CRM (server/demo-crm)", theDemoCrm],
])("API v2 activities in %s", (_name, start) => {
  let imitation: Imitation;
  beforeAll(async () => {
    imitation = await start();
  }, 60_000);
  afterAll(() => imitation.close());

  const call = async (method: "POST" | "PATCH", path: string, body: unknown) => {
    const response = await fetch(`${imitation.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${imitation.accessToken}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & { data?: Record<string, unknown> } };
  };
  const created = async () => {
    const answer = await call("POST", "/v2/activities", { subject: "WhatsApp", participants: [{ person_id: imitation.personId, primary: true }] });
    expect(answer.status).toBe(200);
    return answer.body.data?.id as number;
  };

  it("links the person through a primary participant, and shows person_id as read", async () => {
    const answer = await call("POST", "/v2/activities", {
      subject: "WhatsApp with Carla",
      type: "call",
      done: true,
      note: "<p>Hi</p>",
      participants: [{ person_id: imitation.personId, primary: true }],
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({
      person_id: imitation.personId,
      participants: [{ person_id: imitation.personId, primary_flag: true }],
      done: true,
    });
  });

  it("refuses person_id on POST with Pipedrive's 400", async () => {
    const answer = await call("POST", "/v2/activities", { subject: "WhatsApp", person_id: imitation.personId });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(badRequest("'person_id' is a read-only field. Add a primary participant to set 'person_id' instead."));
  });

  it("refuses person_id on PATCH with Pipedrive's 400, and takes a participant instead", async () => {
    const id = await created();
    const refused = await call("PATCH", `/v2/activities/${id}`, { person_id: imitation.personId });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual(badRequest("'person_id' is a read-only field. Add a primary participant to set 'person_id' instead."));
    const changed = await call("PATCH", `/v2/activities/${id}`, { note: "<p>later</p>", participants: [{ person_id: imitation.personId, primary: true }] });
    expect(changed.status).toBe(200);
    expect(changed.body.data).toMatchObject({ note: "<p>later</p>", person_id: imitation.personId });
  });

  it.each([
    ["a read-only field", { subject: "x", add_time: "2026-01-01T00:00:00Z" }, /'add_time' is a read-only field/],
    ["an unknown field", { subject: "x", whatsapp: true }, /whatsapp/],
    ["v1's participant shape", { subject: "x", participants: [{ person_id: 1, primary_flag: true }] }, /primary_flag/],
    ["a malformed due date", { subject: "x", due_date: "05/12/2026" }, /due_date/],
  ])("refuses %s on POST and PATCH", async (_what, body, error) => {
    const posted = await call("POST", "/v2/activities", body);
    expect(posted.status).toBe(400);
    expect(posted.body).toEqual(badRequest(error));
    const patched = await call("PATCH", `/v2/activities/${await created()}`, body);
    expect(patched.status).toBe(400);
    expect(patched.body).toEqual(badRequest(error));
  });
});
