import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// End-to-end journeys in headless Chromium (Debian's /usr/bin/chromium via playwright-core) against the built
// app + local dev store. One file at a time: each starts its own stack; the machine has 2 cores.
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    name: "e2e",
    environment: "node",
    include: ["tests/e2e/**/*.e2e.test.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    globalSetup: ["tests/e2e/global-setup.ts"],
  },
});
