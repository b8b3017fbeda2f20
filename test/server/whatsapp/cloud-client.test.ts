import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { cloudApiErrorFromGraph } from "../../../server/whatsapp/cloud-api-error";
import { CloudApiError, type CloudApiErrorKind, createCloudClient } from "../../../server/whatsapp/cloud-client";
import { type FakeGraphApi, type GraphFailure, startFakeGraphApi } from "../../fakes/graph-api";

let graph: FakeGraphApi;
// Meta's side of the sends below: our number in our WABA with its two templates, and the
// customers the free-form cases write to have written in the last 24 hours.
const sender = { wabaId: "102290129340398", phoneNumberId: "106540352242922", displayPhoneNumber: "+1 555-078-3881" };
beforeAll(async () => {
  graph = await startFakeGraphApi();
  graph.registerPhoneNumber(sender);
  graph.registerTemplate(sender.wabaId, { name: "order_update_v1", language: "en_US", body: "Hi {{1}}, your order {{2}} has shipped." });
  graph.registerTemplate(sender.wabaId, { name: "hello_world", language: "en_US", body: "Hello World" });
  for (const customer of ["15551234567", "15550001111", "15552223333"]) graph.recordInbound({ phoneNumberId: sender.phoneNumberId, from: customer });
});
afterAll(() => graph.close());
beforeEach(() => graph.reset());

const client = () => createCloudClient({ baseUrl: graph.url, apiVersion: "v25.0", timeoutMs: 5_000 });
const textTo = (to: string) => ({ phoneNumberId: "106540352242922", accessToken: graph.accessToken, to, body: "Hello!" });

async function failureOf(promise: Promise<unknown>): Promise<CloudApiError> {
  const error = await promise.then(
    () => null,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(CloudApiError);
  return error as CloudApiError;
}

describe("sendText", () => {
  it("posts a text message with the bearer token and returns the wamid", async () => {
    const accepted = await client().sendText({ ...textTo("+15551234567"), callbackData: "msg_1" });
    expect(accepted).toEqual({ wamid: expect.stringMatching(/^wamid\./), recipientWaId: "15551234567" });
    expect(graph.requests).toEqual([
      {
        method: "POST",
        path: "/v25.0/106540352242922/messages",
        query: {},
        authorization: `Bearer ${graph.accessToken}`,
        body: {
          messaging_product: "whatsapp",
          recipient_type: "individual",
          to: "15551234567",
          type: "text",
          text: { preview_url: false, body: "Hello!" },
          biz_opaque_callback_data: "msg_1",
        },
      },
    ]);
    expect(graph.sentMessages.map((message) => message.wamid)).toEqual([accepted.wamid]);
  });

  it("quotes the message it replies to", async () => {
    await client().sendText({ ...textTo("15551234567"), replyToWamid: "wamid.original" });
    expect(graph.sentMessages[0]?.body).toMatchObject({ context: { message_id: "wamid.original" } });
  });

  it("refuses a recipient that is not a phone number or an empty body before calling the API", async () => {
    await expect(client().sendText(textTo("BR.1502576394655843"))).rejects.toThrow(RangeError);
    await expect(client().sendText({ ...textTo("15551234567"), body: "  " })).rejects.toThrow(RangeError);
    expect(graph.requests).toEqual([]);
  });
});

describe("sendTemplate", () => {
  it("sends name, language and positional body parameters", async () => {
    const accepted = await client().sendTemplate({
      phoneNumberId: "106540352242922",
      accessToken: graph.accessToken,
      to: "+15551234567",
      templateName: "order_update_v1",
      languageCode: "en_US",
      bodyParameters: ["Ana", "#12345"],
    });
    expect(accepted.wamid).toMatch(/^wamid\./);
    expect(graph.sentMessages[0]?.body).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: "15551234567",
      type: "template",
      template: {
        name: "order_update_v1",
        language: { code: "en_US" },
        components: [
          {
            type: "body",
            parameters: [
              { type: "text", text: "Ana" },
              { type: "text", text: "#12345" },
            ],
          },
        ],
      },
    });
  });

  it("omits components for a template without parameters (hello_world)", async () => {
    await client().sendTemplate({
      phoneNumberId: "106540352242922",
      accessToken: graph.accessToken,
      to: "15551234567",
      templateName: "hello_world",
      languageCode: "en_US",
    });
    expect(graph.sentMessages[0]?.body).toMatchObject({ template: { name: "hello_world", language: { code: "en_US" } } });
    expect(graph.sentMessages[0]?.body).not.toHaveProperty("template.components");
  });

  it("a template Meta doesn't have in that language is Meta's 132001 (HTTP 404), not retryable, with Meta's details", async () => {
    const error = await failureOf(
      client().sendTemplate({
        phoneNumberId: sender.phoneNumberId,
        accessToken: graph.accessToken,
        to: "15551234567",
        templateName: "hello_world",
        languageCode: "pt_BR",
      }),
    );
    expect([error.kind, error.code, error.httpStatus, error.retryable, error.details]).toEqual([
      "other",
      132001,
      404,
      false,
      "template name (hello_world) does not exist in pt_BR",
    ]);
    expect(graph.sentMessages).toEqual([]);
  });
});

