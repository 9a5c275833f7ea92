/**
 * The Deal-Seeker bundle discount as a Shopify discount Function (target cart.lines.discounts.generate.run,
 * product class, code-based). Only the cart lines the storefront tagged as the bundle (line property
 * `_rp_bundle`) are discounted, so the code never takes money off the rest of the cart. The percentage and the
 * merchant's cap travel in the discount's own metafield; the cap is applied here again, so a discount edited
 * in Shopify's admin cannot exceed it either.
 *
 * Pure: the extension (extensions/recovery-plays-discount) and the dev store's checkout both call it.
 */

/** The Function's extension handle (functions/recovery-plays-discount), which discountCodeAppCreate names. */
export const BUNDLE_FUNCTION_HANDLE = "recovery-plays-discount";
/** Line property the storefront sets on every line it adds as part of the bundle. */
export const BUNDLE_LINE_PROPERTY = "_rp_bundle";
/** The discount's metafield (app-reserved namespace) holding {@link BundleFunctionConfig}. */
export const BUNDLE_FUNCTION_METAFIELD = { namespace: "$app:recovery-plays", key: "bundle" } as const;

export interface BundleFunctionConfig {
  percent: number;
  capPercent: number;
}

/** The shape of the extension's input query (src/cart_lines_discounts_generate_run.graphql). */
export interface BundleFunctionInput {
  cart: {
    lines: { id: string; quantity: number; bundle: { value: string | null } | null }[];
  };
  discount: {
    discountClasses: ("PRODUCT" | "ORDER" | "SHIPPING")[];
    metafield: { jsonValue: unknown } | null;
  };
}

export interface BundleFunctionResult {
  operations: {
    productDiscountsAdd: {
      selectionStrategy: "FIRST";
      candidates: {
        message: string;
        targets: { cartLine: { id: string } }[];
        value: { percentage: { value: string } };
      }[];
    };
  }[];
}

const NONE: BundleFunctionResult = { operations: [] };

function readConfig(v: unknown): BundleFunctionConfig | null {
  if (!v || typeof v !== "object") return null;
  const { percent, capPercent } = v as Record<string, unknown>;
  if (typeof percent !== "number" || typeof capPercent !== "number" || !Number.isFinite(percent) || !Number.isFinite(capPercent)) return null;
  return { percent, capPercent };
}

/** The percentage to apply: the configured one, never above the cap or 100, and 0 when either is invalid. */
export function cappedPercent(c: BundleFunctionConfig): number {
  const p = Math.min(c.percent, c.capPercent, 100);
  return p > 0 ? Math.round(p * 100) / 100 : 0;
}

export function bundleDiscountRun(input: BundleFunctionInput): BundleFunctionResult {
  if (!input.discount.discountClasses.includes("PRODUCT")) return NONE;
  const config = readConfig(input.discount.metafield?.jsonValue);
  if (!config) return NONE;
  const percent = cappedPercent(config);
  if (percent <= 0) return NONE;
  const lines = input.cart.lines.filter((l) => l.quantity > 0 && !!l.bundle?.value);
  // A bundle is two or more products bought together: one tagged line alone is not a bundle.
  if (lines.length < 2) return NONE;
  return {
    operations: [
      {
        productDiscountsAdd: {
          selectionStrategy: "FIRST",
          candidates: [
            {
              message: `Bundle & Save ${percent}%`,
              targets: lines.map((l) => ({ cartLine: { id: l.id } })),
              value: { percentage: { value: String(percent) } },
            },
          ],
        },
      },
    ],
  };
}
