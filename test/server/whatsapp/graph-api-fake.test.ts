import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type FakeGraphApi, startFakeGraphApi, type TemplateRegistration } from "../../fakes/graph-api";
import { inboundTextWebhook, statusWebhook } from "../../fakes/whatsapp-webhooks";

// The client tests are only as good as the fake's contract, so the fake's refusals are tested too.
let graph: FakeGraphApi;
const ours = { wabaId: "102290129340398", phoneNumberId: "106540352242922", displayPhoneNumber: "+1 555-078-3881", verifiedName: "Jasper's Market" };
const theirs = {
  wabaId: "209876543210987",
  phoneNumberId: "306540352242922",
  displayPhoneNumber: "+44 20 7946 0958",
  accessTokens: ["their-token-0123456789"],
};
const sendPath = `/v25.0/${ours.phoneNumberId}/messages`;
beforeAll(async () => {
  graph = await startFakeGraphApi();
  graph.registerPhoneNumber(ours);
  graph.registerPhoneNumber(theirs);
  graph.addAccessToken("a-token-with-no-assets");
  // The customer of most cases wrote a minute ago, so free-form messages to them are in the window.
  graph.recordInbound({ phoneNumberId: ours.phoneNumberId, from: "+15551234567", at: new Date(Date.now() - 60_000) });
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
    const response = await post(sendPath, text);
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
      const response = await post(sendPath, body);
      expect([response.status, response.body.error.code]).toEqual([400, 100]);
      expect(graph.sentMessages).toEqual([]);
    });
  });

  it("refuses a missing bearer token with code 190 (HTTP 401)", async () => {
    const response = await post(sendPath, text, null);
    expect([response.status, response.body.error.code, response.body.error.type]).toEqual([401, 190, "OAuthException"]);
  });

  it("records requests in order, and failNext applies to one request only", async () => {
    graph.failNext({ code: 130429 });
    const first = await post(sendPath, text);
    const second = await post(sendPath, text);
    expect([first.status, first.body.error?.code, second.status]).toEqual([400, 130429, 200]);
    expect(graph.requests.map((request) => request.path)).toEqual([sendPath, sendPath]);
  });

  it("answers an unknown path or API version with a Graph error", async () => {
    expect((await post(`/latest/${ours.phoneNumberId}/messages`, text)).body.error.code).toBe(2500);
  });

  describe("Meta's side of a setup: WABAs, their numbers and the tokens that manage them", () => {
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

const metaError = (code: number, message: string, details: string) => ({
  error: { message, type: "OAuthException", code, error_data: { messaging_product: "whatsapp", details }, fbtrace_id: expect.any(String) },
});

describe("a phone number answers only to a token that manages its WABA (Meta: Messages reference, Graph API error handling)", () => {
  const refusedPost = (id: string) => ({
    status: 400,
    body: {
      error: {
        message: `Unsupported post request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
        type: "GraphMethodException",
        code: 100,
        error_subcode: 33,
        fbtrace_id: expect.any(String),
      },
    },
  });

  it("sending from another business's number, or from a number nobody registered, is 100/33 and nothing is sent", async () => {
    expect(await post(sendPath, text, "their-token-0123456789")).toEqual(refusedPost(ours.phoneNumberId));
    expect(await post(sendPath, text, "a-token-with-no-assets")).toEqual(refusedPost(ours.phoneNumberId));
    expect(await post("/v25.0/999999999999999/messages", text)).toEqual(refusedPost("999999999999999"));
    expect(graph.sentMessages).toEqual([]);
    // The owner's token still sends from it, and theirs from their own number.
    expect((await post(sendPath, text)).status).toBe(200);
    graph.recordInbound({ phoneNumberId: theirs.phoneNumberId, from: "15551234567" });
    expect((await post(`/v25.0/${theirs.phoneNumberId}/messages`, text, "their-token-0123456789")).status).toBe(200);
  });

  it("a token Meta never issued is 190 without a subcode; an expired one is 190/463 (HTTP 401 both)", async () => {
    expect(await post(sendPath, text, "not-a-token-meta-issued")).toEqual({
      status: 401,
      body: { error: { message: "Invalid OAuth access token - Cannot parse access token", type: "OAuthException", code: 190, fbtrace_id: expect.any(String) } },
    });
    graph.expireToken();
    expect(await post(sendPath, text)).toEqual({
      status: 401,
      body: {
        error: {
          message: "Error validating access token: Session has expired.",
          type: "OAuthException",
          code: 190,
          error_subcode: 463,
          fbtrace_id: expect.any(String),
        },
      },
    });
  });

  it("a WABA's templates are listed only to a token that manages it", async () => {
    graph.registerTemplate(theirs.wabaId, { name: "their_template", language: "en_US", body: "Hi" });
    expect((await get(`/v25.0/${theirs.wabaId}/message_templates`)).body.error).toMatchObject({ code: 100, error_subcode: 33 });
    const listed = await get(`/v25.0/${theirs.wabaId}/message_templates`, "their-token-0123456789");
    expect(listed.body.data.map((template: { name: string }) => template.name)).toEqual(["their_template"]);
  });
});

describe("templates: registered in the number's WABA, approved, in that language, with their parameters (Meta: Send message templates, error codes)", () => {
  const templates: TemplateRegistration[] = [
    { name: "order_update_v1", language: "en_US", category: "UTILITY", body: "Hi {{1}}, your order {{2}} has shipped." },
    { name: "order_update_v1", language: "pt_BR", body: "Olá {{1}}, seu pedido {{2}} foi enviado." },
    { name: "hello_world", language: "en_US", body: "Hello World" },
    { name: "promo_draft", language: "en_US", status: "PENDING", body: "Sale!" },
    { name: "promo_rejected", language: "en_US", status: "REJECTED", body: "Sale!!" },
    { name: "paused_one", language: "en_US", status: "PAUSED", body: "Paused" },
    { name: "disabled_one", language: "en_US", status: "DISABLED", body: "Disabled" },
    { name: "receipt", language: "en_US", header: { format: "IMAGE" }, body: "Your receipt, {{1}}." },
    { name: "booking", language: "en_US", parameterFormat: "NAMED", body: "Hi {{first_name}}, table for {{guests}}." },
    { name: "track", language: "en_US", body: "Track it:", urlButtons: [{ text: "Track", url: "https://shop.test/track/{{1}}" }] },
  ];
  beforeAll(() => {
    for (const template of templates) graph.registerTemplate(ours.wabaId, template);
    graph.registerTemplate(theirs.wabaId, { name: "theirs_only", language: "en_US", body: "Hi" });
  });
  const texts = (...values: string[]) => values.map((value) => ({ type: "text", text: value }));
  const templateMessage = (name: string, language: string, components?: unknown[]) => ({
    messaging_product: "whatsapp",
    to: "442079460958",
    type: "template",
    template: { name, language: { code: language }, ...(components ? { components } : {}) },
  });
  const body = (parameters: unknown[]) => ({ type: "body", parameters });

  describe.each<{ case: string; message: unknown }>([
    { case: "two body texts for {{1}} {{2}}", message: templateMessage("order_update_v1", "en_US", [body(texts("Ana", "#12345"))]) },
    { case: "the same name in another approved language", message: templateMessage("order_update_v1", "pt_BR", [body(texts("Ana", "#1"))]) },
    { case: "a template without placeholders, no components", message: templateMessage("hello_world", "en_US") },
    {
      case: "an image header and a body text",
      message: templateMessage("receipt", "en_US", [
        { type: "header", parameters: [{ type: "image", image: { link: "https://shop.test/r.png" } }] },
        body(texts("Ana")),
      ]),
    },
    {
      case: "named parameters, each once, in any order",
      message: templateMessage("booking", "en_US", [
        body([
          { type: "text", parameter_name: "guests", text: "4" },
          { type: "text", parameter_name: "first_name", text: "Ana" },
        ]),
      ]),
    },
    { case: "a URL button's suffix", message: templateMessage("track", "en_US", [{ type: "button", sub_type: "url", index: "0", parameters: texts("A1") }]) },
  ])("$case", ({ message }) => {
    it("is accepted (message_status accepted), to a customer who never wrote", async () => {
      const response = await post(sendPath, message);
      expect([response.status, response.body.messages?.[0]?.message_status]).toEqual([200, "accepted"]);
      expect(graph.sentMessages).toHaveLength(1);
    });
  });

  describe.each<{ case: string; message: unknown; status: number; error: ReturnType<typeof metaError> }>([
    {
      case: "a name nobody registered",
      message: templateMessage("follow_up", "en", []),
      status: 404,
      error: metaError(132001, "(#132001) Template name does not exist in the translation", "template name (follow_up) does not exist in en"),
    },
    {
      case: "a registered name in a language it lacks",
      message: templateMessage("order_update_v1", "es_MX", [body(texts("Ana", "#1"))]),
      status: 404,
      error: metaError(132001, "(#132001) Template name does not exist in the translation", "template name (order_update_v1) does not exist in es_MX"),
    },
    {
      case: "a template still pending review",
      message: templateMessage("promo_draft", "en_US"),
      status: 404,
      error: metaError(132001, "(#132001) Template name does not exist in the translation", "template name (promo_draft) does not exist in en_US"),
    },
    {
      case: "a rejected template",
      message: templateMessage("promo_rejected", "en_US"),
      status: 404,
      error: metaError(132001, "(#132001) Template name does not exist in the translation", "template name (promo_rejected) does not exist in en_US"),
    },
    {
      case: "another WABA's template",
      message: templateMessage("theirs_only", "en_US"),
      status: 404,
      error: metaError(132001, "(#132001) Template name does not exist in the translation", "template name (theirs_only) does not exist in en_US"),
    },
    {
      case: "a paused template",
      message: templateMessage("paused_one", "en_US"),
      status: 400,
      error: metaError(132015, "(#132015) Template is Paused", "Template is paused due to low quality so it cannot be sent in a template message."),
    },
    {
      case: "a disabled template",
      message: templateMessage("disabled_one", "en_US"),
      status: 400,
      error: metaError(132016, "(#132016) Template is Disabled", "Template has been paused too many times due to low quality and is now permanently disabled."),
    },
    {
      case: "one parameter for {{1}} {{2}}",
      message: templateMessage("order_update_v1", "en_US", [body(texts("Ana"))]),
      status: 400,
      error: metaError(
        132000,
        "(#132000) Number of parameters does not match the expected number of params",
        "body: number of localizable_params (1) does not match the expected number of params (2)",
      ),
    },
    {
      case: "no components for {{1}} {{2}}",
      message: templateMessage("order_update_v1", "en_US"),
      status: 400,
      error: metaError(
        132000,
        "(#132000) Number of parameters does not match the expected number of params",
        "body: number of localizable_params (0) does not match the expected number of params (2)",
      ),
    },
    {
      case: "parameters for a template without placeholders",
      message: templateMessage("hello_world", "en_US", [body(texts("extra"))]),
      status: 400,
      error: metaError(
        132000,
        "(#132000) Number of parameters does not match the expected number of params",
        "body: number of localizable_params (1) does not match the expected number of params (0)",
      ),
    },
    {
      case: 'a {type: "text"} without text',
      message: templateMessage("order_update_v1", "en_US", [body([{ type: "text" }, { type: "text", text: "#1" }])]),
      status: 400,
      error: metaError(131008, "(#131008) Required parameter is missing", "Parameter of type text is missing text value"),
    },
    {
      case: "an empty text",
      message: templateMessage("order_update_v1", "en_US", [body(texts("", "#1"))]),
      status: 400,
      error: metaError(131008, "(#131008) Required parameter is missing", "Parameter of type text is missing text value"),
    },
    {
      case: "a text where the header wants an image",
      message: templateMessage("receipt", "en_US", [{ type: "header", parameters: texts("https://shop.test/r.png") }, body(texts("Ana"))]),
      status: 400,
      error: metaError(
        132012,
        "(#132012) Parameter format does not match format in the created template",
        'header: parameter {"type":"text","text":"https://shop.test/r.png"} does not match the template\'s IMAGE format',
      ),
    },
    {
      case: "positional values for a named template",
      message: templateMessage("booking", "en_US", [body(texts("Ana", "4"))]),
      status: 400,
      error: metaError(
        132012,
        "(#132012) Parameter format does not match format in the created template",
        'body: parameter {"type":"text","text":"Ana"} does not match the template\'s TEXT format',
      ),
    },
  ])("$case", ({ message, status, error }) => {
    it(`is refused with Meta's ${error.error.code} (HTTP ${status}) and nothing is sent`, async () => {
      expect(await post(sendPath, message)).toEqual({ status, body: error });
      expect(graph.sentMessages).toEqual([]);
    });
  });

  it("registering a template again (same name and language) replaces it; templates survive reset()", async () => {
    graph.registerTemplate(ours.wabaId, { name: "hello_world", language: "en_US", status: "PAUSED", body: "Hello World" });
    graph.reset();
    expect((await post(sendPath, templateMessage("hello_world", "en_US"))).body.error.code).toBe(132015);
    graph.registerTemplate(ours.wabaId, { name: "hello_world", language: "en_US", body: "Hello World" });
    expect((await post(sendPath, templateMessage("hello_world", "en_US"))).status).toBe(200);
    const listed = await get(`/v25.0/${ours.wabaId}/message_templates?fields=name,language,status`);
    expect(listed.body.data.filter((template: { name: string }) => template.name === "hello_world")).toEqual([
      { name: "hello_world", language: "en_US", status: "APPROVED", id: expect.any(String) },
    ]);
  });
});

describe("the customer service window: free-form only within 24 h of the customer's latest message (Meta: Send messages)", () => {
  const reEngagement = {
    status: 400,
    body: metaError(
      131047,
      "(#131047) Re-engagement message",
      "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
    ),
  };
  const to = (waId: string) => ({ ...text, to: waId });
  const hours = (count: number) => count * 60 * 60 * 1000;

  it("a customer who never wrote gets no free-form message: 131047, nothing sent", async () => {
    expect(await post(sendPath, to("15550000001"))).toEqual(reEngagement);
    expect(graph.sentMessages).toEqual([]);
  });

  it("runs 24 h from the latest inbound, per business number and per customer", async () => {
    graph.recordInbound({ phoneNumberId: ours.phoneNumberId, from: "+15550000002", at: new Date(Date.now() - hours(23.9)) });
    graph.recordInbound({ phoneNumberId: ours.phoneNumberId, from: "15550000003", at: new Date(Date.now() - hours(24.1)) });
    expect((await post(sendPath, to("15550000002"))).status).toBe(200);
    expect(await post(sendPath, to("15550000003"))).toEqual(reEngagement);
    // An older message recorded later does not move the window back.
    graph.recordInbound({ phoneNumberId: ours.phoneNumberId, from: "15550000002", at: new Date(Date.now() - hours(30)) });
    expect((await post(sendPath, to("15550000002"))).status).toBe(200);
    // The same customer wrote to our number, not to theirs.
    graph.recordInbound({ phoneNumberId: ours.phoneNumberId, from: "15550000004" });
    expect(await post(`/v25.0/${theirs.phoneNumberId}/messages`, to("15550000004"), "their-token-0123456789")).toEqual(reEngagement);
  });

  it("our own messages, templates included, open no window", async () => {
    graph.registerTemplate(ours.wabaId, { name: "hello_world", language: "en_US", body: "Hello World" });
    const template = { messaging_product: "whatsapp", to: "15550000005", type: "template", template: { name: "hello_world", language: { code: "en_US" } } };
    expect((await post(sendPath, template)).status).toBe(200);
    expect(await post(sendPath, to("15550000005"))).toEqual(reEngagement);
  });

  describe("learned from the inbound webhooks the fake delivers", () => {
    let receiver: Server;
    let receiverUrl: string;
    beforeAll(async () => {
      receiver = createServer((_request, response) => response.end("ok"));
      await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
      receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
    });
    afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
    const inbound = (from: string, at: number) =>
      inboundTextWebhook({ phoneNumberId: ours.phoneNumberId, from: { phone: from }, body: "Hi", timestamp: Math.floor(at / 1000) });

    it("a message sent now opens it; one sent 25 h ago (delivered late, as Meta retries) does not", async () => {
      expect((await graph.deliverWebhook(receiverUrl, "secret", inbound("15550000006", Date.now()))).status).toBe(200);
      expect((await post(sendPath, to("15550000006"))).status).toBe(200);
      await graph.deliverWebhook(receiverUrl, "secret", JSON.stringify(inbound("15550000007", Date.now() - hours(25))));
      expect(await post(sendPath, to("15550000007"))).toEqual(reEngagement);
    });

    it("a status webhook opens nothing", async () => {
      await graph.deliverWebhook(
        receiverUrl,
        "secret",
        statusWebhook({ phoneNumberId: ours.phoneNumberId, wamid: "wamid.x", status: "read", recipient: { phone: "15550000008" } }),
      );
      expect(await post(sendPath, to("15550000008"))).toEqual(reEngagement);
    });
  });

  it("a fake started with serviceWindow: ignored sends free-form to anyone (a test's explicit choice)", async () => {
    const lenient = await startFakeGraphApi({ serviceWindow: "ignored" });
    try {
      lenient.registerPhoneNumber(ours);
      const response = await fetch(`${lenient.url}${sendPath}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${lenient.accessToken}` },
        body: JSON.stringify(to("15550000009")),
      });
      expect(response.status).toBe(200);
    } finally {
      await lenient.close();
    }
  });
});

