// The Deal-Seeker page's discount card: the synced bundle code, today's budget, and leaked-code detection with
// "Replace code" (the route's replaceCode intent).
import { useFetcher } from "@remix-run/react";
import { useAppBridge } from "@shopify/app-bridge-react";
import { Banner, BlockStack, Card, Text } from "@shopify/polaris";
import { useEffect } from "react";
import { useI18n } from "../I18n";

export type ReplaceData = { ok: true; intent: "replaceCode"; active: boolean } | { ok: false; intent: "replaceCode"; error: string; detail?: string };

export interface BundleDiscountCardProps {
  discountTitle: string | null;
  discountCode: string | null;
  /** What a code takes off: the bundle's items only (the discount Function) or the whole cart; null = unknown. */
  discountScope: "bundle_lines" | "whole_cart" | null;
  enabled: boolean;
  budget: { issued: number; discount: number; pooled: number } | null;
  codeLeaks: { since: string; leakedOrders: number; discountedOrders: number; leakedDiscount: number } | null;
}

export function BundleDiscountCard({ discountTitle, discountCode, discountScope, enabled, budget, codeLeaks }: BundleDiscountCardProps) {
  const { t, date, money } = useI18n();
  const shopify = useAppBridge();
  const replaceFetcher = useFetcher<ReplaceData>();
  const replacing = replaceFetcher.state !== "idle";
  const replaced = replaceFetcher.state === "idle" ? replaceFetcher.data : undefined;
  const replace = () => replaceFetcher.submit({ intent: "replaceCode" }, { method: "post", encType: "application/json" });

  useEffect(() => {
    if (replaceFetcher.state !== "idle" || !replaceFetcher.data?.ok) return;
    try {
      shopify.toast.show(t("playPage.codeReplaced"));
    } catch {
      // Outside the Shopify admin there is no toast; the card shows the new code after the reload.
    }
  }, [replaceFetcher.state, replaceFetcher.data, shopify, t]);

  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {t("playPage.discountTitle")}
        </Text>
        <Text as="p">
          {discountTitle && discountCode
            ? t("playPage.discountSynced", {
                title: discountTitle,
                code: discountCode,
                state: enabled ? t("playPage.discountActive") : t("playPage.discountInactive"),
              })
            : t("playPage.discountNone")}
        </Text>
        {discountTitle && discountCode && discountScope === "bundle_lines" ? <Text as="p">{t("playPage.discountScopeBundle")}</Text> : null}
        {discountTitle && discountCode && discountScope === "whole_cart" ? (
          <Banner tone="info" action={{ content: t("playPage.codeReplace"), loading: replacing, onAction: replace }}>
            <Text as="p">{t("playPage.discountScopeCart")}</Text>
          </Banner>
        ) : null}
        {budget ? (
          <Text as="p" tone="subdued">
            {t("playPage.budgetToday", { issued: budget.issued, amount: money(budget.discount), pooled: budget.pooled })}
          </Text>
        ) : null}
        {codeLeaks && codeLeaks.leakedOrders > 0 ? (
          <Banner
            tone="warning"
            title={t("playPage.codeLeakTitle")}
            action={{ content: t("playPage.codeReplace"), loading: replacing, onAction: replace }}
          >
            <Text as="p">
              {t("playPage.codeLeakBody", {
                since: date(codeLeaks.since) ?? "",
                leaked: codeLeaks.leakedOrders,
                orders: codeLeaks.discountedOrders,
                amount: money(codeLeaks.leakedDiscount),
              })}
            </Text>
          </Banner>
        ) : codeLeaks && codeLeaks.discountedOrders > 0 ? (
          <Text as="p" tone="subdued">
            {t("playPage.codeLeakNone", { since: date(codeLeaks.since) ?? "", orders: codeLeaks.discountedOrders })}
          </Text>
        ) : null}
        {replaced && !replaced.ok ? <Banner tone="critical" title={t(replaced.error, { error: replaced.detail ?? "" })} /> : null}
      </BlockStack>
    </Card>
  );
}
