import { readFileSync, writeFileSync } from "node:fs";

/**
 * Puts `section` into the results file in place of the previous section whose heading starts with
 * `heading` (up to the next `## `), or at the end: how a bench script run alone updates RESULTS.md.
 */
export function spliceIntoResults(file: string, heading: string, section: string) {
  const current = readFileSync(file, "utf8");
  const start = current.indexOf(heading);
  if (start < 0) {
    writeFileSync(file, `${current.trimEnd()}\n\n${section.trimEnd()}\n`);
    return;
  }
  const next = current.indexOf("\n## ", start + heading.length);
  const after = next < 0 ? "" : current.slice(next + 1);
  writeFileSync(file, `${current.slice(0, start)}${section.trimEnd()}\n${after ? `\n${after}` : ""}`);
}
