/** @jsxImportSource preact */
/**
 * purchase.checkout.cart-line-list.render-after — play "deal_seeker": offers the complementary product of the
 * first cart line (Storefront API recommendations, intent COMPLEMENTARY) to visitors the storefront flagged as
 * deal seekers. The saving is the app's real bundle discount code, mentioned only when the config names one; the
 * code itself comes from the app for this visitor when the buyer accepts (POST /api/checkout/bundle) and is
 * applied with applyDiscountCodeChange, so no other buyer gets the discount.
 */
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { BUNDLE_LINE_PROPERTY } from "../../../app/lib/discounts/bundleFunction";
import { fetchBundleCode, withTimeout } from "./core/backend";
import { storefrontPlays } from "./core/data";
import { bundleDiscountPercent, checkoutSettings, isDealSeeker } from "./core/eligibility";
import { allowedProcessing, backendDeps, shopifyApi, t, useConfig, useExposure, useProfile, useTurn } from "./runtime";

export default async function extension() {
  render(<Bundle />, document.body);
}

export const COMPLEMENTARY_QUERY = `query RecoveryPlaysComplementary($productId: ID!) {
  productRecommendations(productId: $productId, intent: COMPLEMENTARY) {
    id
    title
    variants(first: 1) { nodes { id availableForSale price { amount currencyCode } } }
  }
}`;

const QUERY_TIMEOUT_MS = 3000;

interface Offer {
  productTitle: string;
  variantId: string;
  price: { amount: number; currencyCode: string } | null;
}

interface RecommendationsData {
  productRecommendations?: Array<{
    id: string;
    title: string;
    variants?: { nodes?: Array<{ id: string; availableForSale: boolean; price?: { amount: string; currencyCode: string } }> };
  }> | null;
}

type Status = "idle" | "adding" | "added" | "discounted" | "error";

function Bundle() {
  const api = shopifyApi();
  const config = useConfig();
  const settings = checkoutSettings(config, "deal_seeker");
  // The bundle code is a personal marketing offer: only with the buyer's marketing consent, for both arms alike
  // (a buyer without it is out of the play's segment, not in its holdout).
  const marketing = allowedProcessing().marketing;
  const dealSeeker = settings !== null && marketing && isDealSeeker(storefrontPlays(api.attributes.value));
  const canAdd = api.instructions.value.lines.canAddCartLine && Boolean(api.applyCartLinesChange);
  const lines = api.lines.value;
  const anchorProductId = lines[0]?.merchandise.product.id;
  const offer = useComplementaryOffer(dealSeeker && canAdd ? anchorProductId : undefined, lines);
  // The bundle comes last: a VIP or first-time buyer gets their play instead (one intervention at a time).
  const buyer = useProfile(dealSeeker);
  const turn = useTurn("deal_seeker", config, buyer);
  const exposure = useExposure(
    "deal_seeker",
    settings !== null,
    offer === undefined || turn === undefined ? undefined : offer !== null,
    buyer,
    { turn },
  );
  const [status, setStatus] = useState<Status>("idle");

  if (!settings || !config || !offer || exposure.arm !== "treatment" || !turn) return null;

  const percent = bundleDiscountPercent(settings, config);
  const discount = config.shop.bundleDiscountTitle ?? "";
  const product = offer.productTitle;

  /** The visitor's bundle code from the app, applied to the checkout; false when there is none or it fails. */
  const applyBundleCode = async (): Promise<boolean> => {
    // The app's visitor, whose treatment arm the exposure used; the app checks both again before giving a code.
    const visitor = buyer.visitor;
    if (percent === null || !visitor || !api.applyDiscountCodeChange || !api.instructions.value.discounts.canUpdateDiscountCodes) return false;
    // Consent can be withdrawn while the offer is on screen: no code is asked for after that.
    if (!allowedProcessing().marketing) return false;
    const code = await fetchBundleCode(backendDeps(), visitor.id);
    if (!code) return false;
    try {
      return (await api.applyDiscountCodeChange({ type: "addDiscountCode", code })).type === "success";
    } catch {
      return false;
    }
  };

  /**
   * The bundle is the added line and the line it complements: the anchor gets the bundle attribute too, so the
   * bundle discount Function (which discounts tagged lines only, two or more) covers both. Line ids change after
   * every cart change, so the anchor is looked up again; its other attributes are kept (an update replaces them
   * all). A refused update leaves the bundle without the discount, never the cart broken.
   */
  const tagAnchorLine = async (): Promise<void> => {
    const anchor = api.lines.value.find((l) => l.merchandise.product.id === anchorProductId && l.merchandise.id !== offer.variantId);
    if (!anchor || anchor.attributes.some((a) => a.key === BUNDLE_LINE_PROPERTY)) return;
    try {
      await api.applyCartLinesChange!({
        type: "updateCartLine",
        id: anchor.id,
        attributes: [...anchor.attributes, { key: BUNDLE_LINE_PROPERTY, value: "1" }],
      });
    } catch {
      // The added line stays; without the anchor's tag the code takes nothing off.
    }
  };

  const add = async () => {
    setStatus("adding");
    try {
      // The line attribute marks the added line as bundle, the only kind of line the bundle code discounts.
      const result = await api.applyCartLinesChange!({
        type: "addCartLine",
        merchandiseId: offer.variantId,
        quantity: 1,
        attributes: [{ key: BUNDLE_LINE_PROPERTY, value: "1" }],
      });
      if (result.type === "success") {
        exposure.report("engaged");
        await tagAnchorLine();
        setStatus((await applyBundleCode()) ? "discounted" : "added");
      } else {
        setStatus("error");
      }
    } catch {
      setStatus("error");
    }
  };

  return (
    <s-stack gap="small-200">
      <s-heading>{settings.message.heading}</s-heading>
      <s-text>
        {percent !== null
          ? t("bundle.withDiscount", { product, percent, discount })
          : t("bundle.withoutDiscount", { product })}
      </s-text>
      {offer.price ? (
        <s-text>{t("bundle.price", { price: api.i18n.formatCurrency(offer.price.amount, { currency: offer.price.currencyCode }) })}</s-text>
      ) : null}
      {status === "added" || status === "discounted" ? (
        <s-banner tone="success">
          <s-text>{status === "discounted" ? t("bundle.addedWithDiscount", { product, discount }) : t("bundle.added", { product })}</s-text>
        </s-banner>
      ) : (
        <s-button
          variant="secondary"
          loading={status === "adding"}
          accessibilityLabel={t("bundle.addLabel", { product })}
          onClick={add}
        >
          {settings.message.cta}
        </s-button>
      )}
      {status === "error" ? (
        <s-banner tone="critical">
          <s-text>{t("bundle.error", { product })}</s-text>
        </s-banner>
      ) : null}
    </s-stack>
  );
}

