// `npm run demo`: the app and the local dev store on one machine, no Shopify account, no internet.
// SQLite (prisma/dev.sqlite unless DATABASE_URL is set), seeded store, URLs printed. Ctrl-C stops everything.
// DEVSTORE_THEME_DIR=<theme folder> renders that Shopify theme (e.g. ../shared/themes/horizon) instead of the
// dev store's own; DEVSTORE_CART_TYPE=drawer|notification|page overrides its cart type.
import path from "node:path";
import { themeSetupFromEnv } from "../devstore/storefront/themes/load";
import { startStack } from "./stack";

const theme = themeSetupFromEnv();

const databaseUrl = process.env.DATABASE_URL || `file:${path.join(process.cwd(), "prisma", "dev.sqlite")}`;
const stack = await startStack({
  appPort: Number(process.env.PORT || 3000),
  storePort: Number(process.env.DEVSTORE_PORT || 4100),
  databaseUrl,
  seed: Number(process.env.SEED || 42),
  themeDir: theme?.dir,
  cartType: theme?.cartType,
});

console.log(`
Recovery Plays demo is running (database: ${databaseUrl.startsWith("file:") ? "SQLite " + databaseUrl.slice(5) : "PostgreSQL"})

  Merchant admin (the app embedded like in Shopify):  ${stack.adminUrl}
  Storefront (theme with the app's extension):        ${stack.storeUrl}/  (theme: ${theme ? `${theme.dir}${theme.cartType ? `, cart ${theme.cartType}` : ""}` : "dev store's own"})
  Storefront login (seeded customer):                 ${stack.storeUrl}/account/login
  App server:                                          ${stack.appUrl}

Press Ctrl-C to stop.
`);

let stopping = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nstopping…");
    await stack.stop();
    process.exit(0);
  });
}
