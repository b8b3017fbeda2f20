import { type FakeGraphApi, startFakeGraphApi } from "../../fakes/graph-api";

// The client tests are only as good as the fake's contract, so the fake's refusals are tested too.
let graph: FakeGraphApi;
beforeAll(async () => {
  graph = await startFakeGraphApi();
});
afterAll(() => graph.close());
beforeEach(() => graph.reset());

async function post(path: string, body: unknown, token: string | null = graph.accessToken) {
  const response = await fetch(`${graph.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const text = { messaging_product: "whatsapp", to: "15551234567", type: "text", text: { body: "Hi" } };

describe("fake Graph API", () => {
  it("answers a valid text message in Meta's success shape", async () => {
    const response = await post("/v25.0/pn_1/messages", text);
    expect(response).toEqual({
      status: 200,
      body: {
        messaging_product: "whatsapp",
        contacts: [{ input: "15551234567", wa_id: "15551234567" }],
        messages: [{ id: expect.stringMatching(/^wamid\./) }],
      },
    });
  });

  describe.each<{ case: string; body: unknown }>([
    { case: "no messaging_product", body: { ...text, messaging_product: undefined } },
    { case: "an empty text body", body: { ...text, text: { body: "" } } },
    { case: "a text over 4096 characters", body: { ...text, text: { body: "x".repeat(4097) } } },
    { case: "a recipient that isn't a number", body: { ...text, to: "BR.123" } },
    { case: "an unknown type", body: { ...text, type: "fax" } },
    { case: "a template without language", body: { messaging_product: "whatsapp", to: "15551234567", type: "template", template: { name: "x" } } },
    { case: "a body that is not JSON", body: "{not json" },
  ])("$case", ({ body }) => {
    it("is refused with Graph code 100", async () => {
      const response = await post("/v25.0/pn_1/messages", body);
      expect([response.status, response.body.error.code]).toEqual([400, 100]);
      expect(graph.sentMessages).toEqual([]);
    });
  });

  it("refuses a missing bearer token with code 190 (HTTP 401)", async () => {
    const response = await post("/v25.0/pn_1/messages", text, null);
    expect([response.status, response.body.error.code, response.body.error.type]).toEqual([401, 190, "OAuthException"]);
  });

  it("records requests in order, and failNext applies to one request only", async () => {
    graph.failNext({ code: 130429 });
    const first = await post("/v25.0/pn_1/messages", text);
    const second = await post("/v25.0/pn_1/messages", text);
    expect([first.status, first.body.error?.code, second.status]).toEqual([400, 130429, 200]);
    expect(graph.requests.map((request) => request.path)).toEqual(["/v25.0/pn_1/messages", "/v25.0/pn_1/messages"]);
  });

  it("answers an unknown path or API version with a Graph error", async () => {
    expect((await post("/latest/pn_1/messages", text)).body.error.code).toBe(2500);
  });
});
