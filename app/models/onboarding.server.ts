/**
 * The setup guide's real state, read from Shopify every time (never assumed):
 * - theme app embed enabled?            → live theme's config/settings_data.json (`current.blocks`)
 * - cart / product app blocks placed?   → live theme's templates/cart.json and templates/product.json
 * - checkout blocks placed?             → Shopify exposes no API for checkout-editor placement; the step is done
 *                                          when our checkout extension has reported events, or the merchant marks it
 * - plan (Plus decides which checkout targets exist) → `shop { plan { shopifyPlus } }`
 * - history sync and first play         → our database
 * - grants Shopify can withhold         → granted scopes (`currentAppInstallation.accessScopes`) against the app's
 *                                          required list; bulk access and the 60-day history window from the sync job
 * - theme-editor links                  → built on the shop's admin URL (`currentAppInstallation.launchUrl`)
 */
import prisma from "../db.server";
import type { PlayKey, Surface } from "../lib/plays/types";
import { isTimeZone } from "../lib/signals/zone";
import { adminGraphql, getSyncProgress, type AdminGraphqlClient, type SyncProgress } from "./adminData.server";
import { listPlays } from "./plays.server";
import { syncedPaymentsState } from "./paymentCustomization.server";
import { syncStatus } from "./sync.server";
import { syncStatsZone } from "./dailyStats.server";

/** Block handles of the theme app extension (extensions/recovery-plays-theme/blocks/<handle>.liquid). */
export const THEME_BLOCKS = { embed: "app-embed", cart: "cart-confidence", product: "bundle-offer" } as const;
/** App handle in theme block types: shopify://apps/<handle>/blocks/<block>/<uuid> (shopify.app.toml `handle`). */
export const APP_HANDLE = process.env.SHOPIFY_APP_HANDLE || "recovery-plays";
const ONBOARDING_ROW = "__onboarding";

const THEME_FILES = ["config/settings_data.json", "templates/cart.json", "templates/product.json"];

const QUERY = `#graphql
  query RecoveryPlaysOnboarding($filenames: [String!]!) {
    shop {
      myshopifyDomain
      currencyCode
      ianaTimezone
      plan { publicDisplayName shopifyPlus partnerDevelopment }
    }
    currentAppInstallation { launchUrl accessScopes { handle } }
    themes(first: 1, roles: [MAIN]) {
      nodes {
        id
        name
        files(first: 3, filenames: $filenames) {
          nodes {
            filename
            body {
              ... on OnlineStoreThemeFileBodyText { content }
            }
          }
        }
      }
    }
  }`;

interface QueryData {
  shop: { myshopifyDomain: string; currencyCode: string; ianaTimezone?: string; plan: { publicDisplayName: string; shopifyPlus: boolean; partnerDevelopment: boolean } };
  currentAppInstallation?: { launchUrl?: string | null; accessScopes?: { handle: string }[] } | null;
  themes: { nodes: { id: string; name: string; files: { nodes: { filename: string; body: { content?: string } }[] } }[] };
}

export interface ThemeState {
  /** Null when the theme could not be read (error says why). */
  embedEnabled: boolean | null;
  cartBlock: boolean | null;
  productBlock: boolean | null;
  /** Where the theme shows the cart after add-to-cart (`cart_type`); null when unknown. */
  cartType: CartType | null;
  themeName: string | null;
  error: string | null;
}

export type CartType = "drawer" | "notification" | "page";

export interface OnboardingState {
  shopDomain: string;
  plan: { name: string | null; shopifyPlus: boolean | null };
  theme: ThemeState;
  checkout: { done: boolean; evidence: "events" | "merchant" | null };
  /** The checkout payment order (payment customization Function, every plan): null when it could not be read. */
  payments: { enabled: boolean } | null;
  sync: SyncProgress;
  playsOn: PlayKey[];
  links: { embed: string; cartBlock: string; productBlock: string; checkoutEditor: string };
  steps: { sync: boolean; embed: boolean; blocks: boolean; checkout: boolean; play: boolean };
  grants: Grants;
}

/**
 * What Shopify can withhold from the app, each with a known fix. `missingScopes` null = the granted scopes could
 * not be read. `bulkAccess` "denied" = the last sync was refused bulk queries. `history` = the range the last
 * completed sync covers; `limited` when it stopped at 60 days (no read_all_orders).
 */