describe("listTemplates", () => {
  const templates = Array.from({ length: 3 }, (_, index) => ({
    id: `tmpl_${index}`,
    name: `reminder_${index}`,
    language: "en_US",
    status: index === 2 ? "PENDING" : "APPROVED",
    category: "UTILITY",
    parameter_format: "POSITIONAL",
    components: [
      { type: "HEADER", format: "TEXT", text: "Reminder" },
      { type: "BODY", text: `Hi {{1}}, reminder ${index}` },
    ],
  }));

  it("follows paging.next across pages and asks for the fields it reads", async () => {
    graph.setTemplates("waba_1", templates);
    const listed = await client().listTemplates({ wabaId: "waba_1", accessToken: graph.accessToken, pageSize: 2 });
    expect(listed).toEqual(
      templates.map(({ id, name, language, status, category }, index) => ({
        id,
        name,
        language,
        status,
        category,
        bodyText: `Hi {{1}}, reminder ${index}`,
      })),
    );
    expect(graph.requests.map((request) => [request.method, request.path, request.query.limit, request.authorization])).toEqual([
      ["GET", "/v25.0/waba_1/message_templates", "2", `Bearer ${graph.accessToken}`],
      ["GET", "/v25.0/waba_1/message_templates", "2", `Bearer ${graph.accessToken}`],
    ]);
    expect(graph.requests[0]?.query.after).toBeUndefined();
    expect(graph.requests[1]?.query.after).toEqual(expect.any(String));
  });

  it("does not send the token to a paging.next outside the Graph API", async () => {
    const leaked: string[] = [];
    const foreign = createServer((request, response) => {
      leaked.push(request.headers.authorization ?? "");
      response.end("{}");
    });
    await new Promise<void>((resolve) => foreign.listen(0, "127.0.0.1", resolve));
    const foreignUrl = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}/v25.0/waba_1/message_templates`;
    const graphLike = createServer((_request, response) => {
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ data: [], paging: { next: foreignUrl } }));
    });
    await new Promise<void>((resolve) => graphLike.listen(0, "127.0.0.1", resolve));
    try {
      const baseUrl = `http://127.0.0.1:${(graphLike.address() as AddressInfo).port}`;
      const error = await failureOf(createCloudClient({ baseUrl }).listTemplates({ wabaId: "waba_1", accessToken: "secret" }));
      expect([error.kind, error.retryable, error.message]).toEqual(["other", false, expect.stringContaining("paging.next")]);
      expect(leaked).toEqual([]);
    } finally {
      graphLike.close();
      foreign.close();
    }
  });

  it("maps an unknown WABA to a non-retryable error", async () => {
    const error = await failureOf(client().listTemplates({ wabaId: "nope", accessToken: graph.accessToken }));
    expect({ kind: error.kind, code: error.code, subcode: error.subcode, retryable: error.retryable }).toEqual({
      kind: "other",
      code: 100,
      subcode: 33,
      retryable: false,
    });
  });
});

describe("checking a number at Meta (getPhoneNumber, listSubscribedApps, listPhoneNumberIds)", () => {
  const number = { wabaId: "802290129340398", phoneNumberId: "806540352240001", displayPhoneNumber: "+1 555-080-0001", verifiedName: "Jasper's Market" };
  beforeAll(() => graph.registerPhoneNumber(number));

  it("reads the number, the WABA's subscribed apps and its numbers with the bearer token", async () => {
    const cloud = client();
    expect(await cloud.getPhoneNumber({ phoneNumberId: number.phoneNumberId, accessToken: graph.accessToken })).toEqual({
      id: number.phoneNumberId,
      displayPhoneNumber: "+1 555-080-0001",
      verifiedName: "Jasper's Market",
    });
    expect(await cloud.listSubscribedApps({ wabaId: number.wabaId, accessToken: graph.accessToken })).toEqual([
      { id: expect.any(String), name: expect.any(String) },
    ]);
    expect(await cloud.listPhoneNumberIds({ wabaId: number.wabaId, accessToken: graph.accessToken })).toEqual([number.phoneNumberId]);
    expect(graph.requests.map((request) => [request.path, request.query.fields ?? null, request.authorization])).toEqual([
      [`/v25.0/${number.phoneNumberId}`, "id,display_phone_number,verified_name", `Bearer ${graph.accessToken}`],
      [`/v25.0/${number.wabaId}/subscribed_apps`, null, `Bearer ${graph.accessToken}`],
      [`/v25.0/${number.wabaId}/phone_numbers`, "id", `Bearer ${graph.accessToken}`],
    ]);
  });

  it("an object the token cannot reach is a non-retryable error with Meta's 100/33", async () => {
    graph.addAccessToken("a-token-with-no-assets");
    const error = await failureOf(client().getPhoneNumber({ phoneNumberId: number.phoneNumberId, accessToken: "a-token-with-no-assets" }));
    expect([error.kind, error.code, error.subcode, error.httpStatus, error.retryable]).toEqual(["other", 100, 33, 400, false]);
    const waba = await failureOf(client().listPhoneNumberIds({ wabaId: number.wabaId, accessToken: "a-token-with-no-assets" }));
    expect([waba.code, waba.subcode]).toEqual([100, 33]);
  });
});