/**
 * The first available complementary variant not already in the cart. undefined while looking it up; null when
 * there is none or the lookup failed/timed out (the offer then simply does not exist).
 */
function useComplementaryOffer(
  productId: string | undefined,
  lines: ReadonlyArray<{ merchandise: { product: { id: string } } }>,
): Offer | null | undefined {
  const [offer, setOffer] = useState<Offer | null | undefined>(undefined);
  // Read when the anchor product changes, not a reason to look again (see the effect's dependencies).
  const linesNow = useRef(lines);
  linesNow.current = lines;
  useEffect(() => {
    if (!productId) {
      setOffer(null);
      return;
    }
    let live = true;
    const inCart = new Set(linesNow.current.map((l) => l.merchandise.product.id));
    withTimeout(QUERY_TIMEOUT_MS, () =>
      shopifyApi().query<RecommendationsData>(COMPLEMENTARY_QUERY, { variables: { productId } }),
    )
      .then(({ data }) => pickOffer(data, inCart))
      .catch(() => null)
      .then((found) => {
        if (live) setOffer(found);
      });
    return () => {
      live = false;
    };
    // Looked up once per anchor product: adding the offer must not make it vanish mid-confirmation.
  }, [productId]);
  return productId ? offer : null;
}

function pickOffer(data: RecommendationsData | undefined, inCart: ReadonlySet<string>): Offer | null {
  for (const product of data?.productRecommendations ?? []) {
    if (inCart.has(product.id)) continue;
    const variant = product.variants?.nodes?.find((v) => v.availableForSale);
    if (!variant) continue;
    const amount = Number(variant.price?.amount);
    return {
      productTitle: product.title,
      variantId: variant.id,
      price: variant.price && Number.isFinite(amount) ? { amount, currencyCode: variant.price.currencyCode } : null,
    };
  }
  return null;
}
