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

  it("puts a panel on deals and persons, a modal opened only by the panel and the settings page, all https under PUBLIC_URL", () => {
    const manifest = pipedriveManifest("https://sb.example.com/");
    expect(manifest.extensions.map((extension) => extension.type)).toEqual(["custom_panel", "custom_modal", "app_settings"]);
    const [panel, modal, settings] = manifest.extensions;
    expect(panel).toMatchObject({ developerHub: "App extensions → Custom panel", panelLocations: ["Deals details view", "People details view"] });
    // No entry point: the modal needs the number the panel passes it, so only the SDK opens it.
    expect(modal).toMatchObject({ developerHub: "App extensions → Custom modal", entryPoints: [] });
    expect(settings).toMatchObject({ developerHub: "App extensions → App settings page", settingsType: "Custom UI" });
    for (const url of [manifest.oauth.callbackUrl, ...manifest.extensions.map((extension) => extension.iframeUrl)]) {
      expect(url).toMatch(/^https:\/\/sb\.example\.com\/[^?#]+$/);
    }
    expect(manifest.jwt.env).toBe("PIPEDRIVE_JWT_SECRET");
  });

  it("fills each Developer Hub form: names of at most 30 characters, descriptions of at most 150, every extension's JWT secret", () => {
    const { extensions } = pipedriveManifest("https://sb.example.com");
    expect(extensions.length).toBeGreaterThan(0);
    for (const extension of extensions) {
      expect("name" in extension ? (extension.name?.length ?? 0) : 0, extension.type).toBeLessThanOrEqual(30);
      expect("description" in extension ? (extension.description?.length ?? 0) : 0, extension.type).toBeLessThanOrEqual(150);
      expect(extension.jwtSecret, extension.type).toContain("PIPEDRIVE_JWT_SECRET");
    }
  });

  it("leaves the modal's id to Developer Hub: copied from there into PIPEDRIVE_START_CHAT_MODAL_ID", () => {
    const modal = pipedriveManifest("https://sb.example.com").extensions.find((extension) => extension.type === "custom_modal");
    expect(modal?.id).toEqual({ assignedBy: "Developer Hub", env: "PIPEDRIVE_START_CHAT_MODAL_ID", howTo: expect.stringContaining("Copy the ID") });
    expect(committed).not.toContain("switchboard-start-chat");
    const config = loadConfig({ NODE_ENV: "test", ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"), PIPEDRIVE_START_CHAT_MODAL_ID: " 1d3f0a9c " });
    expect(config.pipedrive.startChatModalId).toBe("1d3f0a9c");
    expect(loadConfig({ NODE_ENV: "test", ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64") }).pipedrive.startChatModalId).toBeNull();
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
