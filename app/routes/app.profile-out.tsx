// Shopify profile: the unified profile published into Shopify (customer metafields by one bulk mutation, optional
// tags, ready-made segments). Guard: authenticate.admin. Input: `intent` (zod), segment keys from READY_SEGMENTS.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, Checkbox, InlineStack, Layout, List, Page, Text } from "@shopify/polaris";
import { z } from "zod";
import { useI18n } from "../components/I18n";
import prisma from "../db.server";
import { PROFILE_FIELDS } from "../lib/profile-out/fields";
import { READY_SEGMENTS } from "../lib/profile-out/segments";
import { readJsonBody } from "../models/adminData.server";
import {
  createReadySegment,
  ensureProfileDefinitions,
  ensureWebPixel,
  lastWriteBack,
  readSettings,
  recordWriteBack,
  saveSettings,
  writeBackProfiles,
  type WriteBackStatus,
} from "../models/profileOut.server";
import { authenticate } from "../shopify.server";

export const meta: MetaFunction = () => [{ title: "Shopify profile · Recovery Plays" }];

const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("publish") }),
  z.object({ intent: z.literal("pixel") }),
  z.object({ intent: z.literal("tags"), enabled: z.boolean() }),
  z.object({ intent: z.literal("segment"), segment: z.enum(READY_SEGMENTS) }),
]);

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { admin, session } = await authenticate.admin(request);
  const [settings, last, profiles] = await Promise.all([
    readSettings(admin).catch(() => null),
    lastWriteBack(admin).catch(() => null),
    prisma.customerProfile.count({ where: { shop: session.shop, ordersCount: { gt: 0 } } }),
  ]);
  return json({ tags: settings?.tags ?? false, last, profiles, unreachable: settings === null });
};

export type ProfileOutActionData =
  | { ok: true; intent: "publish"; customers: number }
  | { ok: true; intent: "tags"; enabled: boolean }
  | { ok: true; intent: "pixel" }
  | { ok: true; intent: "segment"; name: string }
  | { ok: false; intent?: string; error: string; detail?: string };

export const action = async ({ request }: ActionFunctionArgs) => {
  const { admin, session } = await authenticate.admin(request);
  const parsed = actionSchema.safeParse(await readJsonBody(request));
  if (!parsed.success) return json<ProfileOutActionData>({ ok: false, error: "errors.badRequest" }, { status: 400 });
  const body = parsed.data;
  if (body.intent === "publish") {
    await ensureProfileDefinitions(admin);
    const r = await writeBackProfiles(session.shop, admin);
    await recordWriteBack(admin, r).catch(() => undefined);
    if (r.status === "failed") {
      // Access not granted and "one at a time" are the merchant's (or developer's) to fix: 409 with the reason.
      const status = r.reason === "bulk_mutation_access" || r.reason === "bulk_mutation_in_progress" ? 409 : 502;
      return json<ProfileOutActionData>({ ok: false, intent: "publish", error: `profileOut.reasons.${r.reason}`, detail: r.message }, { status });
    }
    return json<ProfileOutActionData>({ ok: true, intent: "publish", customers: r.customers });
  }
  if (body.intent === "pixel") {
    // The pixel posts to this app's public URL (the one Shopify opens the app at).
    const r = await ensureWebPixel(session.shop, admin, process.env.SHOPIFY_APP_URL || new URL(request.url).origin);
    if (r.status === "active") return json<ProfileOutActionData>({ ok: true, intent: "pixel" });
    return json<ProfileOutActionData>({ ok: false, intent: "pixel", error: `profileOut.pixel.${r.status}`, detail: r.message }, { status: r.status === "denied" ? 403 : 502 });
  }
  if (body.intent === "tags") {
    await saveSettings(admin, { tags: body.enabled });
    return json<ProfileOutActionData>({ ok: true, intent: "tags", enabled: body.enabled });
  }
  const name = SEGMENT_NAMES[body.segment];
  const r = await createReadySegment(admin, body.segment, name);
  if (!r.ok) return json<ProfileOutActionData>({ ok: false, intent: "segment", error: "profileOut.segmentFailed", detail: r.message }, { status: 422 });
  return json<ProfileOutActionData>({ ok: true, intent: "segment", name: r.name });
};

/** Segment names as they appear in Shopify (the merchant's language there is the store's; English here). */
const SEGMENT_NAMES: Record<(typeof READY_SEGMENTS)[number], string> = {
  champions: "Champions",
  lapsing_loyalists: "Lapsing loyalists",
  anxious_first_timers: "Anxious first-timers",
  price_sensitive: "Price-sensitive",
};

