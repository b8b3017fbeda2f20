import { writeFileSync } from "node:fs";
import { manifestFile, renderManifest } from "../manifest/pipedrive/generate";

// `npm run manifest:pipedrive` (PUBLIC_URL=https://… or --public-url=https://…): writes the
// Pipedrive app configuration for that address to manifest/pipedrive/app.json.
const fromArgument = process.argv.find((argument) => argument.startsWith("--public-url="))?.slice("--public-url=".length);
const publicUrl = fromArgument ?? process.env.PUBLIC_URL;
if (!publicUrl) {
  console.error("Set PUBLIC_URL (e.g. PUBLIC_URL=https://switchboard.example.com npm run manifest:pipedrive) or pass --public-url=");
  process.exit(1);
}
try {
  writeFileSync(manifestFile, renderManifest(publicUrl));
  console.log(`${manifestFile} written for ${publicUrl}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
