// Leak finder: the funnel over a range of the shop's days, the pages and products that lose the most shoppers with
// their hesitation signals and the play that answers them (with a "turn on" action), the store beside the brief's
// reference figures, and revenue and profit per visitor lift per play. Guard: authenticate.admin. Reads only the
// leak job's aggregates and DailyPlayStat (never raw events).
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigate } from "@remix-run/react";
import { useAppBridge } from "@shopify/app-bridge-react";
import { Badge, BlockStack, Button, Card, EmptyState, InlineGrid, InlineStack, Layout, Page, Select, Text } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { z } from "zod";
import { useI18n } from "../components/I18n";
import { FigureTable, LeakChart } from "../components/LeakCharts";
import { PLAY_KEYS } from "../lib/plays/types";
import { bounceBand, LEAK_RANGE_DAYS, type Leak } from "../lib/stats/funnel";
import { readJsonBody } from "../models/adminData.server";
import { getLeakReport, leakRange, setMarginPercent } from "../models/leaks.server";
import { savePlayAndPublish } from "../models/publish.server";
import { authenticate } from "../shopify.server";

export const meta: MetaFunction = () => [{ title: "Leak finder · Recovery Plays" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const range = await leakRange(session.shop, new URL(request.url).searchParams);
  const report = await getLeakReport(session.shop, range);
  return json({ range: { days: range.days, from: range.from, to: range.to }, report });
};

/** A number, or a non-blank string holding one (a form field's value). */
const numeric = z.union([z.number(), z.string().trim().min(1).transform(Number)]);

/** What the page posts: the shop's margin, or turning on the play a leak points to (at the version it showed). */
const actionSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("margin"),
    marginPercent: numeric.pipe(z.number().min(0).max(100)),
  }),
  z.object({ intent: z.literal("turnOn"), play: z.enum(PLAY_KEYS), version: numeric.pipe(z.number().int().min(0)) }),
]);

export const action = async ({ request }: ActionFunctionArgs) => {
  const { admin, session } = await authenticate.admin(request);
  const raw = await readJsonBody(request);
  const parsed = actionSchema.safeParse(raw);
  if (!parsed.success) {
    // A margin out of range (or blank) is the merchant's to fix; anything else is a bad request.
    if (raw.intent === "margin") return json({ ok: false, error: "settings.marginError" }, { status: 422 });
    return json({ ok: false, error: "errors.badRequest" }, { status: 400 });
  }
  const body = parsed.data;
  if (body.intent === "margin") {
    await setMarginPercent(session.shop, body.marginPercent);
    return json({ ok: true });
  }
  const result = await savePlayAndPublish(session.shop, admin, body.play, { version: body.version, enabled: true });
  if (!result.ok && result.kind === "conflict") return json({ ok: false, conflict: true }, { status: 409 });
  if (!result.ok) return json({ ok: false, error: "errors.badRequest" }, { status: 422 });
  return json({ ok: true, play: result.record.play, enabled: result.record.enabled });
};

const VERDICT_TONE: Record<string, "success" | "critical" | "attention" | "warning" | undefined> = {
  working: "success", not_working: "critical", not_enough_data: "attention", no_control: "warning", data_quality: "critical",
};

type Report = ReturnType<typeof useLoaderData<typeof loader>>["report"];

function TurnOn({ play, version, name }: { play: string; version: number; name: string }) {
  const fetcher = useFetcher<{ ok: boolean }>();
  const { t } = useI18n();
  const shopify = useAppBridge();
  useEffect(() => {
    if (fetcher.state !== "idle" || !fetcher.data) return;
    shopify.toast.show(fetcher.data.ok ? t("leaks.turnedOn", { name }) : t("leaks.turnOnFailed"), { isError: !fetcher.data.ok });
  }, [fetcher.state, fetcher.data, shopify, t, name]);
  return (
    <Button
      size="slim"
      loading={fetcher.state !== "idle"}
      onClick={() => fetcher.submit({ intent: "turnOn", play, version }, { method: "post", encType: "application/json" })}
    >
      {t("leaks.turnOn", { name })}
    </Button>
  );
}

