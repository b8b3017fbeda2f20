import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { manifestFile, normalizePublicUrl, pipedriveManifest, renderManifest } from "../../manifest/pipedrive/generate";
import { loadConfig } from "../../server/config";
import type { TestServer } from "../support/server";
import { startWebTestServer } from "../support/web-server";
import { buildWithManifest } from "./web-build";

const committed = readFileSync(path.resolve(import.meta.dirname, "../..", manifestFile), "utf8");
const committedManifest = JSON.parse(committed) as ReturnType<typeof pipedriveManifest>;

describe("manifest/pipedrive/app.json", () => {
  it("is exactly what scripts/pipedrive-manifest.ts writes for its PUBLIC_URL", () => {
    // Compared as JSON: the formatter (biome) may lay the committed file out differently.
    expect(committedManifest).toEqual(JSON.parse(renderManifest(committedManifest.publicUrl)));
  });

  it("asks for the scopes a WhatsApp panel needs, and no more", () => {
    expect(pipedriveManifest("https://sb.example.com").oauth.scopes).toEqual(["base", "deals:full", "contacts:full", "activities:full", "users:read"]);
  });

  it("uses the server's own OAuth callback URL", () => {
    const publicUrl = "https://sb.example.com";
    const config = loadConfig({ NODE_ENV: "test", PUBLIC_URL: publicUrl, ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64") });
    expect(pipedriveManifest(publicUrl).oauth.callbackUrl).toBe(config.pipedrive.redirectUri);
  });

  it("puts a panel on deals and persons, a modal and the settings page, all https under PUBLIC_URL", () => {
    const manifest = pipedriveManifest("https://sb.example.com/");
    expect(manifest.extensions.map((extension) => [extension.type, "locations" in extension ? extension.locations : null])).toEqual([
      ["custom_panel", ["deal_details", "person_details"]],
      ["custom_modal", ["deal_details", "person_details"]],
      ["app_settings", null],
    ]);
    for (const url of [manifest.oauth.callbackUrl, ...manifest.extensions.map((extension) => extension.iframeUrl)]) {
      expect(url).toMatch(/^https:\/\/sb\.example\.com\/[^?#]+$/);
    }
    expect(manifest.jwt.env).toBe("PIPEDRIVE_JWT_SECRET");
  });

  it.each(["http://sb.example.com", "https://localhost:3000", "not a url", "https://sb.example.com/?x=1"])("refuses PUBLIC_URL %s", (publicUrl) => {
    expect(() => normalizePublicUrl(publicUrl)).toThrow();
  });

  describe("every surface URL is served by the app", () => {
    let webRoot: string;
    let server: TestServer;

    beforeAll(async () => {
      webRoot = mkdtempSync(path.join(os.tmpdir(), "switchboard-manifest-web-"));
      await buildWithManifest(webRoot);
      server = await startWebTestServer(webRoot);
    }, 120_000);

    afterAll(async () => {
      await server?.close();
      rmSync(webRoot, { recursive: true, force: true });
    });

    it.each(committedManifest.extensions.map((extension) => [extension.type, extension.iframeUrl] as const))("%s at %s", async (_type, iframeUrl) => {
      const local = iframeUrl.replace(committedManifest.publicUrl, server.url);
      const response = await fetch(`${local}?id=rt-1&token=x&resource=deal&selectedIds=1`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/html");
      const html = await response.text();
      // Its own page, not the console's fallback.
      expect(html).toContain('id="root"');
      expect(html).not.toContain("<title>Switchboard admin console</title>");
      expect(html).toMatch(/<title>Switchboard (WhatsApp panel|— start a WhatsApp chat|settings)<\/title>/);
    });
  });
});
