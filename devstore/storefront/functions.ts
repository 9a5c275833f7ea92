// The app's discount Functions as the dev store's checkout runs them: Shopify calls the Function with the result
// of its input query and applies the operations it returns. Only the product-discount operations the app's
// Functions emit (percentage off listed cart lines) are applied here.
import { BUNDLE_FUNCTION_METAFIELD, BUNDLE_LINE_PROPERTY, bundleDiscountRun, type BundleFunctionResult } from "../../app/lib/discounts/bundleFunction";
import type { DevDiscount } from "../types";
import type { CartLine } from "./cart";

type Run = (d: DevDiscount, lines: CartLine[]) => BundleFunctionResult;

const cartLineGid = (l: CartLine) => `gid://shopify/CartLine/${l.key}`;

function metafieldJson(d: DevDiscount, namespace: string, key: string): { jsonValue: unknown } | null {
  const raw = d.metafields?.[`${namespace}.${key}`];
  if (raw === undefined) return null;
  try {
    return { jsonValue: JSON.parse(raw) as unknown };
  } catch {
    return null;
  }
}

/** Functions by extension handle; each builds exactly the input its extension's input query asks for. */
const FUNCTIONS: Record<string, Run> = {
  "recovery-plays-discount": (d, lines) =>
    bundleDiscountRun({
      cart: { lines: lines.map((l) => ({ id: cartLineGid(l), quantity: l.quantity, bundle: BUNDLE_LINE_PROPERTY in l.properties ? { value: l.properties[BUNDLE_LINE_PROPERTY] } : null })) },
      discount: { discountClasses: d.discountClasses ?? ["PRODUCT"], metafield: metafieldJson(d, BUNDLE_FUNCTION_METAFIELD.namespace, BUNDLE_FUNCTION_METAFIELD.key) },
    }),
};

export const knownFunction = (handle: string | undefined): boolean => !!handle && handle in FUNCTIONS;

/**
 * Percent off per cart line (0–100) the discount's Function decides, or null when it returns no product
 * discount. With selection strategy FIRST only the first candidate applies.
 */
export function functionLinePercents(d: DevDiscount, lines: CartLine[]): number[] | null {
  const run = d.functionHandle ? FUNCTIONS[d.functionHandle] : undefined;
  if (!run) return null;
  const out = run(d, lines);
  const percents = lines.map(() => 0);
  let any = false;
  for (const op of out.operations) {
    const candidate = op.productDiscountsAdd?.candidates[0];
    if (!candidate) continue;
    const pct = Number(candidate.value.percentage.value);
    if (!(pct > 0)) continue;
    for (const t of candidate.targets) {
      const i = lines.findIndex((l) => cartLineGid(l) === t.cartLine.id);
      if (i >= 0) {
        percents[i] = Math.max(percents[i], Math.min(100, pct));
        any = true;
      }
    }
  }
  return any ? percents : null;
}
