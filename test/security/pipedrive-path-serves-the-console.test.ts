import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTestServer, type TestServer } from "../support/server";

// Pages under /pipedrive/ may be framed by *.pipedrive.com (they are the app's iframes). The console
// may not: served at /pipedrive/anything by the single-page fallback, it would be frameable there
// (clickjacking of a logged-in console). /pipedrive/ and /simulator/ serve their own pages only.

let server: TestServer;
let webRoot: string;
const page = (file: string, title: string) => {
  mkdirSync(path.dirname(path.join(webRoot, file)), { recursive: true });
  writeFileSync(path.join(webRoot, file), `<!doctype html><title>${title}</title>`);
};
beforeAll(async () => {
  webRoot = mkdtempSync(path.join(os.tmpdir(), "switchboard-web-"));
  page("index.html", "console");
  page("pipedrive/panel/index.html", "panel");
  page("pipedrive/modal/index.html", "modal");
  page("pipedrive/settings/index.html", "settings");
  page("simulator/index.html", "simulator");
  server = await startTestServer({}, { webRoot });
});
afterAll(async () => {
  await server.close();
  rmSync(webRoot, { recursive: true, force: true });
});

const get = async (url: string) => {
  const response = await fetch(`${server.url}${url}`);
  return { status: response.status, text: await response.text(), frameAncestors: response.headers.get("content-security-policy") ?? "" };
};

describe("/pipedrive/anything serves the console", () => {
  it.each(["/pipedrive/anything", "/pipedrive/", "/pipedrive", "/pipedrive/panel/anything", "/pipedrive/settings/x/y", "/simulator/anything"])(
    "%s → 404, never the console",
    async (url) => {
      const answer = await get(url);
      expect(answer.status).toBe(404);
      expect(answer.text).not.toContain("console");
    },
  );

  it.each([
    ["/pipedrive/panel/", "panel"],
    ["/pipedrive/panel/index.html", "panel"],
    ["/pipedrive/modal/", "modal"],
    ["/pipedrive/settings/", "settings"],
    ["/simulator/", "simulator"],
  ])("%s still serves the %s page", async (url, title) => {
    const answer = await get(url);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain(`<title>${title}</title>`);
  });

  it("the console keeps its own paths, and may not be framed by Pipedrive", async () => {
    for (const url of ["/", "/inbox", "/settings/integrations"]) {
      const answer = await get(url);
      expect(answer.status).toBe(200);
      expect(answer.text).toContain("<title>console</title>");
      expect(answer.frameAncestors).not.toContain("pipedrive.com");
    }
  });
});
