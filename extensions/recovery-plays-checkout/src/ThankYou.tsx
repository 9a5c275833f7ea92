/** @jsxImportSource preact */
/**
 * purchase.thank-you.block.render (all plans) — play "confidence" after the fact: a first-time buyer is
 * reminded of the returns policy they bought under. Nothing personalised beyond "first order", and no events: a
 * post-purchase view must not count as a pre-purchase exposure in the lift numbers. The one network call asks the
 * app for the arm of the order's `_rp_vid`, so a holdout buyer sees nothing here either.
 */
import { render } from "preact";
import { checkoutSettings } from "./core/eligibility";
import { shownMessage } from "../../../app/lib/plays/copy";
import { refundPolicyUrl, shopifyApi, t, useConfig, useExposure, useProfile } from "./runtime";

export default async function extension() {
  render(<ThankYou />, document.body);
}

function ThankYou() {
  const api = shopifyApi();
  const settings = checkoutSettings(useConfig(), "confidence");
  const firstOrder = api.orderConfirmation?.value.isFirstOrder === true;
  // The server's arm for the order's visitor: holdout buyers see nothing from the play here either.
  const buyer = useProfile(settings !== null && firstOrder);
  const exposure = useExposure("confidence", settings !== null, firstOrder ? true : undefined, buyer, { measure: false });

  if (!settings || exposure.arm !== "treatment") return null;
  const policyUrl = refundPolicyUrl(api.shop.storefrontUrl);
  const message = shownMessage(settings);

  return (
    <s-banner heading={t("thankYou.heading")} tone="success">
      <s-stack gap="small-200">
        <s-text>{message.body}</s-text>
        {policyUrl && message.cta ? (
          <s-link href={policyUrl} target="_blank" accessibilityLabel={t("thankYou.policyLinkLabel")}>
            {message.cta}
          </s-link>
        ) : null}
      </s-stack>
    </s-banner>
  );
}
