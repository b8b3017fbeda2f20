import type { AddressInfo } from "node:net";
import { startServices, stopServices } from "../../../server/boot";
import { openDatabase } from "../../../server/db/client";
import { createApp } from "../../../server/http/app";
import { insertMemberDirectly } from "../../support/factories";
import { startTestServer, type TestServer, testConfig } from "../../support/server";
import { eventually, openEventStream } from "../../support/sse";
import { insertTeamDirectly, type Team } from "../../support/team";

let server: TestServer;
let team: Team;
let accountId: string;
beforeAll(async () => {
  server = await startTestServer();
});
beforeEach(async () => {
  team = await insertTeamDirectly(server.database.db);
  accountId = (await server.api("POST", "/whatsapp-accounts", { token: team.agent.token, body: { provider: "sandbox", phoneNumber: "+15550103000" } })).body
    .account.id;
});
afterAll(() => server.close());

const inbound = (text: string, from = "+15550199999") =>
  server.api("POST", `/whatsapp-accounts/${accountId}/sandbox/inbound`, { token: team.owner.token, body: { from, text } });

describe("live updates", () => {
  it("reach exactly the members who may see the chat", async () => {
    const streams = {
      owner: await openEventStream(`${server.url}/api/v1/events`, team.owner.token),
      teammate: await openEventStream(`${server.url}/api/v1/events`, team.teammate.token),
      agent: await openEventStream(`${server.url}/api/v1/events`, team.agent.token),
      collaborator: await openEventStream(`${server.url}/api/v1/events`, team.collaborator.token),
    };
    const created = await inbound("Is anyone there?");
    await eventually(() => {
      for (const name of ["owner", "teammate", "agent"] as const) {
        expect(streams[name].events.map((event) => [event.type, event.data.message?.text])).toContainEqual(["message.created", "Is anyone there?"]);
      }
    });
    expect(streams.agent.events[0]?.data.chat).toMatchObject({ id: created.body.chatId, abilities: { reply: true, assign: true } });

    await server.api("PUT", `/chats/${created.body.chatId}/responsible`, { token: team.agent.token, body: { memberId: team.collaborator.id } });
    await inbound("Hello again?");
    await eventually(() => expect(streams.collaborator.events.map((event) => event.type)).toEqual(["chat.assigned", "message.created"]));
    // Before the assignment the collaborator saw nothing of this chat.
    expect(streams.collaborator.events[1]?.data.message.text).toBe("Hello again?");
    for (const stream of Object.values(streams)) await stream.close();
  });

  it("a member who loses a chat (unassigned or reassigned) hears only that it left their view", async () => {
    const created = await inbound("Who is looking after me?");
    const chatId = created.body.chatId;
    await server.api("PUT", `/chats/${chatId}/responsible`, { token: team.agent.token, body: { memberId: team.collaborator.id } });
    const collaborator = await openEventStream(`${server.url}/api/v1/events`, team.collaborator.token);
    const owner = await openEventStream(`${server.url}/api/v1/events`, team.owner.token);
    await server.api("PUT", `/chats/${chatId}/responsible`, { token: team.agent.token, body: { memberId: null } });
    await eventually(() => expect(collaborator.events).toHaveLength(1));
    expect(collaborator.events[0]).toMatchObject({ type: "chat.unassigned", data: { type: "chat.unassigned", chat: { id: chatId }, visible: false } });
    expect(Object.keys(collaborator.events[0]?.data.chat ?? {})).toEqual(["id"]);
    // Those who still see it get the full chat, as before.
    await eventually(() => expect(owner.events[0]?.data).toMatchObject({ chat: { id: chatId, responsibleId: null } }));
    expect(owner.events[0]?.data.visible).toBeUndefined();
    // Gone from view, the chat tells the collaborator nothing more.
    await inbound("Still there?");
    await eventually(() => expect(owner.events.map((event) => event.type)).toContain("message.created"));
    expect(collaborator.events).toHaveLength(1);
    // Reassigned from one collaborator-like member to another: the previous one hears it left.
    await server.api("PUT", `/chats/${chatId}/responsible`, { token: team.agent.token, body: { memberId: team.collaborator.id } });
    await eventually(() => expect(collaborator.events.map((event) => event.type)).toEqual(["chat.unassigned", "chat.assigned"]));
    // Reassigned to another Collaborator: the new one's stream gets the chat and what follows; the old one's drops it.
    const nextCollaborator = await insertMemberDirectly(server.database.db, team.workspace, { roleId: "collaborator" });
    const next = await openEventStream(`${server.url}/api/v1/events`, nextCollaborator.token);
    await server.api("PUT", `/chats/${chatId}/responsible`, { token: team.agent.token, body: { memberId: nextCollaborator.id } });
    await eventually(() => expect(collaborator.events).toHaveLength(3));
    expect(collaborator.events[2]).toMatchObject({ type: "chat.assigned", data: { chat: { id: chatId }, visible: false } });
    await eventually(() => expect(next.events.map((event) => event.type)).toEqual(["chat.assigned"]));
    expect(next.events[0]?.data).toMatchObject({ chat: { id: chatId, responsibleId: nextCollaborator.id } });
    expect(next.events[0]?.data.visible).toBeUndefined();
    await inbound("Is the new person there?");
    await eventually(() =>
      expect(next.events.map((event) => [event.type, event.data.message?.text])).toContainEqual(["message.created", "Is the new person there?"]),
    );
    // The stream renders events in bus order, so the message reached the old one's stream too and was dropped.
    await server.api("PUT", `/chats/${chatId}/responsible`, { token: team.agent.token, body: { memberId: team.collaborator.id } });
    await eventually(() =>
      expect(collaborator.events.map((event) => event.type)).toEqual(["chat.unassigned", "chat.assigned", "chat.assigned", "chat.assigned"]),
    );
    expect(collaborator.events[3]?.data).toMatchObject({ chat: { id: chatId, responsibleId: team.collaborator.id } });
    await next.close();
    await collaborator.close();
    await owner.close();
  });

  it("a suspension closes the member's open stream; a role change re-scopes it", async () => {
    const agentStream = await openEventStream(`${server.url}/api/v1/events`, team.agent.token);
    const teammateStream = await openEventStream(`${server.url}/api/v1/events`, team.teammate.token);
    await server.api("PATCH", `/members/${team.teammate.id}`, { token: team.owner.token, body: { roleId: "collaborator" } });
    await server.api("POST", `/members/${team.agent.id}/suspend`, { token: team.owner.token });
    await eventually(() => expect(agentStream.ended).toBe(true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const ownerStream = await openEventStream(`${server.url}/api/v1/events`, team.owner.token);
    const created = await inbound("Anyone?");
    await eventually(() => expect(ownerStream.events.map((event) => event.data.message?.text)).toContain("Anyone?"));
    // Now a Collaborator, the former Teammate gets the chat once it is theirs, and what follows in it.
    await server.api("PUT", `/chats/${created.body.chatId}/responsible`, { token: team.owner.token, body: { memberId: team.teammate.id } });
    await inbound("Anyone now?");
    await eventually(() => expect(teammateStream.events.map((event) => event.type)).toEqual(["chat.assigned", "message.created"]));
    // Events reach a stream in bus order: the unassigned chat's "Anyone?" came first and was dropped.
    expect(teammateStream.events[0]?.data).toMatchObject({ chat: { id: created.body.chatId, responsibleId: team.teammate.id } });
    expect(teammateStream.events[1]?.data.message.text).toBe("Anyone now?");
    expect(teammateStream.ended).toBe(false);
    await ownerStream.close();
    await teammateStream.close();
  });

  it("fan out across server instances through the database", async () => {
    // A second app with its own connection and listener, as a second server process would have.
    const secondHandle = server.database.databaseUrl ? await openDatabase({ databaseUrl: server.database.databaseUrl, poolSize: 2 }) : server.database;
    const secondServices = await startServices(testConfig(), secondHandle);
    const secondServer = createApp(secondServices).listen(0, "127.0.0.1");
    await new Promise((resolve) => secondServer.once("listening", resolve));
    const secondUrl = `http://127.0.0.1:${(secondServer.address() as AddressInfo).port}`;
    const stream = await openEventStream(`${secondUrl}/api/v1/events`, team.owner.token);
    await inbound("Through the other instance");
    await eventually(() => expect(stream.events.map((event) => event.data.message?.text)).toContain("Through the other instance"));
    await stream.close();
    secondServer.closeAllConnections();
    await new Promise((resolve) => secondServer.close(resolve));
    await stopServices(secondServices);
    if (secondHandle !== server.database) await secondHandle.close();
  });
});
