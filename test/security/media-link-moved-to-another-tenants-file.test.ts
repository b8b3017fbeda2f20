import { startTestServer, type TestServer } from "../support/server";
import { insertTeamDirectly, type Team } from "../support/team";

// A file's link carries its own credential (img and audio tags send no bearer token). An attacker
// holds links to files in their own workspace, and learns the victim's workspace and message ids
// (a shared screenshot, a log, a CRM note). Moving their signature onto the victim's ids, or
// stretching its expiry, must open nothing; the victim's own link keeps working.

let server: TestServer;
let victim: Team;
let attacker: Team;
beforeAll(async () => {
  server = await startTestServer();
  victim = await insertTeamDirectly(server.database.db);
  attacker = await insertTeamDirectly(server.database.db);
});
afterAll(() => server.close());

/** A sandbox customer sends the sample PDF to the team's own line; answers its message's ids and link. */
async function fileIn(team: Team) {
  const phoneNumber = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
  const line = await server.api("POST", "/whatsapp-accounts", { token: team.owner.token, body: { provider: "sandbox", phoneNumber, displayName: "Line" } });
  const sent = await server.api("POST", `/whatsapp-accounts/${line.body.account.id}/sandbox/inbound`, {
    token: team.owner.token,
    body: { from: "+14155550100", media: "pdf" },
  });
  const history = (await server.api("GET", `/chats/${sent.body.chatId}/messages`, { token: team.owner.token })).body.data;
  const url = history.find((message: { id: string }) => message.id === sent.body.messageId).media.url as string;
  return { workspaceId: team.workspace.id, chatId: sent.body.chatId as string, messageId: sent.body.messageId as string, url };
}

const open = (url: string) => fetch(`${server.url}/api/v1${url}`);
const queryOf = (url: string) => url.slice(url.indexOf("?"));

describe("an attacker's media link moved onto another tenant's file", () => {
  it("opens nothing, however it is rearranged, and the victim's link still works", async () => {
    const theirs = await fileIn(victim);
    const mine = await fileIn(attacker);
    const later = queryOf(mine.url).replace(/expires=(\d+)/, (_, expires) => `expires=${Number(expires) + 3600}`);
    const attempts = [
      `/media/${theirs.workspaceId}/${theirs.messageId}${queryOf(mine.url)}`,
      `/media/${mine.workspaceId}/${theirs.messageId}${queryOf(mine.url)}`,
      `/media/${theirs.workspaceId}/${mine.messageId}${queryOf(mine.url)}`,
      `/media/${theirs.workspaceId}/${theirs.messageId}${later}`,
      `/media/${theirs.workspaceId}/${theirs.messageId}?expires=9999999999&signature=`,
    ];
    for (const attempt of attempts) {
      const response = await open(attempt);
      // Every refusal is the same 404, saying nothing of whether the file exists.
      expect([attempt, response.status, await response.json()]).toEqual([
        attempt,
        404,
        expect.objectContaining({ code: "not_found", detail: "The file does not exist or you cannot see it." }),
      ]);
    }
    // With a bearer token of their own, the gated route is no way in either.
    const gated = await server.api("GET", `/chats/${theirs.chatId}/messages/${theirs.messageId}/media`, { token: attacker.owner.token });
    expect(gated.status).toBe(404);
    const own = await open(theirs.url);
    expect([own.status, own.headers.get("content-type")]).toEqual([200, "application/pdf"]);
  });
});
