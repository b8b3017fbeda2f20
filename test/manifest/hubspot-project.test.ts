import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import {
  appHsmetaFile,
  cardUrlFile,
  hubspotAppHsmeta,
  hubspotOauthCallbackPath,
  normalizeHubspotPublicUrl,
  renderAppHsmeta,
  renderCardUrl,
} from "../../manifest/hubspot/generate";

// The HubSpot project in manifest/hubspot. HubSpot's CLI validates projects only against schemas
// fetched with a developer account, so these tests hold the files to JSON schemas of the 2026.03
// shapes (manifest/hubspot/schema, each citing its source) and to the layout rules of HubSpot's
// 2026.03 AGENTS.md; `hs project validate` with a real account is a README checklist item.
const root = path.resolve(import.meta.dirname, "../..");
const projectDir = path.join(root, "manifest/hubspot");
const cardsDir = path.join(projectDir, "src/app/cards");
const readJson = (file: string) => JSON.parse(readFileSync(path.join(root, file), "utf8"));
const schema = (name: string) => readJson(`manifest/hubspot/schema/${name}.schema.json`);

const ajv = new Ajv2020({ allErrors: true, strict: true });
const validators = {
  project: ajv.compile(schema("hsproject")),
  app: ajv.compile(schema("app-hsmeta")),
  card: ajv.compile(schema("card-hsmeta")),
};
function errorsOf(kind: keyof typeof validators, value: unknown): string[] {
  const validate = validators[kind];
  return validate(value) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}

const committedApp = readJson(appHsmetaFile);
const committedPublicUrl = new URL(committedApp.config.auth.redirectUrls[0]).origin;

describe("manifest/hubspot: the project files", () => {
  it("hsproject.json is a 2026.03 project whose sources are in src", () => {
    const project = readJson("manifest/hubspot/hsproject.json");
    expect(errorsOf("project", project)).toEqual([]);
    expect(project).toMatchObject({ platformVersion: "2026.03", srcDir: "src" });
  });

  it("the app component and the card's address are exactly what `npm run manifest:hubspot` writes for their PUBLIC_URL", () => {
    expect(committedApp).toEqual(JSON.parse(renderAppHsmeta(committedPublicUrl)));
    expect(readFileSync(path.join(root, cardUrlFile), "utf8")).toBe(renderCardUrl(committedPublicUrl));
  });

  it("the app component passes the schema: a marketplace OAuth app whose redirect URL is the server's callback, fetching and framing only PUBLIC_URL", () => {
    expect(errorsOf("app", committedApp)).toEqual([]);
    const app = hubspotAppHsmeta("https://sb.example.com/");
    expect(errorsOf("app", app)).toEqual([]);
    expect(app.config).toMatchObject({
      distribution: "marketplace",
      auth: { type: "oauth", redirectUrls: [`https://sb.example.com${hubspotOauthCallbackPath}`] },
    });
    expect(app.config.auth.requiredScopes).toEqual([
      "oauth",
      "crm.objects.contacts.read",
      "crm.objects.contacts.write",
      "crm.objects.deals.read",
      "crm.objects.owners.read",
    ]);
    expect(app.config.permittedUrls).toEqual({ fetch: ["https://sb.example.com"], iframe: ["https://sb.example.com"], img: [] });
  });

  it("the schema refuses what HubSpot refuses", () => {
    const app = hubspotAppHsmeta("https://sb.example.com");
    const variant = (change: (copy: typeof app) => void) => {
      const copy = structuredClone(app);
      change(copy);
      return errorsOf("app", copy);
    };
    // Marketplace apps authenticate with OAuth only.
    expect(variant((copy) => Object.assign(copy.config.auth, { type: "static" }))).not.toEqual([]);
    expect(variant((copy) => Object.assign(copy.config, { description: undefined }))).not.toEqual([]);
    expect(variant((copy) => Object.assign(copy.config, { name: "x".repeat(201) }))).not.toEqual([]);
    expect(variant((copy) => Object.assign(copy.config.permittedUrls, { fetch: ["http://sb.example.com"] }))).not.toEqual([]);
    expect(variant((copy) => Object.assign(copy.config.permittedUrls, { fetch: ["https://localhost:3000"] }))).not.toEqual([]);
    expect(variant((copy) => Object.assign(copy.config, { unknownField: true }))).not.toEqual([]);
    expect(variant((copy) => Object.assign(copy.config.auth, { requiredScopes: ["crm.objects.contacts.read"] }))).not.toEqual([]);
  });

  it("refuses a PUBLIC_URL HubSpot could not call", () => {
    expect(() => normalizeHubspotPublicUrl("http://sb.example.com")).toThrow(/https/);
    expect(() => normalizeHubspotPublicUrl("https://localhost:3000")).toThrow(/localhost/);
    expect(normalizeHubspotPublicUrl("https://sb.example.com/")).toBe("https://sb.example.com");
  });

  it("follows the 2026.03 layout: one app component in src/app, cards only in app/cards with unique uids and entry points that exist", () => {
    const hsmetaFiles = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.name === "node_modules"
          ? []
          : entry.isDirectory()
            ? hsmetaFiles(path.join(dir, entry.name))
            : entry.name.endsWith("-hsmeta.json")
              ? [path.join(dir, entry.name)]
              : [],
      );
    const components = hsmetaFiles(path.join(projectDir, "src")).map((file) => ({
      file: path.relative(projectDir, file),
      ...JSON.parse(readFileSync(file, "utf8")),
    }));
    expect(components.map((component) => component.file).sort()).toEqual(["src/app/app-hsmeta.json", "src/app/cards/whatsapp-card-hsmeta.json"]);
    expect(new Set(components.map((component) => component.uid)).size).toBe(components.length);
    const { file: _file, ...card } = components.find((component) => component.type === "card");
    expect(errorsOf("card", card)).toEqual([]);
    expect(card).toMatchObject({ config: { location: "crm.record.tab", objectTypes: ["contacts", "deals"] } });
    // entrypoint is relative to srcDir.
    expect(readdirSync(cardsDir)).toContain(path.basename(card.config.entrypoint));
  });
});

