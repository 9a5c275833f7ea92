/** @jsxImportSource preact */
/**
 * purchase.checkout.payment-method-list.render-before — play "vip": the merchant's payment-options message for
 * VIP segments, with instalment (BNPL) emphasis when the cart is ≥ aovMultiple × the buyer's AOV. A big-ticket
 * cart qualifies even when the profile is unavailable (shop AOV from the config, no network needed).
 */
import { render } from "preact";
import { checkoutSettings, isBigTicket, isVip } from "./core/eligibility";
import { shopifyApi, t, useConfig, useExposure, useProfile } from "./runtime";

export default async function extension() {
  render(<PaymentOptions />, document.body);
}

function PaymentOptions() {
  const config = useConfig();
  const settings = checkoutSettings(config, "vip");
  const { ready, profile } = useProfile(settings !== null);
  const api = shopifyApi();
  const cart = {
    subtotal: api.cost.subtotalAmount.value?.amount ?? 0,
    currency: api.cost.subtotalAmount.value?.currencyCode ?? api.localization.currency.value.isoCode,
  };
  const vip = settings && ready ? isVip(settings, profile) : false;
  const bigTicket = settings && config && ready ? isBigTicket(settings, config, profile, cart) : false;
  const exposure = useExposure("vip", settings?.holdoutPercent ?? null, ready ? vip || bigTicket : undefined);

  if (!settings || exposure.arm !== "treatment") return null;
  const { heading, body } = settings.message;

  return (
    <s-banner heading={bigTicket ? t("vip.bnplHeading") : heading} tone="info">
      <s-stack gap="small-200">
        <s-text>{body}</s-text>
        {bigTicket ? <s-text>{t("vip.bnplBody")}</s-text> : null}
      </s-stack>
    </s-banner>
  );
}
