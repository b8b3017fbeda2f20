import { writeFileSync } from "node:fs";
import { appHsmetaFile, cardUrlFile, renderAppHsmeta, renderCardUrl } from "../manifest/hubspot/generate";

// `npm run manifest:hubspot` (PUBLIC_URL=https://… or --public-url=https://…): writes the HubSpot
// project's app component and the card's Switchboard address for that address; then
// `hs project upload` from manifest/hubspot.
const fromArgument = process.argv.find((argument) => argument.startsWith("--public-url="))?.slice("--public-url=".length);
const publicUrl = fromArgument ?? process.env.PUBLIC_URL;
if (!publicUrl) {
  console.error("Set PUBLIC_URL (e.g. PUBLIC_URL=https://switchboard.example.com npm run manifest:hubspot) or pass --public-url=");
  process.exit(1);
}
try {
  writeFileSync(appHsmetaFile, renderAppHsmeta(publicUrl));
  writeFileSync(cardUrlFile, renderCardUrl(publicUrl));
  console.log(`${appHsmetaFile} and ${cardUrlFile} written for ${publicUrl}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
