/** @jsxImportSource preact */
/**
 * purchase.checkout.payment-method-list.render-before — play "vip": the merchant's payment-options message for
 * VIP segments, with a pointer to the payment methods below when the cart is ≥ aovMultiple × the buyer's AOV. The
 * copy names no method (no instalments, no pay-later): the extension does not know which ones the shop offers.
 * A big-ticket cart qualifies even when the profile is unavailable (shop AOV from the config, no network needed).
 */
import { render } from "preact";
import { checkoutSettings, isBigTicket, isVip } from "./core/eligibility";
import { checkoutCart, t, useConfig, useExposure, useProfile, useTurn } from "./runtime";

export default async function extension() {
  render(<PaymentOptions />, document.body);
}

function PaymentOptions() {
  const config = useConfig();
  const settings = checkoutSettings(config, "vip");
  const buyer = useProfile(settings !== null);
  const { ready, profile } = buyer;
  const turn = useTurn("vip", config, buyer);
  const vip = settings && ready ? isVip(settings, profile) : false;
  const bigTicket = settings && config && ready ? isBigTicket(settings, config, profile, checkoutCart()) : false;
  const exposure = useExposure("vip", settings !== null, ready ? vip || bigTicket : undefined, buyer, { turn });

  if (!settings || exposure.arm !== "treatment" || !turn) return null;
  const { heading, body } = settings.message;

  return (
    <s-banner heading={bigTicket ? t("vip.bigOrderHeading") : heading} tone="info">
      <s-stack gap="small-200">
        <s-text>{body}</s-text>
        {bigTicket ? <s-text>{t("vip.bigOrderBody")}</s-text> : null}
      </s-stack>
    </s-banner>
  );
}