describe("manifest/hubspot: the card's code", () => {
  const cardSources = readdirSync(cardsDir).filter((name) => /\.tsx?$/.test(name));

  it("type-checks with its own tsconfig against the card's own React 18 and @hubspot/ui-extensions", () => {
    const tsc = spawnSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", path.join(cardsDir, "tsconfig.json")], {
      encoding: "utf8",
    });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });

  it("uses nothing HubSpot's worker lacks: no window, document or window.fetch, components only from @hubspot/ui-extensions", () => {
    expect(cardSources.length).toBeGreaterThan(1);
    for (const name of cardSources) {
      const source = readFileSync(path.join(cardsDir, name), "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/\/\/.*$/gm, "");
      expect(source, name).not.toMatch(/\bwindow\b|\bdocument\b|(?<!hubspot\.)\bfetch\(|localStorage|<div|<span|style=/);
      const imported = [...source.matchAll(/from "([^"]+)"/g)].map((match) => match[1]);
      for (const specifier of imported) expect(specifier, name).toMatch(/^(react|@hubspot\/ui-extensions|\.\/[\w-]+\.tsx?)$/);
    }
  });
});

// The card rendered by @hubspot/ui-extensions/testing's createRenderer, with the card's own React
// (18; the console's is 19) resolved from the card's folder, as HubSpot builds it.
const cardRequire = createRequire(path.join(cardsDir, "package.json"));
const importFromCard = (specifier: string) => import(pathToFileURL(cardRequire.resolve(specifier)).href);

type TextNode = { text: string | null };
const withText = (text: string) => (node: TextNode) => node.text === text;

