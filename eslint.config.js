// Lint for the TypeScript sources: typescript-eslint's recommended rules, the React hooks rules, no import cycles,
// and purity of app/lib (bundled into the storefront, checkout and Function, and run by the benches).
// Formatting is Prettier's (eslint-config-prettier turns off the rules that would fight it).
import { builtinModules } from "node:module";
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import { importX } from "eslint-plugin-import-x";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

const SOURCES = ["app", "extensions", "devstore", "scripts", "bench", "tests"].map((d) => `${d}/**/*.{ts,tsx,js,mjs}`);

const NODE_MODULES = builtinModules.filter((m) => !m.startsWith("_"));

/** What app/lib may not import: Node, Remix, Prisma, Polaris (and React: lib code is UI-free). */
const impureImports = [
  { group: ["node:*", ...NODE_MODULES, ...NODE_MODULES.map((m) => `${m}/*`)], message: "app/lib is pure: Node modules belong in app/models/*.server.ts." },
  { group: ["@remix-run/*"], message: "app/lib is pure: Remix belongs in app/routes." },
  { group: ["@prisma/*"], message: "app/lib is pure: Prisma belongs in app/models and app/db." },
  { group: ["@shopify/polaris", "@shopify/polaris/*"], message: "app/lib is pure: Polaris belongs in app/components and app/routes." },
];

/** Node and DOM globals app/lib may not touch (the storefront library may use the DOM). */
const nodeGlobals = ["process", "Buffer", "require", "__dirname", "__filename", "global", "setImmediate"].map((name) => ({
  name,
  message: "app/lib is pure: no Node globals.",
}));
const domGlobals = [
  "window", "document", "navigator", "location", "localStorage", "sessionStorage", "history", "HTMLElement", "Element",
  "customElements", "IntersectionObserver", "MutationObserver", "requestAnimationFrame", "getComputedStyle",
].map((name) => ({ name, message: "app/lib is pure: DOM access belongs in app/lib/storefront." }));

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**", "build/**", "public/build/**", ".cache/**", "coverage/**", "bench/out/**", "extensions/*/dist/**",
      // Built bundles (scripts/build-extensions.ts writes them from app/lib/storefront).
      "extensions/recovery-plays-theme/assets/**",
      "**/*.d.ts",
    ],
  },
  { files: SOURCES, ...js.configs.recommended },
  ...tseslint.configs.recommended.map((c) => ({ ...c, files: SOURCES })),
  {
    files: SOURCES,
    languageOptions: { ecmaVersion: 2023, sourceType: "module", globals: { ...globals.node, ...globals.browser } },
    plugins: { "import-x": importX, "react-hooks": reactHooks },
    settings: {
      "import-x/resolver-next": [createTypeScriptImportResolver({ alwaysTryTypes: true, project: "tsconfig.json" })],
      "import-x/extensions": [".ts", ".tsx", ".js", ".mjs"],
    },
    rules: {
      // TypeScript checks names and types (tsc runs in CI); these core rules misread TS.
      "no-undef": "off",
      "no-redeclare": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true }],
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
    },
  },
  {
    // Tests read JSON answers whose shape is what they assert, and the dev store's Admin API resolvers receive
    // arguments graphql-js has already validated against the pinned schema: `any` stays allowed there only.
    files: ["**/*.test.{ts,tsx}", "devstore/admin/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // The dev store's Admin API executes nested operations (bulk queries and mutations run documents through the
    // same resolver map that dispatches to them), so its resolver modules import each other. Everything else,
    // the app included, stays cycle-free.
    files: ["devstore/admin/**/*.ts"],
    rules: { "import-x/no-cycle": "off" },
  },
  {
    files: ["app/lib/**/*.{ts,tsx}"],
    ignores: ["app/lib/**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: impureImports }],
      "no-restricted-globals": ["error", ...nodeGlobals, ...domGlobals],
    },
  },
  {
    files: ["app/lib/storefront/**/*.{ts,tsx}"],
    ignores: ["app/lib/storefront/**/*.test.ts"],
    rules: { "no-restricted-globals": ["error", ...nodeGlobals] },
  },
  prettier,
);
