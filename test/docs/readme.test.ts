import { readFileSync } from "node:fs";
import { withRoleMatrix } from "../../server/permissions/matrix";

describe("README", () => {
  it("shows the built-in role matrix exactly as the permissions module defines it (npm run docs:roles)", () => {
    const readme = readFileSync("README.md", "utf8");
    expect(readme).toBe(withRoleMatrix(readme));
  });

  it("has the two-command quick start", () => {
    const readme = readFileSync("README.md", "utf8");
    expect(readme).toContain("npm install && npm start");
    expect(readme).toContain("npm test");
  });
});
