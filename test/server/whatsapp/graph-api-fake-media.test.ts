import { type FakeGraphApi, startFakeGraphApi } from "../../fakes/graph-api";

// The fake's media contract (test/fakes/graph-api-media.ts cites Meta's pages): uploads and media
// messages are refused where Meta refuses them, so the client and the sender are held to it.
let graph: FakeGraphApi;
const ours = { wabaId: "102290129340555", phoneNumberId: "106540352249999", displayPhoneNumber: "+1 555-078-3999" };
const theirs = { wabaId: "209876543210555", phoneNumberId: "306540352249999", displayPhoneNumber: "+44 20 7946 0999", accessTokens: ["their-token-55"] };
const customer = "15551234567";
beforeAll(async () => {
  graph = await startFakeGraphApi();
  graph.registerPhoneNumber(ours);
  graph.registerPhoneNumber(theirs);
  graph.recordInbound({ phoneNumberId: ours.phoneNumberId, from: customer, at: new Date(Date.now() - 60_000) });
});
afterAll(() => graph.close());
beforeEach(() => graph.reset());

function uploadForm(fields: { file?: Blob & { name?: string }; type?: string; messaging_product?: string }) {
  const form = new FormData();
  if (fields.messaging_product !== undefined) form.set("messaging_product", fields.messaging_product);
  if (fields.type !== undefined) form.set("type", fields.type);
  if (fields.file) form.set("file", fields.file, fields.file.name ?? "file");
  return form;
}

async function upload(form: FormData, phoneNumberId = ours.phoneNumberId, token = graph.accessToken) {
  const response = await fetch(`${graph.url}/v25.0/${phoneNumberId}/media`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
  return { status: response.status, body: await response.json() };
}

async function send(body: unknown) {
  const response = await fetch(`${graph.url}/v25.0/${ours.phoneNumberId}/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${graph.accessToken}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const pdfFile = () => new File([new TextEncoder().encode("%PDF-1.4 ...")], "invoice.pdf", { type: "application/pdf" });
const uploadedPdf = async () => (await upload(uploadForm({ file: pdfFile(), type: "application/pdf", messaging_product: "whatsapp" }))).body.id as string;
const message = (type: string, media: Record<string, unknown>) => ({ messaging_product: "whatsapp", to: customer, type, [type]: media });

describe("POST /{phone-number-id}/media", () => {
  it("takes a multipart upload and answers {id}", async () => {
    const answer = await upload(uploadForm({ file: pdfFile(), type: "application/pdf", messaging_product: "whatsapp" }));
    expect(answer).toEqual({ status: 200, body: { id: expect.stringMatching(/^\d+$/) } });
    expect(graph.uploads).toEqual([
      { id: answer.body.id, phoneNumberId: ours.phoneNumberId, mimeType: "application/pdf", fileName: "invoice.pdf", data: Buffer.from("%PDF-1.4 ...") },
    ]);
  });

  it.each([
    ["without messaging_product", { file: pdfFile(), type: "application/pdf" }, 100, /messaging_product is required/],
    ["without type", { file: pdfFile(), messaging_product: "whatsapp" }, 100, /type is required/],
    ["without a file", { type: "application/pdf", messaging_product: "whatsapp" }, 100, /file is required/],
    [
      "a GIF (not a type Meta holds)",
      { file: new File([new Uint8Array(10)], "a.gif", { type: "image/gif" }), type: "image/gif", messaging_product: "whatsapp" },
      100,
      /Param file must be a file with one of the following types: .*Received file of type 'image\/gif'/,
    ],
    [
      "a PNG over 5 MB",
      { file: new File([new Uint8Array(5 * 1024 * 1024 + 1)], "big.png", { type: "image/png" }), type: "image/png", messaging_product: "whatsapp" },
      131053,
      /too big/,
    ],
  ])("refuses an upload %s (code %s)", async (_case, fields, code, text) => {
    const answer = await upload(uploadForm(fields));
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe(code);
    expect(`${answer.body.error.message} ${answer.body.error.error_data?.details ?? ""}`).toMatch(text);
    expect(graph.uploads).toEqual([]);
  });

  it("refuses a JSON body and a number the token may not manage", async () => {
    const json = await fetch(`${graph.url}/v25.0/${ours.phoneNumberId}/media`, {
      method: "POST",
      headers: { authorization: `Bearer ${graph.accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({ messaging_product: "whatsapp" }),
    });
    expect((await json.json()).error.code).toBe(100);
    const foreign = await upload(uploadForm({ file: pdfFile(), type: "application/pdf", messaging_product: "whatsapp" }), theirs.phoneNumberId);
    expect(foreign.body.error).toMatchObject({ code: 100, error_subcode: 33 });
  });
});

describe("media messages", () => {
  it("sends a document by an uploaded id with caption and filename", async () => {
    const id = await uploadedPdf();
    const answer = await send(message("document", { id, caption: "Your invoice", filename: "invoice.pdf" }));
    expect(answer.status).toBe(200);
    expect(graph.sentMessages.map((sent) => sent.body)).toEqual([message("document", { id, caption: "Your invoice", filename: "invoice.pdf" })]);
  });

  it("sends an image by link", async () => {
    expect((await send(message("image", { link: "https://cdn.example.test/blue.jpg", caption: "Blue" }))).status).toBe(200);
  });

  it.each([
    ["neither id nor link", "image", {}],
    ["both id and link", "image", { id: "ID", link: "https://cdn.example.test/a.jpg" }],
    ["a caption on audio", "audio", { id: "ID", caption: "listen" }],
    ["a caption on a sticker", "sticker", { id: "ID", caption: "hi" }],
    ["a filename on an image", "image", { id: "ID", filename: "a.jpg" }],
    ["a filename on a video", "video", { id: "ID", filename: "a.mp4" }],
    ["an id never uploaded", "document", { id: "999999" }],
  ])("refuses %s with 100", async (_case, type, media) => {
    const id = await uploadedPdf();
    const resolved = Object.fromEntries(Object.entries(media).map(([key, value]) => [key, value === "ID" ? id : value]));
    const answer = await send(message(type, resolved));
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe(100);
    expect(graph.sentMessages).toEqual([]);
  });

  it("an id uploaded to another business's number is not ours to send", async () => {
    const form = uploadForm({ file: pdfFile(), type: "application/pdf", messaging_product: "whatsapp" });
    const theirUpload = await upload(form, theirs.phoneNumberId, "their-token-55");
    expect(theirUpload.status).toBe(200);
    const answer = await send(message("document", { id: theirUpload.body.id }));
    expect(answer.body.error).toMatchObject({ code: 100, message: "(#100) Param document['id'] is not a valid whatsapp business account media attachment ID" });
  });
});
