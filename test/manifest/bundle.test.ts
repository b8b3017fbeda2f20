import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { webPages } from "../../vite.config";
import { buildWithManifest, initialJsFiles, type ViteManifest } from "./web-build";

// The Pipedrive panel loads inside every deal and person page: its JavaScript stays small.
const panelBudgetBytes = 120 * 1024;

let outDir: string;
let manifest: ViteManifest;

beforeAll(async () => {
  outDir = mkdtempSync(path.join(os.tmpdir(), "switchboard-bundle-"));
  manifest = await buildWithManifest(outDir);
}, 120_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const gzipSizeOf = (files: string[]) => files.reduce((total, file) => total + gzipSync(readFileSync(path.join(outDir, file)), { level: 9 }).length, 0);

describe("Pipedrive surfaces bundle", () => {
  it("keeps the panel's JavaScript within 120 KB gzip", () => {
    const files = initialJsFiles(manifest, webPages.pipedrivePanel.html);
    expect(files.length).toBeGreaterThan(0);
    const size = gzipSizeOf(files);
    console.info(`panel JS: ${(size / 1024).toFixed(1)} KB gzip in ${files.length} files`);
    expect(size).toBeLessThanOrEqual(panelBudgetBytes);
  });

  it("does not pull the admin console into the panel", () => {
    const consoleEntry = manifest[webPages.console.html]?.file;
    expect(consoleEntry).toBeDefined();
    expect(initialJsFiles(manifest, webPages.pipedrivePanel.html)).not.toContain(consoleEntry);
    const panelFiles = initialJsFiles(manifest, webPages.pipedrivePanel.html);
    expect(panelFiles.length).toBeGreaterThan(0);
    for (const file of panelFiles) {
      expect(readFileSync(path.join(outDir, file), "utf8")).not.toContain("Activity log");
    }
  });
});
