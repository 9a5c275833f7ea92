/** @jsxImportSource preact */
/**
 * purchase.checkout.actions.render-before — play "vip": when a VIP stays on one checkout step longer than
 * stallSeconds, offer the merchant's concierge contact next to the continue/pay button. The timer restarts on
 * every step change; nothing renders without a valid contact (email or http(s) URL).
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { checkoutSettings, conciergeHref, isVip } from "./core/eligibility";
import { shopifyApi, t, useConfig, useExposure, useProfile, useTurn } from "./runtime";

export default async function extension() {
  render(<Concierge />, document.body);
}

function Concierge() {
  const config = useConfig();
  const settings = checkoutSettings(config, "vip");
  const href = settings ? conciergeHref(settings.conciergeContact) : null;
  const buyer = useProfile(href !== null);
  const turn = useTurn("vip", config, buyer);
  const vip = settings && href && buyer.ready ? isVip(settings, buyer.profile) : false;
  const step = shopifyApi().buyerJourney.activeStep.value?.handle ?? "unknown";
  const stalled = useStall(vip ? settings!.stallSeconds : null, step);
  const exposure = useExposure("vip", settings !== null, vip && stalled ? true : undefined, buyer, { turn });

  if (!settings || !href || exposure.arm !== "treatment" || !turn) return null;

  return (
    <s-banner heading={t("vip.conciergeHeading")} tone="info" dismissible onDismiss={() => exposure.report("dismissed")}>
      <s-stack gap="small-200">
        <s-text>{t("vip.conciergeBody")}</s-text>
        <s-link href={href} target="_blank" onClick={() => exposure.report("engaged")}>
          {settings.message.cta || t("vip.conciergeLinkLabel")}
        </s-link>
      </s-stack>
    </s-banner>
  );
}

/** True once the buyer has stayed `seconds` on the same step; resets when the step changes. */
function useStall(seconds: number | null, step: string): boolean {
  const [stalledOn, setStalledOn] = useState<string | null>(null);
  useEffect(() => {
    if (seconds === null) return;
    const timer = setTimeout(() => setStalledOn(step), Math.max(0, seconds) * 1000);
    return () => clearTimeout(timer);
  }, [seconds, step]);
  return stalledOn === step;
}
