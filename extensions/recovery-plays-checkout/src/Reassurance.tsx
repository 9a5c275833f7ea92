/** @jsxImportSource preact */
/**
 * purchase.checkout.block.render — play "confidence": returns-policy reassurance (merchant copy) and a secure
 * payment note for buyers with no completed purchase. Renders nothing until the profile is known or timed out.
 */
import { render } from "preact";
import { checkoutSettings, isFirstTimeBuyer } from "./core/eligibility";
import { shownMessage } from "../../../app/lib/plays/copy";
import { checkoutOrdersCount, refundPolicyUrl, shopifyApi, t, useConfig, useExposure, useProfile, useTurn } from "./runtime";

export default async function extension() {
  render(<Reassurance />, document.body);
}

function Reassurance() {
  const config = useConfig();
  const settings = checkoutSettings(config, "confidence");
  const buyer = useProfile(settings !== null);
  const turn = useTurn("confidence", config, buyer);
  const inSegment =
    settings && buyer.ready ? isFirstTimeBuyer(settings, { profile: buyer.profile, checkoutOrdersCount: checkoutOrdersCount() }) : undefined;
  const exposure = useExposure("confidence", settings !== null, inSegment, buyer, { turn });

  if (!settings || exposure.arm !== "treatment" || !turn) return null;
  // The play's return window fills {return_days}, as on the storefront.
  const { heading, body, cta } = shownMessage(settings);
  const policyUrl = refundPolicyUrl(shopifyApi().shop.storefrontUrl);

  return (
    <s-banner heading={heading} tone="info" dismissible onDismiss={() => exposure.report("dismissed")}>
      <s-stack gap="small-200">
        <s-text>{body}</s-text>
        <s-text>{t("confidence.securePayment")}</s-text>
        {policyUrl && cta ? (
          <s-link
            href={policyUrl}
            target="_blank"
            accessibilityLabel={t("confidence.policyLinkLabel")}
            onClick={() => exposure.report("engaged")}
          >
            {cta}
          </s-link>
        ) : null}
      </s-stack>
    </s-banner>
  );
}
