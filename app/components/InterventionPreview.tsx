/**
 * Live preview of a play's intervention as a matching shopper sees it: the same copy and the same structure
 * (heading, message, button, and the play's extras) the storefront block / checkout banner renders, in a neutral
 * theme style. Text is rendered as text (React escapes it), exactly as the Liquid blocks escape it.
 */
import { Box, Text } from "@shopify/polaris";
import type { CSSProperties } from "react";
import type { PlayKey, PlaySettingsMap, Surface } from "../lib/plays/types";
import { shownMessage } from "../lib/plays/copy";
import { useI18n } from "./I18n";

const frame: CSSProperties = { fontFamily: "Assistant, -apple-system, 'Segoe UI', sans-serif", color: "#121212", lineHeight: 1.5 };
const block: CSSProperties = { border: "1px solid rgba(18,18,18,0.12)", borderRadius: 8, padding: 16, background: "#fff" };
const checkoutBanner: CSSProperties = { border: "1px solid #c9d7f0", borderRadius: 8, padding: 12, background: "#eef3fd" };
const button: CSSProperties = { display: "inline-block", marginTop: 12, padding: "10px 16px", background: "#121212", color: "#fff", borderRadius: 4, fontSize: 14, border: 0 };
const chip: CSSProperties = { display: "inline-block", padding: "2px 8px", marginRight: 6, marginTop: 8, border: "1px solid rgba(18,18,18,0.2)", borderRadius: 12, fontSize: 12 };
const tile: CSSProperties = { width: 72, height: 72, borderRadius: 6, background: "#f1f1f1", display: "flex", alignItems: "center", justifyContent: "center", fontSize: 11, textAlign: "center", color: "#555" };

export function InterventionPreview<K extends PlayKey>({ play, settings, surface }: { play: K; settings: PlaySettingsMap[K]; surface: Surface }) {
  const { t, money } = useI18n();
  const m = shownMessage(settings);
  const inCheckout = surface === "checkout";
  let extras: JSX.Element | null = null;
  if (play === "vip") {
    const s = settings as PlaySettingsMap["vip"];
    extras = (
      <div>
        <div>
          <span style={chip}>{t("preview.payOptions")}</span>
        </div>
        <p style={{ margin: "8px 0 0", fontWeight: 600 }}>{t("preview.bigOrder")}</p>
        {s.conciergeContact ? <p style={{ margin: "8px 0 0" }}>{t("preview.concierge", { contact: s.conciergeContact })}</p> : null}
      </div>
    );
  } else if (play === "indecision") {
    const s = settings as PlaySettingsMap["indecision"];
    extras =
      s.alternativesCount > 0 ? (
        <div style={{ marginTop: 12 }}>
          <p style={{ margin: 0, fontWeight: 600 }}>{t("preview.alternatives")}</p>
          <div style={{ display: "flex", gap: 8, marginTop: 8, overflow: "hidden" }} aria-hidden="true">
            {Array.from({ length: Math.min(s.alternativesCount, 4) }, (_, i) => (
              <div key={i} style={tile}>
                {t("preview.alternative", { n: i + 1 })}
              </div>
            ))}
          </div>
        </div>
      ) : null;
  } else if (play === "deal_seeker") {
    const s = settings as PlaySettingsMap["deal_seeker"];
    extras = (
      <div>
        <p style={{ margin: "8px 0 0", fontWeight: 600 }}>{t("preview.bundleSave", { percent: s.discountPercent })}</p>
        {s.freeShippingThreshold > 0 ? <p style={{ margin: "4px 0 0" }}>{t("preview.freeShipping", { amount: money(s.freeShippingThreshold) })}</p> : null}
      </div>
    );
  } else if (play === "confidence" && (settings as PlaySettingsMap["confidence"]).checkoutPrompt) {
    extras = <p style={{ margin: "8px 0 0", fontSize: 13 }}>{t("preview.guestCheckout")}</p>;
  }
  return (
    <Box>
      <div style={frame} data-testid="intervention-preview" data-play={play} data-surface={surface}>
        <div style={inCheckout ? checkoutBanner : block} role="region" aria-label={m.heading || t(`plays.${play}.name`)}>
          <p style={{ margin: 0, fontWeight: 700, fontSize: inCheckout ? 14 : 16 }}>{m.heading}</p>
          <p style={{ margin: "4px 0 0", fontSize: 14 }}>{m.body}</p>
          {extras}
          {m.cta ? (
            <span style={inCheckout ? { ...button, background: "#1773b0" } : button} aria-hidden="true">
              {m.cta}
            </span>
          ) : null}
        </div>
      </div>
      <Box paddingBlockStart="200">
        <Text as="p" tone="subdued" variant="bodySm">
          {t("playPage.previewHelp", { surface: t(`surfaces.${surface}`).toLowerCase() })}
        </Text>
      </Box>
    </Box>
  );
}
