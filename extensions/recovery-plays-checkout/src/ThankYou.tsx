/** @jsxImportSource preact */
/**
 * purchase.thank-you.block.render (all plans) — play "confidence" after the fact: a first-time buyer is
 * reminded of the returns policy they bought under. Nothing personalised beyond "first order", no network call,
 * and no events: a post-purchase view must not count as a pre-purchase exposure in the lift numbers.
 */
import { render } from "preact";
import { checkoutSettings } from "./core/eligibility";
import { refundPolicyUrl, shopifyApi, t, useConfig, useExposure } from "./runtime";

export default async function extension() {
  render(<ThankYou />, document.body);
}

function ThankYou() {
  const api = shopifyApi();
  const settings = checkoutSettings(useConfig(), "confidence");
  const firstOrder = api.orderConfirmation?.value.isFirstOrder === true;
  // Same arm as in checkout: holdout buyers see nothing from the play here either.
  const exposure = useExposure("confidence", settings?.holdoutPercent ?? null, firstOrder ? true : undefined, {
    measure: false,
  });

  if (!settings || exposure.arm !== "treatment") return null;
  const policyUrl = refundPolicyUrl(api.shop.storefrontUrl);

  return (
    <s-banner heading={t("thankYou.heading")} tone="success">
      <s-stack gap="small-200">
        <s-text>{settings.message.body}</s-text>
        {policyUrl && settings.message.cta ? (
          <s-link href={policyUrl} target="_blank" accessibilityLabel={t("thankYou.policyLinkLabel")}>
            {settings.message.cta}
          </s-link>
        ) : null}
      </s-stack>
    </s-banner>
  );
}
