// The signals behind a propensity score, in merchant terms: each signal's effect on the odds of a purchase
// (exp of its logit contribution: ×2.0 doubles the odds, ×0.5 halves them). Used by Customers and Analytics.
import { BlockStack, Text } from "@shopify/polaris";
import { useI18n } from "./I18n";

export function SignalList({ title, items, tone }: { title: string; items: { signal: string; effect: number }[]; tone: "success" | "critical" }) {
  const { t, number } = useI18n();
  if (items.length === 0) return null;
  return (
    <BlockStack gap="100">
      <Text as="h3" variant="headingSm">
        {title}
      </Text>
      <ul aria-label={title} style={{ margin: 0, paddingInlineStart: "1.25rem" }}>
        {items.map((s) => (
          <li key={s.signal}>
            <Text as="span">{t(`propensity.signals.${s.signal}`)}</Text>{" "}
            <Text as="span" tone={tone}>
              {t("propensity.odds", { factor: number(Math.exp(s.effect), 2) })}
            </Text>
          </li>
        ))}
      </ul>
    </BlockStack>
  );
}
