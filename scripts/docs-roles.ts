import { readFileSync, writeFileSync } from "node:fs";
import { withRoleMatrix } from "../server/permissions/matrix";

// Rewrites README's built-in role matrix from the permissions module.
const readme = readFileSync("README.md", "utf8");
writeFileSync("README.md", withRoleMatrix(readme));
console.log("README role matrix updated");
