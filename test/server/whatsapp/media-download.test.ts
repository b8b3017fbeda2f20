import { createHash } from "node:crypto";
import { CloudApiError, createCloudClient } from "../../../server/whatsapp/cloud-client";
import { type FakeGraphApi, startFakeGraphApi } from "../../fakes/graph-api";

let graph: FakeGraphApi;
let clock = Date.parse("2026-12-05T12:00:00Z");
const sender = { wabaId: "102290129340398", phoneNumberId: "106540352242922", displayPhoneNumber: "+1 555-078-3881" };
const other = { wabaId: "200000000000001", phoneNumberId: "200000000000002", displayPhoneNumber: "+1 555-000-0002", accessTokens: ["other-waba-token"] };
const photo = Buffer.from("\xff\xd8\xff\xe0 a jpeg of a damaged parcel", "latin1");

beforeAll(async () => {
  graph = await startFakeGraphApi({ now: () => clock });
  graph.addAccessToken("other-waba-token");
  graph.registerPhoneNumber(sender);
  graph.registerPhoneNumber(other);
});
afterAll(() => graph.close());

const client = () => createCloudClient({ baseUrl: graph.url, apiVersion: "v25.0", timeoutMs: 5_000 });

describe("inbound media through the Cloud API (GET /{media-id}, then the url with the bearer)", () => {
  it("finds the short-lived url and downloads the file with the account's token", async () => {
    const mediaId = graph.registerMedia({ phoneNumberId: sender.phoneNumberId, mimeType: "image/jpeg", data: photo });
    const media = await client().getMedia({ mediaId, accessToken: graph.accessToken });
    expect(media).toMatchObject({ id: mediaId, mimeType: "image/jpeg", fileSize: photo.length, sha256: createHash("sha256").update(photo).digest("hex") });
    const bytes = await client().downloadMedia({ url: media.url, accessToken: graph.accessToken, maxBytes: 5 * 1024 * 1024 });
    expect(bytes.equals(photo)).toBe(true);
  });

  it("answers a media id only to a token of the number's WABA", async () => {
    const mediaId = graph.registerMedia({ phoneNumberId: sender.phoneNumberId, mimeType: "image/jpeg", data: photo });
    const error = await client()
      .getMedia({ mediaId, accessToken: "other-waba-token" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CloudApiError);
  });

  it("refuses the download without the bearer token and once the url has expired", async () => {
    const mediaId = graph.registerMedia({ phoneNumberId: sender.phoneNumberId, mimeType: "application/pdf", data: Buffer.from("%PDF-1.7") });
    const { url } = await client().getMedia({ mediaId, accessToken: graph.accessToken });
    expect((await fetch(url)).status).toBe(401);
    clock += 6 * 60 * 1000;
    const expired = await client()
      .downloadMedia({ url, accessToken: graph.accessToken, maxBytes: 1024 })
      .catch((caught: unknown) => caught);
    expect(expired).toBeInstanceOf(CloudApiError);
    expect((expired as CloudApiError).httpStatus).toBe(404);
    // A fresh GET /{media-id} gives a new url that works.
    const fresh = await client().getMedia({ mediaId, accessToken: graph.accessToken });
    expect((await client().downloadMedia({ url: fresh.url, accessToken: graph.accessToken, maxBytes: 1024 })).toString()).toBe("%PDF-1.7");
  });

  it("stops reading a file larger than the limit and never sends the token to a foreign host", async () => {
    const mediaId = graph.registerMedia({ phoneNumberId: sender.phoneNumberId, mimeType: "video/mp4", data: Buffer.alloc(4096, 1) });
    const { url } = await client().getMedia({ mediaId, accessToken: graph.accessToken });
    await expect(client().downloadMedia({ url, accessToken: graph.accessToken, maxBytes: 1024 })).rejects.toThrow(/larger than 1024 bytes/);
    await expect(client().downloadMedia({ url: "https://attacker.example/x", accessToken: graph.accessToken, maxBytes: 1024 })).rejects.toThrow(
      /not a Meta media URL/,
    );
  });
});