describe("error mapping", () => {
  describe.each<{ failure: GraphFailure; kind: CloudApiErrorKind; retryable: boolean; retryAfterMs: number | null }>([
    { failure: { code: 130429 }, kind: "rate_limited", retryable: true, retryAfterMs: null },
    { failure: { code: 130429, httpStatus: 429, retryAfterSeconds: 30 }, kind: "rate_limited", retryable: true, retryAfterMs: 30_000 },
    { failure: { code: 131056 }, kind: "pair_rate_limited", retryable: true, retryAfterMs: 6_000 },
    { failure: { code: 131056, retryAfterSeconds: 9 }, kind: "pair_rate_limited", retryable: true, retryAfterMs: 9_000 },
    { failure: { code: 131047 }, kind: "outside_window", retryable: false, retryAfterMs: null },
    { failure: { code: 131026 }, kind: "undeliverable", retryable: false, retryAfterMs: null },
    { failure: { code: 190 }, kind: "token_invalid", retryable: false, retryAfterMs: null },
    { failure: { code: 100 }, kind: "other", retryable: false, retryAfterMs: null },
    { failure: { code: 131048 }, kind: "other", retryable: false, retryAfterMs: null },
    { failure: { code: 131000 }, kind: "other", retryable: true, retryAfterMs: null },
    { failure: { code: 2, httpStatus: 503 }, kind: "other", retryable: true, retryAfterMs: null },
    { failure: { code: 1, httpStatus: 400 }, kind: "other", retryable: true, retryAfterMs: null },
  ])("code $failure.code (HTTP $failure.httpStatus)", ({ failure, kind, retryable, retryAfterMs }) => {
    it(`is ${kind}, retryable ${retryable}`, async () => {
      graph.failNext(failure);
      const error = await failureOf(client().sendText(textTo("15551234567")));
      expect({ kind: error.kind, code: error.code, retryable: error.retryable, retryAfterMs: error.retryAfterMs }).toEqual({
        kind,
        code: failure.code,
        retryable,
        retryAfterMs,
      });
    });
  });

  it("keeps Meta's message, subcode, HTTP status and error_data.details", async () => {
    graph.failFor("+15550001111", { code: 131047 });
    const error = await failureOf(client().sendText(textTo("15550001111")));
    expect({ ...error, message: error.message }).toEqual({
      name: "CloudApiError",
      kind: "outside_window",
      message: "(#131047) Re-engagement message",
      code: 131047,
      subcode: null,
      httpStatus: 400,
      details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
      retryable: false,
      retryAfterMs: null,
      fbtraceId: expect.any(String),
    });
    // failFor is per recipient: another customer still gets through.
    await expect(client().sendText(textTo("15552223333"))).resolves.toMatchObject({ recipientWaId: "15552223333" });
  });

  it("reads an HTTP-date Retry-After", async () => {
    const inTwoMinutes = new Date(Date.now() + 120_000).toUTCString();
    graph.failNext({ code: 130429, retryAfterSeconds: 0 });
    const error = await failureOf(client().sendText(textTo("15551234567")));
    expect(error.retryAfterMs).toBe(0);
    const dated = cloudApiErrorFromGraph(429, { code: 130429 }, inTwoMinutes);
    expect(dated.retryAfterMs).toBeGreaterThan(100_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it("reports an expired token as token_invalid on every later call, HTTP 401", async () => {
    graph.expireToken();
    const send = await failureOf(client().sendText(textTo("15551234567")));
    const list = await failureOf(client().listTemplates({ wabaId: "waba_1", accessToken: graph.accessToken }));
    expect([send.kind, send.httpStatus, send.subcode, list.kind]).toEqual(["token_invalid", 401, 463, "token_invalid"]);
  });

  it("treats a wrong token as token_invalid", async () => {
    const error = await failureOf(client().sendText({ ...textTo("15551234567"), accessToken: "not-the-token" }));
    expect([error.kind, error.code, error.httpStatus]).toEqual(["token_invalid", 190, 401]);
  });

  it("treats a dropped connection as a retryable network error with no code", async () => {
    graph.failNext({ dropConnection: true });
    const error = await failureOf(client().sendText(textTo("15551234567")));
    expect({ kind: error.kind, code: error.code, httpStatus: error.httpStatus, retryable: error.retryable }).toEqual({
      kind: "other",
      code: null,
      httpStatus: null,
      retryable: true,
    });
  });

  it("treats an unreachable host as a retryable network error", async () => {
    const closed = await startFakeGraphApi();
    await closed.close();
    const error = await failureOf(createCloudClient({ baseUrl: closed.url }).sendText(textTo("15551234567")));
    expect([error.kind, error.retryable, error.message]).toEqual(["other", true, expect.stringMatching(/^Graph API unreachable/)]);
  });
});
