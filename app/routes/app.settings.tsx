// Settings: formatting, data retention, data/uninstall information, history resync with progress.
// Guard: authenticate.admin. Input: retentionDays (30–730) validated with zod.
import type { MetaFunction, ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import { useAppBridge } from "@shopify/app-bridge-react";
import { MarginSetting } from "../components/MarginSetting";
import { Banner, BlockStack, Button, Card, InlineStack, Layout, Page, ProgressBar, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { z } from "zod";
import { useI18n } from "../components/I18n";
import prisma from "../db.server";
import { getSyncProgress, readJsonBody, startHistorySync } from "../models/adminData.server";
import { authenticate } from "../shopify.server";

/** What the page posts: the retention period, or a fresh history sync. */
const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("retention"), retentionDays: z.coerce.number().int().min(30).max(730) }),
  z.object({ intent: z.literal("resync") }),
]);

// The document title (the admin shows the app name; the title matters for accessibility and history).
export const meta: MetaFunction = () => [{ title: "Settings · Recovery Plays" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [shop, sync] = await Promise.all([prisma.shop.findUnique({ where: { shop: session.shop } }), getSyncProgress(session.shop)]);
  return json({ retentionDays: shop?.retentionDays ?? 365, currency: shop?.currencyCode ?? "USD", sync, marginPercent: shop?.marginPercent ?? 50 });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { admin, session } = await authenticate.admin(request);
  const raw = await readJsonBody(request);
  const parsed = actionSchema.safeParse(raw);
  if (!parsed.success) {
    // A retention period out of range is the merchant's to fix (422 on the field); anything else is a bad request.
    if (raw.intent === "retention") return json({ ok: false, fieldErrors: { retentionDays: { key: "settings.retentionError" } } }, { status: 422 });
    return json({ ok: false, error: "errors.badRequest" }, { status: 400 });
  }
  const body = parsed.data;
  if (body.intent === "retention") {
    await prisma.shop.upsert({
      where: { shop: session.shop },
      create: { shop: session.shop, retentionDays: body.retentionDays },
      update: { retentionDays: body.retentionDays },
    });
    return json({ ok: true, intent: "retention" });
  }
  const r = await startHistorySync(session.shop, admin);
  if (r.ok) return json({ ok: true, intent: "resync" });
  return json({ ok: false, intent: "resync", reason: r.reason, error: r.reason === "error" ? r.error : null }, { status: r.reason === "unavailable" ? 503 : 502 });
};

type ActionData = { ok: boolean; intent?: string; reason?: string; error?: string | null; fieldErrors?: Record<string, { key: string }> };

export default function SettingsPage() {
  const { retentionDays, sync, marginPercent } = useLoaderData<typeof loader>();
  const { t, money, locale, currency, number } = useI18n();
  const retention = useFetcher<ActionData>();
  const resync = useFetcher<ActionData>();
  const revalidator = useRevalidator();
  const shopify = useAppBridge();
  const [days, setDays] = useState(String(retentionDays));

  useEffect(() => {
    if (sync.status !== "running") return;
    const id = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), 4000);
    return () => clearInterval(id);
  }, [sync.status, revalidator]);

  useEffect(() => {
    const d = retention.data;
    if (retention.state !== "idle" || !d?.ok) return;
    try {
      shopify.toast.show(t("settings.retentionSaved"));
    } catch {
      // No App Bridge outside the Shopify admin.
    }
  }, [retention.state, retention.data, shopify, t]);

  const retentionError = retention.data?.fieldErrors?.retentionDays ? t(retention.data.fieldErrors.retentionDays.key) : undefined;
  const resyncError =
    resync.data && !resync.data.ok
      ? resync.data.reason === "unavailable"
        ? t("settings.resyncUnavailable")
        : t("settings.resyncFailed", { error: resync.data.error ?? "" })
      : null;

  return (
    <Page title={t("settings.title")}>
      <Layout>
        <Layout.AnnotatedSection title={t("settings.formatTitle")}>
          <Card>
            <Text as="p">{t("settings.formatBody", { currency, locale, example: `${money(1234.5)} · ${number(1234567)}` })}</Text>
          </Card>
        </Layout.AnnotatedSection>
        <MarginSetting marginPercent={marginPercent} />
        <Layout.AnnotatedSection title={t("settings.retentionTitle")} description={t("settings.retentionBody")}>
          <Card>
            <retention.Form method="post" onSubmit={(e) => {
              e.preventDefault();
              retention.submit({ intent: "retention", retentionDays: days }, { method: "post", encType: "application/json" });
            }}>
              <BlockStack gap="300">
                <TextField label={t("settings.retentionDays")} type="number" min={30} max={730} autoComplete="off" value={days} onChange={setDays} error={retentionError} />
                <InlineStack>
                  <Button submit variant="primary" loading={retention.state !== "idle"} disabled={days === String(retentionDays)}>
                    {t("common.save")}
                  </Button>
                </InlineStack>
              </BlockStack>
            </retention.Form>
          </Card>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection title={t("settings.syncTitle")} description={t("settings.syncBody")}>
          <Card>
            <BlockStack gap="300">
              {resyncError ? <Banner tone="critical">{resyncError}</Banner> : null}
              {sync.status === "running" || sync.status === "completed" ? (
                <>
                  <Text as="p">
                    {sync.status === "running"
                      ? t("home.steps.sync.running", { orders: number(sync.orders), customers: number(sync.customers) })
                      : t("home.steps.sync.done", { orders: number(sync.orders), customers: number(sync.customers) })}
                  </Text>
                  <ProgressBar progress={sync.progress !== null ? sync.progress * 100 : 5} size="small" animated={sync.status === "running"} />
                </>
              ) : sync.status === "failed" ? (
                <Text as="p" tone="critical">
                  {t("home.steps.sync.failed", { error: sync.error ?? "" })}
                </Text>
              ) : null}
              <InlineStack>
                <Button
                  loading={resync.state !== "idle"}
                  disabled={sync.status === "running"}
                  onClick={() => resync.submit({ intent: "resync" }, { method: "post", encType: "application/json" })}
                >
                  {t("settings.resync")}
                </Button>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection title={t("settings.dataTitle")}>
          <Card>
            <Text as="p">{t("settings.dataBody")}</Text>
          </Card>
        </Layout.AnnotatedSection>
      </Layout>
    </Page>
  );
}
