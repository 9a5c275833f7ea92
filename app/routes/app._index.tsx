// Home: the setup guide (each step reads its real state from Shopify or our database) and honest first numbers.
// Guard: authenticate.admin.
import type { MetaFunction, ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, InlineGrid, InlineStack, Layout, Page, ProgressBar, Text } from "@shopify/polaris";
import { useEffect } from "react";
import { SetupStep } from "../components/SetupStep";
import { useI18n } from "../components/I18n";
import { z } from "zod";
import { getAnalytics, readJsonBody, startHistorySync } from "../models/adminData.server";
import { markCheckoutStep, onboardingState } from "../models/onboarding.server";
import { authenticate } from "../shopify.server";

// The document title (the admin shows the app name; the title matters for accessibility and history).
export const meta: MetaFunction = () => [{ title: "Recovery Plays" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { admin, session } = await authenticate.admin(request);
  const to = new Date();
  const from = new Date(to.getTime() - 30 * 86_400_000);
  const [onboarding, analytics] = await Promise.all([onboardingState(session.shop, admin), getAnalytics(session.shop, { from, to })]);
  const totals = analytics.plays.reduce(
    (acc, p) => ({ eligible: acc.eligible + p.treatment.eligible + p.holdout.eligible, shown: acc.shown + p.treatment.shown, orders: acc.orders + p.treatment.orders }),
    { eligible: 0, shown: 0, orders: 0 },
  );
  return json({ onboarding, totals });
};

/** What the home page posts: the checkout step marked done (or not), or the history sync started. */
const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("checkoutDone"), done: z.boolean() }),
  z.object({ intent: z.literal("startSync") }),
]);

export const action = async ({ request }: ActionFunctionArgs) => {
  const { admin, session } = await authenticate.admin(request);
  const parsed = actionSchema.safeParse(await readJsonBody(request));
  if (!parsed.success) return json({ ok: false, error: "errors.badRequest" }, { status: 400 });
  const body = parsed.data;
  if (body.intent === "checkoutDone") {
    await markCheckoutStep(session.shop, body.done);
    return json({ ok: true });
  }
  return json(await startHistorySync(session.shop, admin));
};

