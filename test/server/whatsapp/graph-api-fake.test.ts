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

async function get(path: string, token: string | null = graph.accessToken) {
  const response = await fetch(`${graph.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
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

  describe("Meta's side of a setup: WABAs, their numbers and the tokens that manage them", () => {
    const ours = { wabaId: "102290129340398", phoneNumberId: "106540352242922", displayPhoneNumber: "+1 555-078-3881", verifiedName: "Jasper's Market" };
    const theirs = {
      wabaId: "209876543210987",
      phoneNumberId: "306540352242922",
      displayPhoneNumber: "+44 20 7946 0958",
      accessTokens: ["their-token-0123456789"],
    };
    beforeAll(() => {
      graph.registerPhoneNumber(ours);
      graph.registerPhoneNumber(theirs);
      graph.addAccessToken("a-token-with-no-assets");
    });
    const unknownObject = (id: string) => ({
      status: 400,
      body: {
        error: {
          message: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
          type: "GraphMethodException",
          code: 100,
          error_subcode: 33,
          fbtrace_id: expect.any(String),
        },
      },
    });

    it("GET /{phone-number-id} answers Meta's phone number node to a token that manages its WABA; fields narrow it", async () => {
      expect(await get(`/v25.0/${ours.phoneNumberId}`)).toEqual({
        status: 200,
        body: {
          verified_name: "Jasper's Market",
          code_verification_status: "VERIFIED",
          display_phone_number: "+1 555-078-3881",
          quality_rating: "GREEN",
          platform_type: "CLOUD_API",
          throughput: { level: "STANDARD" },
          id: ours.phoneNumberId,
        },
      });
      expect((await get(`/v25.0/${ours.phoneNumberId}?fields=display_phone_number`)).body).toEqual({
        display_phone_number: "+1 555-078-3881",
        id: ours.phoneNumberId,
      });
    });

    it("GET /{waba-id}/phone_numbers lists the WABA's numbers; subscribed_apps lists the apps on its webhooks", async () => {
      const listed = await get(`/v25.0/${ours.wabaId}/phone_numbers`);
      expect(listed.status).toBe(200);
      expect(listed.body.data.map((number: { id: string }) => number.id)).toEqual([ours.phoneNumberId]);
      expect(listed.body.paging.cursors).toEqual({ before: expect.any(String), after: expect.any(String) });
      expect(await get(`/v25.0/${theirs.wabaId}/subscribed_apps`, "their-token-0123456789")).toEqual({
        status: 200,
        body: { data: [{ whatsapp_business_api_data: { link: expect.any(String), name: expect.any(String), id: expect.any(String) } }] },
      });
    });

    it("another business's number or WABA is, to a valid token, an object that does not exist (100/33, HTTP 400)", async () => {
      expect(await get(`/v25.0/${theirs.phoneNumberId}`)).toEqual(unknownObject(theirs.phoneNumberId));
      expect(await get(`/v25.0/${theirs.wabaId}/phone_numbers`)).toEqual(unknownObject(theirs.wabaId));
      expect(await get(`/v25.0/${ours.wabaId}/subscribed_apps`, "their-token-0123456789")).toEqual(unknownObject(ours.wabaId));
      expect(await get(`/v25.0/${ours.phoneNumberId}`, "a-token-with-no-assets")).toEqual(unknownObject(ours.phoneNumberId));
      expect(await get("/v25.0/999999999999999")).toEqual(unknownObject("999999999999999"));
    });

    it("a token Meta never issued is refused with code 190 (HTTP 401) before any lookup", async () => {
      const refused = await get(`/v25.0/${ours.phoneNumberId}`, "not-a-token-meta-issued");
      expect([refused.status, refused.body.error.code, refused.body.error.type]).toEqual([401, 190, "OAuthException"]);
    });

    it("registering a number in another WABA moves it there; registrations survive reset()", async () => {
      graph.registerPhoneNumber({ ...ours, phoneNumberId: "406540352242922", wabaId: theirs.wabaId, accessTokens: ["their-token-0123456789"] });
      graph.registerPhoneNumber({ ...ours, phoneNumberId: "406540352242922" });
      graph.reset();
      const ids = async (wabaId: string, token: string) =>
        (await get(`/v25.0/${wabaId}/phone_numbers`, token)).body.data.map((number: { id: string }) => number.id);
      expect(await ids(ours.wabaId, graph.accessToken)).toEqual([ours.phoneNumberId, "406540352242922"]);
      expect(await ids(theirs.wabaId, "their-token-0123456789")).toEqual([theirs.phoneNumberId]);
    });
  });
});