export interface Grants {
  missingScopes: string[] | null;
  bulkAccess: "denied" | "ok" | "unknown";
  history: { from: string | null; limited: boolean } | null;
}

/** The scopes the app requires: the toml's `access_scopes`, which Shopify CLI passes as SCOPES. */
export function requiredScopes(env = process.env.SCOPES): string[] {
  return (env ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

/** Required scopes not granted. A granted write_x covers read_x (Shopify grants read access with write access). */
export function missingScopes(required: string[], granted: string[]): string[] {
  const has = new Set(granted);
  return required.filter((s) => !has.has(s) && !(s.startsWith("read_") && has.has(`write_${s.slice(5)}`)));
}

/** Theme JSON files may start with a /* … *\/ comment header (Shopify writes one); strip it before parsing. */
export function parseThemeJson(content: string | undefined): unknown {
  if (!content) return null;
  try {
    return JSON.parse(content.replace(/^\s*\/\*[\s\S]*?\*\/\s*/, ""));
  } catch {
    return null;
  }
}

const isOurBlock = (type: unknown, handle?: string) =>
  typeof type === "string" &&
  type.startsWith(`shopify://apps/${APP_HANDLE}/blocks/`) &&
  (handle === undefined || type.split("/")[5] === handle);

type BlockMap = Record<string, { type?: unknown; disabled?: unknown }>;

/** App embed state from settings_data.json: our embed block present under current.blocks and not disabled. */
export function embedEnabledIn(settingsData: unknown): boolean {
  const current = (settingsData as { current?: unknown } | null)?.current;
  const blocks = (current && typeof current === "object" ? (current as { blocks?: BlockMap }).blocks : undefined) ?? {};
  return Object.values(blocks).some((b) => isOurBlock(b?.type, THEME_BLOCKS.embed) && b?.disabled !== true);
}

/** The theme's `cart_type` setting from settings_data.json (`current` is the settings or the name of a preset). */
export function cartTypeIn(settingsData: unknown): CartType | null {
  const d = settingsData as { current?: unknown; presets?: Record<string, unknown> } | null;
  const cur = typeof d?.current === "string" ? d.presets?.[d.current] : d?.current;
  const t = (cur as { cart_type?: unknown } | undefined)?.cart_type;
  return t === "drawer" || t === "notification" || t === "page" ? t : null;
}

/**
 * The cart template's section that holds the checkout button (a section typed as the cart footer or summary, else
 * the main cart section), so the cart block lands right above checkout instead of in a new section below the cart.
 */
export function checkoutSectionIn(template: unknown): string | null {
  const sections = ((template as { sections?: Record<string, { type?: unknown; disabled?: unknown }> } | null)?.sections) ?? {};
  const keys = Object.keys(sections).filter((k) => sections[k]?.disabled !== true && typeof sections[k]?.type === "string");
  const by = (re: RegExp) => keys.find((k) => re.test(sections[k].type as string));
  return by(/cart.*(footer|summary)/) ?? by(/main-cart/) ?? null;
}

/** Any enabled block of our app in an enabled section of a JSON template. */
export function appBlockPlacedIn(template: unknown): boolean {
  const sections = ((template as { sections?: Record<string, { disabled?: unknown; blocks?: BlockMap }> } | null)?.sections) ?? {};
  return Object.values(sections).some(
    (s) => s?.disabled !== true && Object.values(s?.blocks ?? {}).some((b) => isOurBlock(b?.type) && b?.disabled !== true),
  );
}

/**
 * The shop's admin base URL, from the app's launch URL (`…/apps/<app>` under the admin: `https://<shop>/admin/apps/…`
 * or `https://admin.shopify.com/store/<handle>/apps/…`), so the links open in the admin the shop really uses — a local
 * dev store included. Without a launch URL, the documented `https://<myshopifyDomain>/admin`.
 */
export function adminBaseUrl(shopDomain: string, launchUrl?: string | null): string {
  if (launchUrl) {
    try {
      const u = new URL(launchUrl);
      const at = u.pathname.lastIndexOf("/apps/");
      if ((u.protocol === "https:" || u.protocol === "http:") && at >= 0) return `${u.origin}${u.pathname.slice(0, at)}`;
    } catch {
      /* fall through to the documented form */
    }
  }
  return `https://${shopDomain}/admin`;
}

/**
 * Theme editor deep links (app embed: activateAppId; app blocks: addAppBlockId) and the checkout editor.
 * The cart block goes where the active theme shows the cart: with a cart drawer or notification (no section there
 * accepts app blocks) the app embed places the cart plays above the drawer's checkout button, so the link turns the
 * embed on; with a cart page the block goes into the section holding the checkout button.
 */
export function deepLinks(
  shopDomain: string,
  apiKey: string,
  launchUrl?: string | null,
  theme?: { cartType: CartType | null; checkoutSection: string | null },
) {
  const admin = adminBaseUrl(shopDomain, launchUrl);
  const editor = `${admin}/themes/current/editor`;
  const embed = `${editor}?context=apps&activateAppId=${apiKey}/${THEME_BLOCKS.embed}`;
  const target = theme?.checkoutSection ? `sectionId:${theme.checkoutSection}` : theme ? "mainSection" : "newAppsSection";
  return {
    embed,
    cartBlock: theme?.cartType === "drawer" || theme?.cartType === "notification"
      ? embed
      : `${editor}?template=cart&addAppBlockId=${apiKey}/${THEME_BLOCKS.cart}&target=${target}`,
    productBlock: `${editor}?template=product&addAppBlockId=${apiKey}/${THEME_BLOCKS.product}&target=mainSection`,
    checkoutEditor: `${admin}/settings/checkout/editor`,
  };
}

async function checkoutState(shop: string): Promise<OnboardingState["checkout"]> {
  const seen = await prisma.event.findFirst({ where: { shop, pageType: "checkout" }, select: { id: true } });
  if (seen) return { done: true, evidence: "events" };
  const row = await prisma.playConfig.findUnique({ where: { shop_play: { shop, play: ONBOARDING_ROW } } });
  const marked = row ? (JSON.parse(row.settings) as { checkoutDone?: boolean }).checkoutDone === true : false;
  return { done: marked, evidence: marked ? "merchant" : null };
}

/** The merchant confirms (or un-confirms) that the checkout blocks are placed — the one step Shopify cannot report. */
export async function markCheckoutStep(shop: string, done: boolean): Promise<void> {
  const settings = JSON.stringify({ checkoutDone: done });
  await prisma.playConfig.upsert({
    where: { shop_play: { shop, play: ONBOARDING_ROW } },
    create: { shop, play: ONBOARDING_ROW, settings },
    update: { settings, version: { increment: 1 } },
  });
}

export async function onboardingState(
  shop: string,
  admin: AdminGraphqlClient,
  apiKey = process.env.SHOPIFY_API_KEY ?? "",
  required: string[] = requiredScopes(),
): Promise<OnboardingState> {
  const [plays, sync, checkout, job, payments] = await Promise.all([
    listPlays(shop), getSyncProgress(shop), checkoutState(shop), syncStatus(shop),
    // Optional on this page: a failed read shows "unknown", never breaks onboarding.
    syncedPaymentsState(shop, admin).then((p) => ({ enabled: p.id !== null && p.enabled }), (e: unknown) => {
      if (e instanceof Response) throw e;
      return null;
    }),
  ]);
  let data: QueryData | null = null;
  let error: string | null = null;
  try {
    data = await adminGraphql<QueryData>(admin, QUERY, { filenames: THEME_FILES });
  } catch (e) {
    if (e instanceof Response) throw e;
    error = e instanceof Error ? e.message : String(e);
  }
  const theme = data?.themes.nodes[0];
  const files = new Map((theme?.files.nodes ?? []).map((f) => [f.filename, parseThemeJson(f.body?.content)]));
  const themeState: ThemeState = theme
    ? {
        embedEnabled: embedEnabledIn(files.get("config/settings_data.json")),
        cartBlock: appBlockPlacedIn(files.get("templates/cart.json")),
        productBlock: appBlockPlacedIn(files.get("templates/product.json")),
        cartType: cartTypeIn(files.get("config/settings_data.json")),
        themeName: theme.name,
        error: null,
      }
    : { embedEnabled: null, cartBlock: null, productBlock: null, cartType: null, themeName: null, error: error ?? "no published theme" };

  if (data) {
    // Keep the shop row's plan/currency current (used for formatting and the published config), and its time zone
    // (stored sessions are replayed in it). A zone this runtime does not know is not stored: replay reads UTC then.
    const ianaTimezone = isTimeZone(data.shop.ianaTimezone) ? data.shop.ianaTimezone : undefined;
    const row = await prisma.shop.upsert({
      where: { shop },
      create: { shop, currencyCode: data.shop.currencyCode, plan: data.shop.plan.publicDisplayName, ianaTimezone },
      update: { currencyCode: data.shop.currencyCode, plan: data.shop.plan.publicDisplayName, ianaTimezone },
    });
    // Daily measurement rows are keyed by the shop's local days: a zone stored for the first time or changed
    // re-keys them (rebuilt from the exposures; nothing happens while the zone stays the same). A failure must not
    // break the page: the rows stay consistent on their old days and the next rollup run (or page load) retries.
    try {
      await syncStatsZone(shop, row);
    } catch (e) {
      console.error(`onboarding: rebuilding ${shop}'s daily stats in its time zone failed`, e);
    }
  }
  const shopDomain = data?.shop.myshopifyDomain ?? shop;
  const playsOn = plays.filter((p) => p.enabled).map((p) => p.play);
  return {
    shopDomain,
    plan: { name: data?.shop.plan.publicDisplayName ?? null, shopifyPlus: data ? data.shop.plan.shopifyPlus : null },
    theme: themeState,
    checkout,
    payments,
    sync,
    playsOn,
    links: deepLinks(shopDomain, apiKey, data?.currentAppInstallation?.launchUrl, theme && {
      cartType: themeState.cartType,
      checkoutSection: checkoutSectionIn(files.get("templates/cart.json")),
    }),
    grants: grantsOf(data, required, job.job),
    steps: {
      sync: sync.status === "completed",
      embed: themeState.embedEnabled === true,
      // A drawer/notification theme's cart plays come with the app embed (no cart section to place a block in).
      blocks: (themeState.cartBlock === true || (themeState.cartType !== "page" && themeState.cartType !== null && themeState.embedEnabled === true)) &&
        themeState.productBlock === true,
      checkout: checkout.done,
      play: playsOn.length > 0,
    },
  };
}

function grantsOf(
  data: QueryData | null,
  required: string[],
  job: { status: string; errorReason: string | null; historyFrom: Date | null; historyLimited: boolean } | null,
): Grants {
  const granted = data?.currentAppInstallation?.accessScopes;
  return {
    missingScopes: Array.isArray(granted) ? missingScopes(required, granted.map((s) => s.handle)) : null,
    bulkAccess: job?.errorReason === "bulk_access" ? "denied" : job && job.status !== "failed" ? "ok" : "unknown",
    history: job?.status === "completed" ? { from: job.historyFrom?.toISOString() ?? null, limited: job.historyLimited } : null,
  };
}

export type SurfaceLiveness = { surface: Surface; live: boolean; reason: "embed" | "cartBlock" | "productBlock" | "checkout" | "checkoutPlan" | "unknown" | null; blockPlaced: boolean | null };

/**
 * Whether a play's surface can actually show to shoppers now. Cart/product plays need the app embed (it detects
 * the signals and, without a block, injects the intervention in a default position); checkout needs the checkout
 * blocks, and the in-checkout steps need Shopify Plus.
 */
export function surfaceLiveness(surface: Surface, state: Pick<OnboardingState, "theme" | "checkout" | "plan">): SurfaceLiveness {
  if (surface === "checkout") {
    if (state.plan.shopifyPlus === false) return { surface, live: false, reason: "checkoutPlan", blockPlaced: state.checkout.done };
    return { surface, live: state.checkout.done, reason: state.checkout.done ? null : "checkout", blockPlaced: state.checkout.done };
  }
  const blockPlaced = surface === "cart" ? state.theme.cartBlock : state.theme.productBlock;
  if (state.theme.embedEnabled === null) return { surface, live: false, reason: "unknown", blockPlaced };
  if (!state.theme.embedEnabled) return { surface, live: false, reason: "embed", blockPlaced };
  return { surface, live: true, reason: null, blockPlaced };
}