export default function Home() {
  const { onboarding, totals } = useLoaderData<typeof loader>();
  const { t, number, date } = useI18n();
  const fetcher = useFetcher();
  const revalidator = useRevalidator();
  const { steps, sync, theme, plan, links, grants } = onboarding;
  // Each grant Shopify withholds, with where to turn it on (bulk access, scopes, the 60-day history window).
  const grantProblems = [
    grants.bulkAccess === "denied" ? t("home.grants.bulkDenied") : null,
    grants.missingScopes && grants.missingScopes.length > 0 ? t("home.grants.missingScopes", { scopes: grants.missingScopes.join(", ") }) : null,
    grants.history?.limited ? t("home.grants.historyLimited") : null,
  ].filter((x): x is string => x !== null);
  const doneCount = Object.values(steps).filter(Boolean).length;
  const total = Object.keys(steps).length;

  // While the history import runs, refresh its progress every few seconds.
  useEffect(() => {
    if (sync.status !== "running") return;
    const id = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), 4000);
    return () => clearInterval(id);
  }, [sync.status, revalidator]);

  const syncText =
    !sync.available && sync.status === "none"
      ? t("home.steps.sync.none")
      : sync.status === "running"
        ? t("home.steps.sync.running", { orders: number(sync.orders), customers: number(sync.customers) })
        : sync.status === "completed"
          ? t("home.steps.sync.done", { orders: number(sync.orders), customers: number(sync.customers) })
          : sync.status === "failed"
            ? grants.bulkAccess === "denied"
              ? t("home.grants.bulkDenied")
              : t("home.steps.sync.failed", { error: sync.error ?? "" })
            : t("home.steps.sync.none");
  const coveredText =
    sync.status === "completed" && grants.history?.from
      ? t(grants.history.limited ? "home.steps.sync.coveredLimited" : "home.steps.sync.covered", { from: date(grants.history.from) ?? "" })
      : null;
  const checkoutBody = plan.shopifyPlus === true ? t("home.steps.checkout.bodyPlus") : plan.shopifyPlus === false ? t("home.steps.checkout.bodyNonPlus", { plan: plan.name ?? "" }) : t("home.steps.checkout.bodyUnknown");

  return (
    <Page title={t("home.title")} subtitle={t("home.subtitle")}>
      <Layout>
        {grantProblems.length > 0 ? (
          <Layout.Section>
            <Banner tone="warning" title={t("home.grants.title")}>
              <BlockStack gap="200">
                {grantProblems.map((text) => (
                  <Text as="p" key={text}>
                    {text}
                  </Text>
                ))}
              </BlockStack>
            </Banner>
          </Layout.Section>
        ) : null}
        {theme.error ? (
          <Layout.Section>
            <Banner tone="warning">
              <Text as="p">{t("home.themeUnknown", { error: theme.error })}</Text>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                {t("home.setupTitle")}
              </Text>
              <Text as="p" tone="subdued">
                {t("home.setupProgress", { done: doneCount, total })}
              </Text>
              <ProgressBar progress={(doneCount / total) * 100} size="small" tone="primary" />
              <SetupStep
                title={t("home.steps.sync.title")}
                done={steps.sync}
                actions={
                  sync.status === "none" || sync.status === "failed" ? (
                    <Button loading={fetcher.state !== "idle"} onClick={() => fetcher.submit({ intent: "startSync" }, { method: "post", encType: "application/json" })}>
                      {t("home.steps.sync.action")}
                    </Button>
                  ) : undefined
                }
              >
                <Text as="p">{t("home.steps.sync.body")}</Text>
                <Text as="p" tone={sync.status === "failed" ? "critical" : "subdued"}>
                  {syncText}
                </Text>
                {coveredText ? (
                  <Text as="p" tone="subdued">
                    {coveredText}
                  </Text>
                ) : null}
                {sync.status === "running" || sync.status === "completed" ? (
                  <ProgressBar progress={sync.progress !== null ? sync.progress * 100 : 5} size="small" tone={sync.status === "completed" ? "success" : "highlight"} animated={sync.status === "running"} />
                ) : null}
              </SetupStep>
              <SetupStep
                title={t("home.steps.embed.title")}
                done={steps.embed}
                actions={
                  <Button url={links.embed} target="_top" variant={steps.embed ? "secondary" : "primary"}>
                    {t("home.steps.embed.action")}
                  </Button>
                }
              >
                <Text as="p">{t("home.steps.embed.body")}</Text>
              </SetupStep>
              <SetupStep
                title={t("home.steps.blocks.title")}
                done={steps.blocks}
                actions={
                  <>
                    <Button url={links.cartBlock} target="_top" disabled={theme.cartBlock === true}>
                      {t("home.steps.blocks.actionCart")}
                    </Button>
                    <Button url={links.productBlock} target="_top" disabled={theme.productBlock === true}>
                      {t("home.steps.blocks.actionProduct")}
                    </Button>
                  </>
                }
              >
                <Text as="p">{t("home.steps.blocks.body")}</Text>
                <Text as="p" tone="subdued">
                  {t("home.steps.blocks.cart")}: {theme.cartBlock ? t("common.done") : t("common.notDone")} · {t("home.steps.blocks.product")}:{" "}
                  {theme.productBlock ? t("common.done") : t("common.notDone")}
                </Text>
              </SetupStep>
              <SetupStep
                title={t("home.steps.checkout.title")}
                done={steps.checkout}
                actions={
                  <>
                    <Button url={links.checkoutEditor} target="_top">
                      {t("home.steps.checkout.action")}
                    </Button>
                    {onboarding.checkout.evidence !== "events" ? (
                      <Button
                        variant="plain"
                        onClick={() => fetcher.submit({ intent: "checkoutDone", done: !steps.checkout }, { method: "post", encType: "application/json" })}
                      >
                        {steps.checkout ? t("home.steps.checkout.markNotDone") : t("home.steps.checkout.markDone")}
                      </Button>
                    ) : null}
                  </>
                }
              >
                <Text as="p">{checkoutBody}</Text>
                <Text as="p" tone="subdued">
                  {t("home.steps.checkout.targets")}
                </Text>
                <Text as="p" tone="subdued">
                  {t("home.steps.checkout.manual")}
                </Text>
                <InlineStack gap="200" blockAlign="center">
                  <Text as="p">
                    {t("payments.title")}:{" "}
                    <Badge tone={onboarding.payments?.enabled ? "success" : undefined}>
                      {onboarding.payments === null ? t("common.unknown") : onboarding.payments.enabled ? t("payments.on") : t("payments.off")}
                    </Badge>
                  </Text>
                  <Button variant="plain" url="/app/plays/vip">
                    {onboarding.payments?.enabled ? t("payments.title") : t("payments.turnOn")}
                  </Button>
                </InlineStack>
              </SetupStep>
              <SetupStep
                title={t("home.steps.play.title")}
                done={steps.play}
                actions={
                  <Button url="/app/plays" variant={steps.play ? "secondary" : "primary"}>
                    {t("home.steps.play.action")}
                  </Button>
                }
              >
                <Text as="p">{steps.play ? t("home.steps.play.done", { count: onboarding.playsOn.length }) : t("home.steps.play.body")}</Text>
              </SetupStep>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t("home.statsTitle")}
              </Text>
              {totals.eligible === 0 ? (
                <Text as="p" tone="subdued">
                  {t("home.statsEmpty")}
                </Text>
              ) : (
                <InlineGrid columns={3} gap="300">
                  {(["eligible", "shown", "orders"] as const).map((k) => (
                    <BlockStack key={k} gap="100">
                      <Text as="p" tone="subdued">
                        {t(`home.${k}`)}
                      </Text>
                      <Text as="p" variant="headingLg">
                        {number(totals[k])}
                      </Text>
                    </BlockStack>
                  ))}
                </InlineGrid>
              )}
              <Text as="p" tone="subdued" variant="bodySm">
                {t("home.industry")}
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
