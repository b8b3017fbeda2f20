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
  hubspotSimulator: { html: "simulator/hubspot/index.html", servedAt: "/simulator/hubspot/" },
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

/**
 * The CRM simulator's HubSpot page runs the real app card (manifest/hubspot, its own npm
 * workspace with HubSpot's React 18): `virtual:hubspot-card` is that card, and its import of
 * @hubspot/ui-extensions is the simulator's host (extension/simulator/hubspot/ui-extensions-host.tsx);
 * React is deduplicated to the app's, so host and card share one.
 */
function hubspotCardInSimulator(): Plugin {
  const cardsDir = path.join(projectRoot, "manifest", "hubspot", "src", "app", "cards");
  const host = path.join(extensionRoot, "simulator", "hubspot", "ui-extensions-host.tsx");
  return {
    name: "switchboard:hubspot-card-in-simulator",
    enforce: "pre",
    resolveId(source, importer) {
      if (source === "virtual:hubspot-card") return path.join(cardsDir, "WhatsAppCard.tsx");
      if (source === "@hubspot/ui-extensions" && importer?.startsWith(cardsDir)) return host;
      return null;
    },
  };
}

export default defineConfig({
  root: extensionRoot,
  base: "/",
  publicDir: false,
  plugins: [react(), pagesAtTheirPaths(), hubspotCardInSimulator()],
  resolve: { dedupe: ["react", "react-dom"] },
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
