import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(name) ? [full] : [];
  });
}

describe("package boundaries", () => {
  // A rule both sides state (the 24-hour window) is written once in a server module that imports
  // nothing, so the UI may import it as a value: such a module cannot pull server code, secrets or
  // I/O into a bundle. Everything else from server/ is types only.
  it("extension/ imports only types from server/, and values only from server modules that import nothing", () => {
    const valueImports = sourceFiles("extension").flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/^import\s+(?!type\b)[^;]*?from\s+["']([^"']*server\/[^"']*)["']/gm)].map((match) => ({
        file,
        target: path.resolve(path.dirname(file), `${match[1]}.ts`),
      })),
    );
    const offenders = valueImports.filter(({ target }) => /^\s*(?:(?:import|export)\s[^;]*?from\s|import\s*["'])/m.test(readFileSync(target, "utf8")));
    expect(offenders).toEqual([]);
    // The exception is in use (the window rule), so this test checks something.
    expect(valueImports.map(({ target }) => path.relative(process.cwd(), target))).toContain(path.join("server", "whatsapp", "customer-service-window.ts"));
  });

  // The demo connects to the demo CRM the way people do (server/demo/pipedrive-journey.ts: sign in,
  // Connect, consent, callback), so it can't show a state the product can't reach: nothing in
  // server/demo stores Pipedrive connections, installations, user links or tokens itself.
  it("server/demo writes no Pipedrive connection, installation, user link or token: it goes through the connect journey", () => {
    const demoFiles = sourceFiles(path.join("server", "demo"));
    const forbidden = [
      /\bpipedrive(Connections|Installations|UserLinks|CompanyRoutes|AppShares)\b/,
      /from\s+["'][^"']*pipedrive\/(installations|token-storage)["']/,
      /from\s+["'][^"']*demo-crm\/tokens["']/,
      /\b(storeWorkspaceConnection|storeIndividualConnection|linkPipedriveUser|sealPipedriveTokens|issueDemoCrmTokens)\b/,
    ];
    const offenders = demoFiles.flatMap((file) => {
      const source = readFileSync(file, "utf8");
      return forbidden.filter((pattern) => pattern.test(source)).map((pattern) => `${file}: ${pattern}`);
    });
    expect(offenders).toEqual([]);
    // The journey is there, so this test checks something.
    expect(demoFiles).toContain(path.join("server", "demo", "pipedrive-journey.ts"));
  });

  it("only server/config.ts reads process.env", () => {
    const readers = sourceFiles("server").filter((file) => file !== path.join("server", "config.ts") && /process\.env/.test(readFileSync(file, "utf8")));
    expect(readers).toEqual([]);
  });
});
