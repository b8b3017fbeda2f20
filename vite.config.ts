import path from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

const projectRoot = path.dirname(fileURLToPath(import.meta.url));
const extensionRoot = path.join(projectRoot, "extension");

/**
 * Every page of the web build: its HTML entry under extension/ and the URL path it is served at.
 * A new page (the CRM panel, the CRM simulator) is one more entry here.
 */
export const webPages = {
  console: { html: "console/index.html", servedAt: "/" },
  pipedrivePanel: { html: "pipedrive/panel/index.html", servedAt: "/pipedrive/panel/" },
  pipedriveModal: { html: "pipedrive/modal/index.html", servedAt: "/pipedrive/modal/" },
  pipedriveSettings: { html: "pipedrive/settings/index.html", servedAt: "/pipedrive/settings/" },
  /** Where a connection made in a popup from the panel ends (server/crm/connect-flow.ts popupLandingPage). */
  pipedriveConnected: { html: "pipedrive/connected/index.html", servedAt: "/pipedrive/connected/" },
  hubspotPanel: { html: "hubspot/index.html", servedAt: "/hubspot/" },
  simulator: { html: "simulator/index.html", servedAt: "/simulator/" },
} as const satisfies Record<string, { html: string; servedAt: `/${string}` }>;

/** Where the server (server/main.ts) serves the built UI from. */
export const webOutDir = path.join(projectRoot, "dist", "web");

/** The file a page's HTML is written to, relative to the output directory. */
function builtHtmlFile(servedAt: string): string {
  return `${servedAt.replace(/^\//, "")}index.html`;
}

/**
 * Vite writes a page's HTML at its path below the root (console/index.html); this moves each one to
 * the path it is served at, so the console is dist/web/index.html, and rewrites dev requests to match.
 */
function pagesAtTheirPaths(): Plugin {
  const pages = Object.values(webPages);
  return {
    name: "switchboard:pages-at-their-paths",
    enforce: "post",
    configureServer(server) {
      server.middlewares.use((request, _response, next) => {
        const [pathname = "/", search = ""] = (request.url ?? "/").split("?");
        const page = pages.find((candidate) => pathname === candidate.servedAt || pathname === `${candidate.servedAt}index.html`);
        if (page) request.url = `/${page.html}${search ? `?${search}` : ""}`;
        next();
      });
    },
    generateBundle(_options, bundle) {
      for (const page of pages) {
        const emitted = bundle[page.html];
        const target = builtHtmlFile(page.servedAt);
        if (emitted?.type !== "asset" || target === page.html) continue;
        delete bundle[page.html];
        this.emitFile({ type: "asset", fileName: target, source: emitted.source });
      }
    },
  };
}

export default defineConfig({
  root: extensionRoot,
  base: "/",
  publicDir: false,
  plugins: [react(), pagesAtTheirPaths()],
  build: {
    outDir: webOutDir,
    emptyOutDir: true,
    rollupOptions: {
      input: Object.fromEntries(Object.entries(webPages).map(([name, page]) => [name, path.join(extensionRoot, page.html)])),
    },
  },
  server: {
    proxy: { "/api": "http://localhost:3000" },
  },
});