describe("status webhooks carry pricing only where Meta sends it (Meta: Status messages webhook reference)", () => {
  const statusOf = (status: string, extra: Partial<Parameters<typeof statusWebhook>[0]> = {}) => {
    const payload = statusWebhook({ phoneNumberId: ours.phoneNumberId, wamid: "wamid.x", status, recipient: { phone: "15551234567" }, ...extra });
    const value = payload.entry[0]?.changes[0]?.value as { statuses: Record<string, unknown>[] } | undefined;
    return value?.statuses[0];
  };

  it("with sent and delivered; not with read after delivered, nor failed; never a conversation object (v24.0+)", () => {
    const pricing = { pricing_model: "PMP", category: "service", type: "free_customer_service" };
    expect(statusOf("sent")).toMatchObject({ pricing });
    expect(statusOf("delivered")).toMatchObject({ pricing });
    expect(statusOf("read")).not.toHaveProperty("pricing");
    expect(statusOf("read", { readWithoutDelivered: true })).toMatchObject({ pricing });
    expect(statusOf("failed", { errors: [{ code: 131026, title: "Message undeliverable" }] })).not.toHaveProperty("pricing");
    for (const status of ["sent", "delivered", "read", "failed"]) expect(statusOf(status)).not.toHaveProperty("conversation");
    expect(statusOf("sent", { pricing: { category: "utility", type: "regular" } })).toMatchObject({
      pricing: { pricing_model: "PMP", category: "utility", type: "regular" },
    });
  });
});
