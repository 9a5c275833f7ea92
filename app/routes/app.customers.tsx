// Customer lookup: profile, RFM segment and why, lifecycle stage, AOV, Shopify's rfmGroup vs ours, propensity.
// Guard: authenticate.admin. Input: ?q= (numeric id or Customer GID), validated before any lookup. No email lookup:
// that would process a level-2 protected customer field, and the app needs level 1 only (docs/profiles.md).
import type { MetaFunction, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, EmptyState, InlineGrid, InlineStack, Layout, Page, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { useI18n } from "../components/I18n";
import { SignalList } from "../components/PropensitySignals";
import { getRfmAgreement, lookupCustomerView, type LookupResult } from "../models/adminData.server";
import { getPlay } from "../models/plays.server";
import type { PlaySettingsMap } from "../lib/plays/types";
import { authenticate } from "../shopify.server";

const QUERY_RE = /^(?:\d{1,20}|gid:\/\/shopify\/Customer\/\d{1,20})$/;

// The document title (the admin shows the app name; the title matters for accessibility and history).
export const meta: MetaFunction = () => [{ title: "Customers · Recovery Plays" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const q = (new URL(request.url).searchParams.get("q") ?? "").trim();
  const agreement = await getRfmAgreement(session.shop);
  if (!q) return json({ q, result: null as LookupResult | null, invalid: false, agreement, vipSegments: [] as string[] });
  if (q.length > 254 || !QUERY_RE.test(q)) return json({ q, result: null, invalid: true, agreement, vipSegments: [] }, { status: 400 });
  const [result, vip] = await Promise.all([lookupCustomerView(session.shop, q), getPlay(session.shop, "vip")]);
  return json({ q, result, invalid: false, agreement, vipSegments: (vip.settings as PlaySettingsMap["vip"]).segments as string[] });
};

export default function CustomersPage() {
  const { q, result, invalid, agreement, vipSegments } = useLoaderData<typeof loader>();
  const { t, money, date, number, percent } = useI18n();
  const navigation = useNavigation();
  const [query, setQuery] = useState(q);
  const c = result?.kind === "found" ? result.customer : null;
  const matches = c
    ? [
        ...(c.ordersCount === 0 ? ["confidence"] : []),
        ...(vipSegments.includes(c.segment) ? ["vip"] : []),
        "indecision",
        "deal_seeker",
      ]
    : [];

  return (
    <Page title={t("customers.title")} subtitle={t("customers.subtitle")}>
      <Layout>
        <Layout.Section>
          <Card>
            <Form method="get">
              <InlineStack gap="200" blockAlign="end" wrap={false}>
                <div style={{ flex: 1 }}>
                  <TextField
                    label={t("customers.query")}
                    name="q"
                    autoComplete="off"
                    value={query}
                    onChange={setQuery}
                    helpText={t("customers.queryHelp")}
                    error={invalid ? t("customers.invalidQuery") : undefined}
                  />
                </div>
                <Button submit variant="primary" loading={navigation.state === "loading"}>
                  {t("customers.search")}
                </Button>
              </InlineStack>
            </Form>
          </Card>
        </Layout.Section>
        {agreement ? (
          <Layout.Section>
            <Text as="p" tone="subdued">
              {t("customers.agreement", { percent: number(agreement.percent, 1), n: number(agreement.n) })}
            </Text>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          {!result ? (
            <Card>
              <EmptyState heading={t("customers.emptyTitle")} image="">
                <Text as="p">{t("customers.emptyBody")}</Text>
              </EmptyState>
            </Card>
          ) : result.kind === "not_found" ? (
            <Card>
              <Text as="p">{t("customers.notFound", { query: q })}</Text>
            </Card>
          ) : result.kind === "unavailable" ? (
            <Card>
              <Text as="p">{t("customers.unavailable")}</Text>
            </Card>
          ) : c ? (
            <BlockStack gap="400">
              <Card>
                <BlockStack gap="300">
                  <InlineStack gap="200" blockAlign="center">
                    <Text as="h2" variant="headingMd">
                      {t("customers.profile")} · {c.customerId}
                    </Text>
                    <Badge tone="info">{t(`rfm.${c.segment}`)}</Badge>
                    <Badge>{t(`stages.${c.stage}`)}</Badge>
                  </InlineStack>
                  <InlineGrid columns={{ xs: 2, md: 3 }} gap="300">
                    {[
                      [t("customers.orders"), number(c.ordersCount)],
                      [t("customers.netSpend"), money(c.netSpend)],
                      [t("customers.aov"), money(c.aov)],
                      [t("customers.firstOrder"), date(c.firstOrderAt) ?? t("common.never")],
                      [t("customers.lastOrder"), date(c.lastOrderAt) ?? t("common.never")],
                      [t("customers.stage"), t(`stages.${c.stage}`)],
                    ].map(([label, value]) => (
                      <BlockStack key={label} gap="050">
                        <Text as="p" tone="subdued">
                          {label}
                        </Text>
                        <Text as="p" fontWeight="semibold">
                          {value}
                        </Text>
                      </BlockStack>
                    ))}
                  </InlineGrid>
                </BlockStack>
              </Card>
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    {t("customers.segment")}: {t(`rfm.${c.segment}`)}
                  </Text>
                  <Text as="p">{t("customers.segmentWhy", { r: c.rScore, f: c.fScore, m: c.mScore })}</Text>
                  {c.reasons.map((r) => (
                    <Text as="p" key={r} tone="subdued">
                      {r}
                    </Text>
                  ))}
                  <InlineStack gap="200" blockAlign="center">
                    <Text as="p">
                      {t("customers.shopifyRfm")}: {c.shopifyRfmGroup ? t(`rfm.${c.shopifyRfmGroup}`) : t("common.unknown")}
                    </Text>
                    {c.agreesWithShopify !== null ? (
                      <Badge tone={c.agreesWithShopify ? "success" : "warning"}>{c.agreesWithShopify ? t("customers.agree") : t("customers.disagree")}</Badge>
                    ) : null}
                  </InlineStack>
                </BlockStack>
              </Card>
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    {t("customers.plays")}
                  </Text>
                  <InlineStack gap="200">
                    {matches.map((p) => (
                      <Badge key={p}>{t(`plays.${p}.name`)}</Badge>
                    ))}
                  </InlineStack>
                </BlockStack>
              </Card>
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    {t("customers.propensity")}
                  </Text>
                  {c.propensity ? (
                    <>
                      <Text as="p" variant="headingLg">
                        {percent(c.propensity.probability)}
                      </Text>
                      <Text as="p" tone="subdued">
                        {t("customers.propensityAt", { date: date(c.propensity.at) ?? "" })}{" "}
                        {t(c.propensity.source === "shop" ? "propensity.modelShop" : "propensity.modelShipped")}
                      </Text>
                      <SignalList title={t("propensity.up")} items={c.propensity.up} tone="success" />
                      <SignalList title={t("propensity.down")} items={c.propensity.down} tone="critical" />
                    </>
                  ) : (
                    <Text as="p" tone="subdued">
                      {t("customers.propensityNone")}
                    </Text>
                  )}
                </BlockStack>
              </Card>
            </BlockStack>
          ) : null}
        </Layout.Section>
      </Layout>
    </Page>
  );
}
