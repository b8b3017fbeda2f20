import { existsSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { eq } from "drizzle-orm";
import { messageMedia } from "../../../server/db/schema";
import { type LocalS3, startLocalS3 } from "../../support/s3-server";
import { startTestServer, type TestServer } from "../../support/server";
import { insertTeamDirectly, type Team } from "../../support/team";

// With MEDIA_STORAGE=s3 a workspace's files live in the bucket, never on the server's disk: the
// customer's file and the member's are objects under S3_PREFIX, their signed links serve them
// back from there, and deleting the workspace deletes its objects (and no other workspace's).
const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(4096, 9), Buffer.from([0xff, 0xd9])]);
const pngSignature = "89504e470d0a1a0a";
const prefix = "switchboard-test/";

let s3: LocalS3;
let server: TestServer;
let bucket: S3Client;
let dataDir: string;
beforeAll(async () => {
  s3 = await startLocalS3();
  dataDir = path.resolve(".test-tmp", `s3-round-trip-${process.pid}`);
  server = await startTestServer({ ...s3.env({ S3_PREFIX: prefix }), DATA_DIR: dataDir });
  bucket = new S3Client({
    region: "us-east-1",
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
});
afterAll(async () => {
  await server?.close();
  await s3?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function objectKeys(): Promise<string[]> {
  const listed = await bucket.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
  return (listed.Contents ?? []).map((object) => object.Key as string).sort();
}

const storageKeyOf = async (messageId: string) =>
  (await server.database.db.select().from(messageMedia).where(eq(messageMedia.messageId, messageId)))[0]?.storageKey as string;

/** A sandbox line whose customer sends the sandbox's sample photo: the chat and the photo's message id. */
async function customerSendsPhoto(team: Team) {
  const phoneNumber = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
  const line = await server.api("POST", "/whatsapp-accounts", { token: team.owner.token, body: { provider: "sandbox", phoneNumber, displayName: "Line" } });
  expect(line.status).toBe(201);
  const sent = await server.api("POST", `/whatsapp-accounts/${line.body.account.id}/sandbox/inbound`, {
    token: team.owner.token,
    body: { from: "+14155550123", media: "photo" },
  });
  expect(sent.status).toBe(201);
  return { chatId: sent.body.chatId as string, messageId: sent.body.messageId as string };
}

/** The member sends a photo as the composer does (raw bytes, its type). */
async function memberSendsPhoto(chatId: string, token: string) {
  const response = await fetch(`${server.url}/api/v1/chats/${chatId}/media?fileName=shelf.jpg`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "image/jpeg" },
    body: new Uint8Array(jpeg),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { message: { id: string } }).message.id;
}

/** The file behind a message, through the link a member gets. */
async function download(chatId: string, messageId: string, token: string) {
  const link = await server.api("GET", `/chats/${chatId}/messages/${messageId}/media`, { token });
  expect(link.status).toBe(200);
  const response = await fetch(`${server.url}/api/v1${link.body.url}`);
  expect(response.status).toBe(200);
  return { type: response.headers.get("content-type"), bytes: Buffer.from(await response.arrayBuffer()) };
}

it("a workspace's files are stored in S3, come back through their signed links, and go when the workspace is deleted", async () => {
  const team = await insertTeamDirectly(server.database.db);
  const otherTeam = await insertTeamDirectly(server.database.db);
  const received = await customerSendsPhoto(team);
  const sentId = await memberSendsPhoto(received.chatId, team.owner.token);
  const otherReceived = await customerSendsPhoto(otherTeam);

  const keys = [await storageKeyOf(received.messageId), await storageKeyOf(sentId), await storageKeyOf(otherReceived.messageId)];
  expect(await objectKeys()).toEqual(keys.map((key) => `${prefix}${key}`).sort());
  expect(existsSync(path.join(dataDir, "media")) ? readdirSync(path.join(dataDir, "media")) : []).toEqual([]);

  const photo = await download(received.chatId, received.messageId, team.owner.token);
  expect(photo.type).toBe("image/png");
  expect(photo.bytes.subarray(0, 8).toString("hex")).toBe(pngSignature);
  const sent = await download(received.chatId, sentId, team.owner.token);
  expect(sent.type).toBe("image/jpeg");
  expect(sent.bytes.equals(jpeg)).toBe(true);

  const deleted = await server.api("DELETE", "/workspace", { token: team.owner.token, body: { confirm: team.workspace.name } });
  expect(deleted.status).toBe(204);
  expect(await objectKeys()).toEqual([`${prefix}${keys[2]}`]);
  expect((await download(otherReceived.chatId, otherReceived.messageId, otherTeam.owner.token)).bytes.subarray(0, 8).toString("hex")).toBe(pngSignature);
});
