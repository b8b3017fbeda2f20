import { defineConfig } from "vitest/config";

const serverTests = [
  "test/server/**/*.test.ts",
  "test/security/**/*.test.ts",
  "test/manifest/**/*.test.ts",
  "test/docs/**/*.test.ts",
  "test/scripts/**/*.test.ts",
  // The UI's pure logic (words, links, grouping), without a browser.
  "test/extension/**/*.test.ts",
];
const withPostgres = Boolean(process.env.TEST_DATABASE_URL);

// Integration tests always run on embedded PGlite, and again on PostgreSQL when
// TEST_DATABASE_URL is set; browser tests run once, against the built UI.
export default defineConfig({
  test: {
    globals: true,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "pglite",
          include: serverTests,
          exclude: ["**/*.postgres.test.ts", "**/node_modules/**"],
          env: { TEST_ENGINE: "pglite" },
          globalSetup: ["test/support/global-setup.ts"],
        },
      },
      ...(withPostgres
        ? [
            {
              extends: true as const,
              test: {
                name: "postgres",
                include: ["test/server/**/*.test.ts", "test/security/**/*.test.ts"],
                env: { TEST_ENGINE: "postgres" },
                globalSetup: ["test/support/global-setup.ts"],
              },
            },
          ]
        : []),
      {
        extends: true,
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          env: { TEST_ENGINE: "pglite" },
          globalSetup: ["test/support/global-setup.ts"],
          fileParallelism: false,
          // A page under load takes its time: expect.poll waits as long as a locator does (10 s), not 1 s.
          expect: { poll: { timeout: 10_000 } },
        },
      },
    ],
  },
});
