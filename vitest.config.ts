import { existsSync } from "node:fs";
import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// Unit + integration tests (Node). The checkout extension has its own jsdom project; e2e journeys in headless
// Chromium live in vitest.e2e.config.ts and are run by scripts/test.mjs when Chromium is present.
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    // Vitest's default is one worker per core minus one: a single worker on 2 cores. The files wait on databases
    // and local servers more than on the CPU, so three run side by side (each has its own database or schema, and
    // servers on free ports).
    maxWorkers: 3,
    projects: [
      {
        extends: true,
        test: {
          name: "node",
          environment: "node",
          include: ["app/**/*.test.{ts,tsx}", "server/**/*.test.ts", "devstore/**/*.test.ts", "tests/**/*.test.ts", "scripts/**/*.test.ts"],
          exclude: ["tests/e2e/**", "node_modules/**"],
          setupFiles: ["tests/setup/db.ts", "tests/setup/fast-check.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      ...(existsSync("extensions/recovery-plays-checkout/vitest.config.ts") ? ["extensions/recovery-plays-checkout/vitest.config.ts"] : []),
    ],
  },
});