type HsFetch = (url: string, options: { method?: string; body?: unknown }) => Promise<Response>;
const hubspotProxy: { calls: { url: string; options: { method?: string; body?: unknown } }[]; answer: HsFetch } = {
  calls: [],
  answer: async () => Response.json({}),
};
beforeAll(() => {
  // hubspot.fetch is self.hsFetch in HubSpot's worker: here it records the call and plays the proxy.
  const worker = globalThis as unknown as { self: unknown; hsFetch: HsFetch };
  worker.self = globalThis;
  worker.hsFetch = (url, options) => {
    hubspotProxy.calls.push({ url, options });
    return hubspotProxy.answer(url, options);
  };
});
beforeEach(() => {
  hubspotProxy.calls = [];
});

async function renderCard(answer: HsFetch) {
  hubspotProxy.answer = answer;
  const [{ createElement }, ui, testing, card] = await Promise.all([
    importFromCard("react"),
    importFromCard("@hubspot/ui-extensions"),
    importFromCard("@hubspot/ui-extensions/testing"),
    // By path, so the card is type-checked by its own tsconfig (above), not the console's.
    import(pathToFileURL(path.join(cardsDir, "WhatsAppCard.tsx")).href),
  ]);
  const renderer = testing.createRenderer("crm.record.tab");
  const opened: { uri: string; title?: string }[] = [];
  const closers: (() => void)[] = [];
  const openIframeModal = (modal: { uri: string; title?: string }, onClose?: () => void) => {
    opened.push(modal);
    if (onClose) closers.push(onClose);
  };
  renderer.render(createElement(card.WhatsAppCard, { record: { objectTypeId: "0-1", objectId: 51 }, openIframeModal }));
  return { renderer, ui, opened, closers };
}

