import { type DemoServer, startDemoServer } from "../../support/demo";

// The demo Collaborator may not connect their own Pipedrive account: their panel reads through the
// demo workspace's connection, only the record it was opened on, once the demo CRM lists them
// among the users permitted to see it.

let server: DemoServer;
beforeAll(async () => {
  server = await startDemoServer();
});
afterAll(() => server.close());

it("the Collaborator's panel on deal 1 reads it through the workspace's connection, and no other record", async () => {
  const panel = await server.panelLogin("collaborator", { resource: "deal", selectedIds: "1" });

  const context = await server.api("GET", "/panel/pipedrive/context?resource=deal&id=1", { token: panel });

  expect(context.status).toBe(200);
  expect(context.body.ownConnection).toBe(false);
  expect(context.body.persons.map((person: { name: string }) => person.name)).toEqual(["Grace Hopper"]);
  const person = context.body.persons[0].id as number;
  expect((await server.api("GET", `/panel/pipedrive/context?resource=person&id=${person}`, { token: panel })).status).toBe(404);
});

it("the Agent, with their own connection, reads with it", async () => {
  const panel = await server.panelLogin("agent", { resource: "deal", selectedIds: "1" });
  const context = await server.api("GET", "/panel/pipedrive/context?resource=deal&id=1", { token: panel });
  expect(context.status).toBe(200);
  expect(context.body.ownConnection).toBe(true);
});
