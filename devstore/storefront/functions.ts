// The app's discount Functions as the dev store's checkout runs them: Shopify calls the Function with the result
// of its input query and applies the operations it returns. Only the product-discount operations the app's
// Functions emit (percentage off listed cart lines) are applied here.
import { BUNDLE_FUNCTION_HANDLE, BUNDLE_FUNCTION_METAFIELD, BUNDLE_LINE_PROPERTY, bundleDiscountRun, type BundleFunctionResult } from "../../app/lib/discounts/bundleFunction";
import type { DevDiscount, DevStoreData } from "../types";
import type { CartLine } from "./cart";

type Run = (d: DevDiscount, lines: CartLine[]) => BundleFunctionResult;

const cartLineGid = (l: CartLine) => `gid://shopify/CartLine/${l.key}`;

/**
 * The discount's metafield as the input query's `metafield(namespace: "$app:…", key)` reads it: the Admin API
 * stores `$app:<ns>` as `app--<app id>--<ns>`, so either spelling of the app's own namespace matches.
 */
function metafieldJson(d: DevDiscount, namespace: string, key: string): { jsonValue: unknown } | null {
  const own = namespace.startsWith("$app:") ? namespace.slice(5) : null;
  const entry = Object.entries(d.metafields ?? {}).find(([k]) => {
    const dot = k.lastIndexOf(".");
    const ns = k.slice(0, dot);
    return k.slice(dot + 1) === key && (ns === namespace || (own !== null && /^app--\d+--/.test(ns) && ns.endsWith(`--${own}`)));
  });
  const raw = entry?.[1];
  if (raw === undefined) return null;
  try {
    return { jsonValue: JSON.parse(raw) as unknown };
  } catch {
    return null;
  }
}

/** Functions by extension handle; each builds exactly the input its extension's input query asks for. */
const FUNCTIONS: Record<string, Run> = {
  [BUNDLE_FUNCTION_HANDLE]: (d, lines) =>
    bundleDiscountRun({
      cart: { lines: lines.map((l) => ({ id: cartLineGid(l), quantity: l.quantity, bundle: BUNDLE_LINE_PROPERTY in l.properties ? { value: l.properties[BUNDLE_LINE_PROPERTY] } : null })) },
      discount: { discountClasses: d.discountClasses ?? ["PRODUCT"], metafield: metafieldJson(d, BUNDLE_FUNCTION_METAFIELD.namespace, BUNDLE_FUNCTION_METAFIELD.key) },
    }),
};

export const knownFunction = (handle: string | undefined): boolean => !!handle && handle in FUNCTIONS;

/** Whether the store has the app's discount Function with this handle (`DevStoreData.deployedFunctions`). */
export const deployedFunction = (data: Pick<DevStoreData, "deployedFunctions">, handle: string): boolean =>
  knownFunction(handle) && (data.deployedFunctions?.includes(handle) ?? true);

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