function lastLine(t: (k: string, v?: Record<string, string | number>) => string, last: WriteBackStatus | null): string {
  if (!last) return t("profileOut.neverPublished");
  if (last.status === "failed") return t(`profileOut.reasons.${last.reason ?? "start_failed"}`);
  if (last.status === "empty") return t("profileOut.emptyPublished");
  return t("profileOut.lastPublished", { customers: last.customers ?? 0, at: new Date(last.at).toLocaleString() });
}

export default function ProfileOutPage() {
  const { tags, last, profiles, unreachable } = useLoaderData<typeof loader>();
  const { t, number } = useI18n();
  const publish = useFetcher<ProfileOutActionData>();
  const tagsFetcher = useFetcher<ProfileOutActionData>();
  const segment = useFetcher<ProfileOutActionData>();
  const pixel = useFetcher<ProfileOutActionData>();
  const send = (f: typeof publish, body: Record<string, unknown>) => f.submit(body as never, { method: "post", encType: "application/json" });
  const result = publish.data;
  const tagsOn = tagsFetcher.data?.ok && tagsFetcher.data.intent === "tags" ? tagsFetcher.data.enabled : tags;
  return (
    <Page title={t("profileOut.title")}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {unreachable ? <Banner tone="warning">{t("profileOut.unreachable")}</Banner> : null}
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t("profileOut.metafieldsHeading")}</Text>
                <Text as="p">{t("profileOut.metafieldsIntro")}</Text>
                <List>
                  {PROFILE_FIELDS.map((f) => (
                    <List.Item key={f.key}>
                      <Text as="span" fontWeight="semibold">{f.name}</Text> — {f.description}
                    </List.Item>
                  ))}
                </List>
                <Text as="p" tone="subdued">{lastLine(t, last)}</Text>
                {result && !result.ok ? (
                  <Banner tone="critical" title={t("profileOut.publishFailed")}>
                    <p>{t(result.error)}</p>
                  </Banner>
                ) : null}
                {result?.ok && result.intent === "publish" ? (
                  <Banner tone="success">{t("profileOut.publishStarted", { customers: number(result.customers) })}</Banner>
                ) : null}
                <InlineStack>
                  <Button variant="primary" loading={publish.state !== "idle"} disabled={profiles === 0} onClick={() => send(publish, { intent: "publish" })}>
                    {t("profileOut.publish")}
                  </Button>
                </InlineStack>
                {profiles === 0 ? <Text as="p" tone="subdued">{t("profileOut.noProfiles")}</Text> : null}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t("profileOut.pixel.heading")}</Text>
                <Text as="p">{t("profileOut.pixel.intro")}</Text>
                {pixel.data?.ok && pixel.data.intent === "pixel" ? <Banner tone="success">{t("profileOut.pixel.active")}</Banner> : null}
                {pixel.data && !pixel.data.ok ? <Banner tone="critical">{t(pixel.data.error)}</Banner> : null}
                <InlineStack>
                  <Button loading={pixel.state !== "idle"} onClick={() => send(pixel, { intent: "pixel" })}>
                    {t("profileOut.pixel.activate")}
                  </Button>
                </InlineStack>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t("profileOut.tagsHeading")}</Text>
                <Checkbox
                  label={t("profileOut.tagsLabel")}
                  helpText={t("profileOut.tagsHelp")}
                  checked={tagsOn}
                  disabled={tagsFetcher.state !== "idle"}
                  onChange={(v) => send(tagsFetcher, { intent: "tags", enabled: v })}
                />
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t("profileOut.segmentsHeading")}</Text>
                <Text as="p">{t("profileOut.segmentsIntro")}</Text>
                {segment.data?.ok && segment.data.intent === "segment" ? <Banner tone="success">{t("profileOut.segmentCreated", { name: segment.data.name })}</Banner> : null}
                {segment.data && !segment.data.ok ? <Banner tone="critical">{t("profileOut.segmentFailed", { detail: segment.data.detail ?? "" })}</Banner> : null}
                <InlineStack gap="200">
                  {READY_SEGMENTS.map((s) => (
                    <Button key={s} loading={segment.state !== "idle" && segment.formData === undefined} onClick={() => send(segment, { intent: "segment", segment: s })}>
                      {t(`profileOut.segments.${s}`)}
                    </Button>
                  ))}
                </InlineStack>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
