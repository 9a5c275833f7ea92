// Remix options for the app (the design card keeps them here). vite.config.ts passes them to Remix's Vite
// plugin, which is how the app is built (the classic compiler cannot bundle shopify-app-remix's JSON imports).
/** @type {import('@remix-run/dev').VitePluginConfig} */
export default {
  appDirectory: "app",
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
