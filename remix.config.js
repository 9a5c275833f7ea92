// Remix options for the app (the design card keeps them here). vite.config.ts passes them to Remix's Vite
// plugin, which is how the app is built (the classic compiler cannot bundle shopify-app-remix's JSON imports).
/** @type {import('@remix-run/dev').VitePluginConfig} */
export default {
  appDirectory: "app",
  // RP_BUILD_DIR lets a test run build into its own folder (parallel runs must not replace each other's assets).
  buildDirectory: process.env.RP_BUILD_DIR || "build",
  ignoredRouteFiles: ["**/.*", "**/*.test.ts", "**/*.test.tsx"],
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_lazyRouteDiscovery: true,
    v3_singleFetch: false,
    v3_routeConfig: false,
  },
};