describe("the WhatsApp card", () => {
  it("asks Switchboard about the record it is on, with hubspot.fetch and nothing but the record", async () => {
    const { renderer, ui } = await renderCard(async () => Response.json({ state: "not_installed", detail: "An admin installs the app first." }));
    await renderer.waitFor(() => expect(renderer.find(ui.EmptyState).props.title).toBe("Switchboard is not connected to this HubSpot account"));
    expect(hubspotProxy.calls).toEqual([
      {
        url: "https://switchboard.example.com/api/v1/hubspot/card",
        options: expect.objectContaining({ method: "POST", body: { objectTypeId: "0-1", objectId: "51" } }),
      },
    ]);
    expect(renderer.find(ui.Text).text).toBe("An admin installs the app first.");
  });

  it("a member not linked yet gets one button that opens Switchboard's sign-in in HubSpot's modal, and the card reloads when it closes", async () => {
    let linked = false;
    const { renderer, ui, opened, closers } = await renderCard(async () =>
      Response.json(
        linked
          ? {
              state: "ready",
              memberName: "Ada Admin",
              chats: [],
              sendFrom: ["Sales line"],
              conversationUri: "https://switchboard.example.com/hubspot/panel#t=1",
            }
          : { state: "link_required", linkUri: "https://switchboard.example.com/hubspot/link#code=abc" },
      ),
    );
    await renderer.waitFor(() => expect(renderer.find(ui.Button).text).toBe("Sign in to Switchboard"));
    renderer.find(ui.Button).trigger("onClick");
    expect(opened).toEqual([expect.objectContaining({ uri: "https://switchboard.example.com/hubspot/link#code=abc", title: "Sign in to Switchboard" })]);
    linked = true;
    for (const close of closers) close();
    await renderer.waitFor(() => expect(renderer.find(ui.Button).text).toBe("Open conversation"));
    expect(hubspotProxy.calls).toHaveLength(2);
    expect(renderer.find(ui.Text).text).toBe("No WhatsApp chats with this record that you may see yet.");
  });

  it("shows the chats the member may see with their last message and line, says which lines they can write from, and opens the conversation", async () => {
    const ready = {
      state: "ready",
      memberName: "Axel Agent",
      sendFrom: ["Axel's line"],
      conversationUri: "https://switchboard.example.com/hubspot/panel#t=xyz",
      chats: [
        {
          id: "chat_1",
          contactName: "Sheena Nelson",
          phone: "+16505551234",
          accountLabel: "Axel's line",
          responsible: "Axel Agent",
          lastMessage: { text: "Is the order on its way?", direction: "in", at: "2026-12-05T10:00:00Z" },
        },
        {
          id: "chat_2",
          contactName: null,
          phone: "+16505559876",
          accountLabel: "Support",
          responsible: null,
          lastMessage: { text: "Yes", direction: "out", at: "2026-12-05T10:01:00Z" },
        },
      ],
    };
    const { renderer, ui, opened } = await renderCard(async () => Response.json(ready));
    await renderer.waitFor(() => expect(renderer.findAll(ui.TableRow)).toHaveLength(3));
    const cells = renderer.findAll(ui.TableCell).map(
      (cell: TextNode & { findAll(component: unknown): TextNode[] }) =>
        cell.text ??
        cell
          .findAll(ui.Text)
          .map((text) => text.text)
          .join(" | "),
    );
    expect(cells).toEqual(["Sheena Nelson | +16505551234", "Axel's line", "Is the order on its way?", "+16505559876 | +16505559876", "Support", "You: Yes"]);
    expect(renderer.find(ui.Tag).text).toBe("Axel Agent");
    expect(renderer.findAll(ui.Text).some((text: { text: string | null }) => text.text?.startsWith("You can write from Axel's line."))).toBe(true);
    renderer.find(ui.Button, withText("Open conversation")).trigger("onClick");
    expect(opened).toEqual([expect.objectContaining({ uri: "https://switchboard.example.com/hubspot/panel#t=xyz", title: "WhatsApp" })]);
  });

  it("says how many more chats the conversation holds than the card shows, and that the member reads but does not write when no line lets them", async () => {
    const chat = (index: number) => ({
      id: `chat_${index}`,
      contactName: `Person ${index}`,
      phone: `+1650555${String(index).padStart(4, "0")}`,
      accountLabel: "Support",
      responsible: null,
      lastMessage: null,
    });
    const ready = {
      state: "ready",
      memberName: "Cleo Collaborator",
      record: { objectTypeId: "0-3", objectId: "51" },
      sendFrom: [],
      moreChats: 3,
      conversationUri: "https://switchboard.example.com/hubspot/#conversation=abc",
      chats: Array.from({ length: 10 }, (_, index) => chat(index)),
    };
    const { renderer, ui } = await renderCard(async () => Response.json(ready));
    await renderer.waitFor(() => expect(renderer.findAll(ui.TableRow)).toHaveLength(11));
    const texts = renderer.findAll(ui.Text).map((text: { text: string | null }) => text.text);
    expect(texts).toContain("And 3 more in the conversation.");
    expect(texts.some((text: string | null) => text?.startsWith("Your role lets you read these chats, not write from any line."))).toBe(true);
  });

  it("says what went wrong when Switchboard refuses or HubSpot's proxy wraps an error, and tries again on request", async () => {
    let attempts = 0;
    const { renderer, ui } = await renderCard(async () => {
      attempts++;
      return attempts === 1
        ? Response.json({ status: "error", category: "BAD_GATEWAY", detail: "Switchboard is restarting." })
        : Response.json({ state: "not_installed", detail: "Nobody installed it." });
    });
    await renderer.waitFor(() => expect(renderer.find(ui.ErrorState).props.title).toBe("WhatsApp chats could not be loaded"));
    expect(renderer.find(ui.Text).text).toBe("Switchboard is restarting.");
    renderer.find(ui.Button, withText("Try again")).trigger("onClick");
    await renderer.waitFor(() => expect(renderer.find(ui.EmptyState).props.title).toBe("Switchboard is not connected to this HubSpot account"));
  });
});
