// Analytics: per-play funnel, lift against the holdout with its 95 % interval, verdict, charts, CSV export.
// Guard: authenticate.admin. Reads daily aggregates only (through analytics.server when present).
import type { MetaFunction, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData, useNavigate, useSearchParams } from "@remix-run/react";
import { Badge, BlockStack, Card, DataTable, EmptyState, InlineGrid, InlineStack, Layout, Page, Select, Text } from "@shopify/polaris";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { useState } from "react";
import { ConversionChart } from "../components/ConversionChart";
import { useI18n } from "../components/I18n";
import { PropensityCard } from "../components/PropensityInsights";
import { RANGE_DAYS } from "../lib/stats/ranges";
import { analyticsRange, getAnalytics } from "../models/adminData.server";
import { abandonRates } from "../models/profileOutCheckout.server";
import { authenticate } from "../shopify.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: vizStyles }];


// The document title (the admin shows the app name; the title matters for accessibility and history).
export const meta: MetaFunction = () => [{ title: "Analytics · Recovery Plays" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const range = analyticsRange(new URL(request.url).searchParams);
  const analytics = await getAnalytics(session.shop, range);
  // Each play's effect on the abandoned-checkout rate: Shopify's abandoned checkouts joined to the arms' visitors.
  const abandon = await abandonRates(session.shop, range.from, range.to);
  return json({ days: range.days, analytics, abandon });
};

const VERDICT_TONE: Record<string, "success" | "critical" | "attention" | "warning" | undefined> = {
  working: "success", not_working: "critical", not_enough_data: "attention", no_control: "warning", data_quality: "critical",
};
// Verdicts that come without a lift figure: the page says why instead of showing a number it cannot back.
const UNMEASURED = new Set(["no_control", "data_quality"]);

export default function AnalyticsPage() {
  const { days, analytics, abandon } = useLoaderData<typeof loader>();
  const { t, number, percent, money, day } = useI18n();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [exporting, setExporting] = useState(false);
  const hasData = analytics.plays.some((p) => p.treatment.eligible + p.holdout.eligible > 0);

  // A plain link would lose the session token; App Bridge adds it to fetch, so download through fetch + Blob.
  const exportCsv = async () => {
    setExporting(true);
    try {
      const res = await fetch(`/app/analytics/csv?days=${days}`);
      if (!res.ok) throw new Error(String(res.status));
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = `recovery-plays-${days}d.csv`;
      a.click();
      URL.revokeObjectURL(url);
    } finally {
      setExporting(false);
    }
  };

  const rangeSelect = (
    <Select
      label={t("analytics.range")}
      labelInline
      options={RANGE_DAYS.map((d) => ({ label: t(`analytics.ranges.${d}`), value: String(d) }))}
      value={String(days)}
      onChange={(v) => {
        const next = new URLSearchParams(params);
        next.set("days", v);
        navigate(`?${next.toString()}`);
      }}
    />
  );

  return (
    <Page title={t("analytics.title")} subtitle={t("analytics.subtitle")} secondaryActions={hasData ? [{ content: t("analytics.export"), onAction: exportCsv, loading: exporting }] : []}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="100">
            {rangeSelect}
            <Text as="p" tone="subdued">
              {analytics.range.zone
                ? t("analytics.rangeDays", { from: day(analytics.range.from) ?? "", to: day(analytics.range.to) ?? "", zone: analytics.range.zone })
                : t("analytics.rangeDaysUtc", { from: day(analytics.range.from) ?? "", to: day(analytics.range.to) ?? "" })}
            </Text>
          </BlockStack>
        </Layout.Section>
        {!hasData ? (
          <Layout.Section>
            <Card>
              <EmptyState heading={t("analytics.empty")} image="" action={{ content: t("home.steps.play.action"), url: "/app/plays" }}>
                <Text as="p">{t("analytics.emptyBody")}</Text>
              </EmptyState>
            </Card>
          </Layout.Section>
        ) : (
          analytics.plays.map((p) => {
            const name = t(`plays.${p.play}.name`);
            const rate = (a: { eligible: number; orders: number }) => (a.eligible ? percent(a.orders / a.eligible, 2) : "—");
            const rows = (["eligible", "shown", "engaged", "orders"] as const).map((k) => [t(`analytics.${k === "orders" ? "ordered" : k}`), number(p.treatment[k]), number(p.holdout[k])]);
            rows.push([t("analytics.conversion"), rate(p.treatment), rate(p.holdout)]);
            rows.push([t("analytics.revenue"), money(p.treatment.revenue), money(p.holdout.revenue)]);
            const abandoned = (arm: string) => {
              const a = abandon.find((x) => x.play === p.play && x.arm === arm);
              return a && a.rate !== null ? t("analytics.abandonedValue", { rate: percent(a.rate, 1), n: number(a.started) }) : "—";
            };
            rows.push([t("analytics.abandonedCheckouts"), abandoned("treatment"), abandoned("holdout")]);
            return (
              <Layout.Section key={p.play}>
                <Card>
                  <BlockStack gap="300">
                    <InlineStack align="space-between" blockAlign="center">
                      <Text as="h2" variant="headingMd">
                        {name}
                      </Text>
                      {p.verdict ? <Badge tone={VERDICT_TONE[p.verdict]}>{t(`analytics.verdict.${p.verdict}`)}</Badge> : null}
                    </InlineStack>
                    {p.verdict && UNMEASURED.has(p.verdict) && p.verdictReason ? (
                      <Text as="p" tone={p.verdict === "data_quality" ? "critical" : "subdued"}>
                        {t(`analytics.verdictReason.${p.verdictReason}`)}
                      </Text>
                    ) : null}
                    <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
                      <DataTable
                        columnContentTypes={["text", "numeric", "numeric"]}
                        headings={[t("analytics.funnel"), t("analytics.treatment"), t("analytics.holdout")]}
                        rows={rows}
                      />
                      <BlockStack gap="200">
                        <Text as="p">
                          <Text as="span" fontWeight="semibold">
                            {t("analytics.lift")}:{" "}
                          </Text>
                          {p.lift
                            ? t("analytics.liftValue", { lift: percent(p.lift.estimate, 2), low: percent(p.lift.low, 2), high: percent(p.lift.high, 2) })
                            : "—"}
                        </Text>
                        <Text as="p">
                          {t("analytics.incrementalOrders")}: {p.incrementalOrders !== null ? number(p.incrementalOrders, 1) : "—"}
                        </Text>
                        <Text as="p">
                          {t("analytics.incrementalRevenue")}: {p.incrementalRevenue !== null ? money(p.incrementalRevenue) : "—"}
                        </Text>
                        <Text as="p">
                          {t("analytics.discountCost")}: {money(p.discountCost)}
                        </Text>
                        {p.sampleSizeNeeded ? (
                          <Text as="p" tone="subdued">
                            {t("analytics.sampleNeeded", { n: number(p.sampleSizeNeeded) })}
                          </Text>
                        ) : null}
                        {p.method ? (
                          <Text as="p" tone="subdued" variant="bodySm">
                            {t("analytics.method", { method: p.method })}
                          </Text>
                        ) : null}
                        {!analytics.statsAvailable ? (
                          <Text as="p" tone="subdued" variant="bodySm">
                            {t("analytics.unavailable")}
                          </Text>
                        ) : null}
                      </BlockStack>
                    </InlineGrid>
                    {p.daily.length > 1 ? (
                      <BlockStack gap="200">
                        <Text as="h3" variant="headingSm">
                          {t("analytics.chartTitle")}
                        </Text>
                        <ConversionChart
                          label={t("analytics.chartLabel", { name })}
                          series={[
                            { name: t("analytics.treatment"), data: p.daily.map((d) => ({ key: d.day, value: d.treatmentRate })) },
                            { name: t("analytics.holdout"), data: p.daily.map((d) => ({ key: d.day, value: d.holdoutRate })) },
                          ]}
                        />
                      </BlockStack>
                    ) : null}
                  </BlockStack>
                </Card>
              </Layout.Section>
            );
          })
        )}
        <Layout.Section>
          <PropensityCard insights={analytics.propensity} />
        </Layout.Section>
        {analytics.unattributedOrders ? (
          <Layout.Section>
            <Text as="p" tone="subdued">
              {t("analytics.unattributed", { n: number(analytics.unattributedOrders) })}
            </Text>
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}