export default function LeaksPage() {
  const { range, report } = useLoaderData<typeof loader>();
  const { t, number, percent, money, day } = useI18n();
  const navigate = useNavigate();
  const [exporting, setExporting] = useState(false);
  const hasData = report.funnel.visits > 0;
  const playOf = (key: string) => report.plays.find((p) => p.play === key);

  // A plain link would lose the session token; App Bridge adds it to fetch, so download through fetch + Blob.
  const exportCsv = async () => {
    setExporting(true);
    try {
      const res = await fetch(`/app/leaks/csv?days=${range.days}&min=${report.minSample}`);
      if (!res.ok) throw new Error(String(res.status));
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = `recovery-plays-leaks-${range.days}d.csv`;
      a.click();
      URL.revokeObjectURL(url);
    } finally {
      setExporting(false);
    }
  };

  const rangeSelect = (
    <BlockStack gap="100">
      <Select
        label={t("leaks.range")}
        labelInline
        options={LEAK_RANGE_DAYS.map((d) => ({ label: t(`leaks.ranges.${d}`), value: String(d) }))}
        value={String(range.days)}
        onChange={(v) => navigate(`?days=${v}&min=${report.minSample}`)}
      />
      <Text as="p" tone="subdued">
        {t("leaks.rangeNote", { from: day(range.from) ?? range.from, to: day(range.to) ?? range.to })}
      </Text>
    </BlockStack>
  );

  if (!hasData) {
    return (
      <Page title={t("leaks.title")} subtitle={t("leaks.subtitle")}>
        <Layout>
          <Layout.Section>{rangeSelect}</Layout.Section>
          <Layout.Section>
            <Card>
              <EmptyState heading={t("leaks.empty")} image="">
                <p>{t("leaks.emptyBody")}</p>
              </EmptyState>
            </Card>
          </Layout.Section>
        </Layout>
      </Page>
    );
  }

  const stepName = (s: string) => t(`leaks.steps.${s}`);
  /** The range's days in 7-day groups counted from its first day, summed, labelled by their first–last day. */
  const byWeek = (rows: typeof report.daily) => {
    const groups = new Map<number, { first: string; last: string; visits: number; adds: number; orders: number }>();
    for (const r of rows) {
      const k = Math.floor((Date.parse(r.day) - Date.parse(range.from)) / (7 * 86_400_000));
      const g = groups.get(k) ?? { first: r.day, last: r.day, visits: 0, adds: 0, orders: 0 };
      g.last = r.day;
      g.visits += r.visits;
      g.adds += r.adds;
      g.orders += r.orders;
      groups.set(k, g);
    }
    const out = [...groups.values()].map((g) => ({
      ...g,
      label: g.first === g.last ? day(g.first) ?? g.first : `${day(g.first) ?? g.first} – ${day(g.last) ?? g.last}`,
    }));
    return out;
  };
  const funnelSeries = [{ name: t("leaks.visitsCol"), data: report.steps.map((s) => ({ key: stepName(s.step), value: s.count })) }];
  const trendSteps = ["visits", "adds", "orders"] as const;
  // Past a month the trend is weekly: 13 points read better than 90, and the table behind the chart stays short.
  const weekly = range.days > 31;
  const trend = weekly ? byWeek(report.daily) : report.daily.map((r) => ({ ...r, label: day(r.day) ?? r.day }));
  const trendSeries = trendSteps.map((k) => ({ name: stepName(k), data: trend.map((r) => ({ key: r.label, value: r[k] })) }));

  return (
    <Page
      title={t("leaks.title")}
      subtitle={t("leaks.subtitle")}
      secondaryActions={[{ content: t("leaks.export"), onAction: exportCsv, loading: exporting }]}
    >
      <Layout>
        <Layout.Section>{rangeSelect}</Layout.Section>
        <Layout.Section>
          <LeakTable report={report} playOf={playOf} />
        </Layout.Section>
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t("leaks.funnelTitle")}</Text>
                <LeakChart kind="funnel" series={funnelSeries} />
                <FigureTable
                  label={t("leaks.funnelTitle")}
                  headings={[t("leaks.step"), t("leaks.visitsCol"), t("leaks.fromPrevious"), t("leaks.fromStart")]}
                  rows={report.steps.map((s) => [stepName(s.step), number(s.count), percent(s.fromPrevious, 1), percent(s.fromStart, 1)])}
                  numeric={[false, true, true, true]}
                />
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t(weekly ? "leaks.weeklyTrendTitle" : "leaks.trendTitle")}</Text>
                <LeakChart kind="trend" series={trendSeries} />
                <FigureTable
                  label={t(weekly ? "leaks.weeklyTrendTitle" : "leaks.trendTitle")}
                  headings={[t(weekly ? "leaks.weekCol" : "leaks.dayCol"), ...trendSteps.map(stepName)]}
                  rows={trend.map((r) => [r.label, number(r.visits), number(r.adds), number(r.orders)])}
                  numeric={[false, true, true, true]}
                />
              </BlockStack>
            </Card>
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <Benchmarks report={report} />
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">{t("leaks.profitTitle")}</Text>
              <Text as="p" tone="subdued">{t("leaks.profitBody", { margin: percent(report.marginPercent / 100, 0) })}</Text>
              <FigureTable
                label={t("leaks.profitTitle")}
                headings={[t("leaks.playCol"), t("leaks.rpv"), t("leaks.ppv"), t("leaks.verdict")]}
                rows={report.plays.map((p) => {
                  const iv = (x: { estimate: number; lower: number; upper: number }) =>
                    t("leaks.interval", { value: money(x.estimate), low: money(x.lower), high: money(x.upper) });
                  return [
                    t(`plays.${p.play}.name`),
                    iv(p.lift.revenuePerVisitor),
                    iv(p.lift.profitPerVisitor),
                    <InlineStack key={p.play} gap="100">
                      <Badge tone={VERDICT_TONE[p.verdict]}>{t(`analytics.verdict.${p.verdict}`)}</Badge>
                      {p.costsMoney ? <Text as="span" tone="subdued">{t("leaks.judgedOnProfit")}</Text> : null}
                    </InlineStack>,
                  ];
                })}
              />
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function LeakTable({ report, playOf }: { report: Report; playOf: (k: string) => Report["plays"][number] | undefined }) {
  const { t, number, percent } = useI18n();
  const row = (l: Leak) => {
    const p = l.play ? playOf(l.play) : undefined;
    const name = l.play ? t(`plays.${l.play}.name`) : "";
    return [
      t(l.kind === "product" ? "leaks.productLeak" : "leaks.pageLeak", { path: l.path || "/" }),
      t(l.kind === "product" ? "leaks.lostProduct" : "leaks.lostPage", { count: number(l.count), sample: number(l.sample) }),
      `${percent(l.rate.estimate, 1)} (${percent(l.rate.lower, 1)}–${percent(l.rate.upper, 1)})`,
      l.signal ? t("leaks.signalShare", { share: percent(l.signal.share, 0), signal: t(`leaks.signals.${l.signal.key}`) }) : t("leaks.noSignal"),
      p ? (
        <InlineStack key={l.kind + l.path} gap="200" blockAlign="center">
          <Text as="span">{name}</Text>
          <Badge tone={p.enabled ? "success" : undefined}>{t(p.enabled ? "leaks.state.on" : "leaks.state.off")}</Badge>
          {p.enabled ? null : <TurnOn play={p.play} version={p.version} name={name} />}
        </InlineStack>
      ) : (
        "—"
      ),
    ];
  };
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">{t("leaks.leaksTitle")}</Text>
        <Text as="p" tone="subdued">{t("leaks.leaksBody", { min: report.minSample })}</Text>
        {report.leaks.length === 0 ? (
          <Text as="p">{t("leaks.noLeaks")}</Text>
        ) : (
          <FigureTable
            label={t("leaks.leaksTitle")}
            headings={[t("leaks.where"), t("leaks.lost"), t("leaks.rate"), t("leaks.signal"), t("leaks.playCol")]}
            rows={report.leaks.map(row)}
          />
        )}
      </BlockStack>
    </Card>
  );
}

