import { readFileSync } from "node:fs";
import path from "node:path";
import { build } from "vite";

// One production build of the web UI (every page) with Vite's manifest, for the manifest tests.
const viteConfigFile = path.resolve(import.meta.dirname, "../../vite.config.ts");

export type ViteManifest = Record<string, { file: string; imports?: string[]; dynamicImports?: string[]; css?: string[]; isEntry?: boolean }>;

export async function buildWithManifest(outDir: string): Promise<ViteManifest> {
  // Vitest runs with NODE_ENV=test, which would bundle React's development build; measure what ships.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({ configFile: viteConfigFile, mode: "production", logLevel: "warn", build: { outDir, emptyOutDir: true, manifest: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  return JSON.parse(readFileSync(path.join(outDir, ".vite", "manifest.json"), "utf8")) as ViteManifest;
}

/** Every JS file a page loads up front: its entry chunk and, recursively, the chunks it imports statically. */
export function initialJsFiles(manifest: ViteManifest, entryKey: string): string[] {
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  visit(entryKey);
  return [...files].filter((file) => file.endsWith(".js"));
}
