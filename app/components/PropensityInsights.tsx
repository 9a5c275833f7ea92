// Analytics card: what drives the purchase-propensity scores of the range's storefront sessions — each signal's
// average effect on the odds in sessions that ended in a purchase and in those that did not, the mean predicted
// probability next to the observed purchase rate, and which model scored them.
import { BlockStack, Card, DataTable, Text } from "@shopify/polaris";
import type { PropensityInsights as Insights } from "../models/propensity.server";
import { useI18n } from "./I18n";

export function PropensityCard({ insights, top = 6 }: { insights: Insights; top?: number }) {
  const { t, number, percent, date } = useI18n();
  const odds = (effect: number) => `×${number(Math.exp(effect), 2)}`;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("propensity.title")}
        </Text>
        {insights.sessions === 0 ? (
          <Text as="p" tone="subdued">
            {t("propensity.empty")}
          </Text>
        ) : (
          <>
            <Text as="p">
              {t("propensity.summary", {
                sessions: number(insights.sessions),
                purchases: number(insights.purchases),
                predicted: percent(insights.meanPredicted ?? 0, 1),
                observed: percent(insights.observedRate ?? 0, 1),
              })}
            </Text>
            <DataTable
              columnContentTypes={["text", "numeric", "numeric"]}
              headings={[t("propensity.signal"), t("propensity.inPurchased"), t("propensity.inNotPurchased")]}
              rows={insights.signals.slice(0, top).map((s) => [t(`propensity.signals.${s.signal}`), odds(s.purchased), odds(s.notPurchased)])}
            />
            <Text as="p" tone="subdued" variant="bodySm">
              {t("propensity.howToRead")}
            </Text>
          </>
        )}
        <Text as="p" tone="subdued" variant="bodySm">
          {insights.model.source === "shop"
            ? t("propensity.adaptedOn", { date: date(insights.model.trainedAt) ?? "", version: insights.model.version })
            : t("propensity.notAdapted")}
        </Text>
      </BlockStack>
    </Card>
  );
}