function Benchmarks({ report }: { report: Report }) {
  const { t, number, percent } = useI18n();
  const yours = (r: { estimate: number; lower: number; upper: number } | null) =>
    r ? t("leaks.yours", { rate: percent(r.estimate, 1), low: percent(r.lower, 1), high: percent(r.upper, 1) }) : t("leaks.noRate");
  const red = report.reduction;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">{t("leaks.benchTitle")}</Text>
        <Text as="p" tone="subdued">{t("leaks.benchBody")}</Text>
        <InlineGrid columns={{ xs: 1, md: 3 }} gap="400">
          <BlockStack gap="100">
            <Text as="h3" variant="headingSm">{t("leaks.cartAbandonment")}</Text>
            <Text as="p">{yours(report.rates.cartAbandonment)}</Text>
            <Text as="p" tone="subdued">{t("leaks.cartAbandonmentRef")}</Text>
          </BlockStack>
          <BlockStack gap="100">
            <Text as="h3" variant="headingSm">{t("leaks.bounce")}</Text>
            <Text as="p">{yours(report.rates.bounce)}</Text>
            {report.rates.bounce ? <Text as="p">{t(`leaks.bounceBand.${bounceBand(report.rates.bounce.estimate)}`)}</Text> : null}
            <Text as="p" tone="subdued">{t("leaks.bounceRef")}</Text>
          </BlockStack>
          <BlockStack gap="100">
            <Text as="h3" variant="headingSm">{t("leaks.reduction")}</Text>
            <Text as="p">
              {red
                ? t("leaks.reductionValue", {
                    value: number(red.estimate * 100, 1), low: number(red.lower * 100, 1), high: number(red.upper * 100, 1),
                    treatment: number(red.treatment), holdout: number(red.holdout),
                  })
                : t("leaks.reductionNone")}
            </Text>
          </BlockStack>
        </InlineGrid>
      </BlockStack>
    </Card>
  );
}
