import { allRoutes } from "../../../server/http/registry";
import { startTestServer, type TestServer } from "../../support/server";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe("OpenAPI 3.1 document", () => {
  it("is served without auth and describes every route with its permission and request schema", async () => {
    const response = await server.api("GET", "/openapi.json");
    expect(response.status).toBe(200);
    const document = response.body;
    expect(document.openapi).toBe("3.1.0");
    for (const route of allRoutes) {
      const operation = document.paths[route.path.replace(/:(\w+)/g, "{$1}")]?.[route.method];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      if (route.access.kind === "permission") expect(operation["x-permission"]).toBe(route.access.permission);
      expect(operation.security).toEqual(route.access.kind === "public" ? [] : [{ bearerAuth: [] }]);
    }
    const signup = document.paths["/signup"].post.requestBody.content["application/json"].schema;
    expect(signup.required.sort()).toEqual(["email", "name", "password", "workspaceName"]);
    expect(signup.additionalProperties).toBe(false);
    const roleChange = document.paths["/members/{id}"].patch;
    expect(roleChange.parameters).toEqual([{ name: "id", in: "path", required: true, schema: expect.objectContaining({ type: "string" }) }]);
  });
});
