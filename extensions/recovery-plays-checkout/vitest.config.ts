import { defineConfig } from "vitest/config";

// Checkout extension tests: @shopify/ui-extensions-tester renders each target into jsdom with a mock `shopify`.
export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  test: {
    name: "checkout",
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/testing/host-elements.ts"],
    // The tester installs a global `shopify` per test file; isolation keeps files independent.
    isolate: true,
    // The tester imports the target module itself; inlined, that import goes through Vite (TSX, Preact JSX).
    server: { deps: { inline: ["@shopify/ui-extensions-tester"] } },
  },
});
