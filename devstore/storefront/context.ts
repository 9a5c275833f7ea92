import type { DevMetafield, DevStoreData } from "../types";
import type { ThemeSetup } from "./themes/load";

/** What the dev store server hands the storefront (see devstore/server.ts). */
export interface StorefrontContext {
  state: DevStoreData;
  shopDomain: string;
  /** Origin of the app (Remix server), e.g. http://127.0.0.1:3000. App proxy requests are forwarded there. */
  appUrl: string;
  apiKey: string;
  apiSecret: string;
  /** Origin of the dev store itself, e.g. http://127.0.0.1:9292. */
  storeUrl: string;
  deliverWebhook(topic: string, payload: unknown): Promise<void>;
  /**
   * The AppInstallation metafield Liquid's `app.metafields[namespace][key]` reads: `$app:x` is the stored
   * `app--<app id>--x` (as metafieldsSet stores it), a plain namespace reads only that plain namespace.
   */
  appMetafield(namespace: string, key: string): DevMetafield | undefined;
  /** A real theme folder to render instead of the dev store's own theme (null: own theme, ignore the env). */
  theme?: ThemeSetup | null;
}

/** Optional knobs, mostly for tests. */
export interface StorefrontOptions {
  /** Directory of the theme app extension to render (default: <repo>/extensions/recovery-plays-theme). */
  extensionDir?: string;
  /** shopify.app.toml to read the app handle and app proxy from (default: <repo>/shopify.app.toml). */
  appTomlPath?: string;
  /** Upstream timeout for app proxy requests (Shopify gives up after ~10 s). */
  proxyTimeoutMs?: number;
  /** A real theme to render (wins over ctx.theme and DEVSTORE_THEME_DIR; null forces the own theme). */
  theme?: ThemeSetup | null;
}
