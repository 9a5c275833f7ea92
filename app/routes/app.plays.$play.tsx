// One play's settings with live preview, inline validation, contextual save bar and unsaved-changes guard.
// Guard: authenticate.admin. Validation: zod (app/lib/playsSchema) on the server (authoritative) and the client.
// Concurrency: the form carries PlayConfig.version; a stale save is refused with 409 and nothing changes.
import type { MetaFunction, ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import type { ShouldRevalidateFunction } from "@remix-run/react";
import { useBlocker, useFetcher, useLoaderData, useNavigate, useRevalidator } from "@remix-run/react";
import { SaveBar, useAppBridge } from "@shopify/app-bridge-react";
import { Banner, BlockStack, Box, Card, Checkbox, ChoiceList, FormLayout, InlineGrid, Layout, Modal, Page, Select, Text, TextField } from "@shopify/polaris";
import { useCallback, useEffect, useState } from "react";
import { z } from "zod";
import { InterventionPreview } from "../components/InterventionPreview";
import { PreviewOnStore } from "../components/PreviewOnStore";
import { CheckoutPaymentOrder } from "../components/CheckoutPaymentOrder";
import { useI18n } from "../components/I18n";
import { segmentSentence } from "../components/playCopy";
import { BundleDiscountCard } from "../components/play-settings/BundleDiscountCard";
import { NumberField, PlayFields } from "../components/play-settings/PlayFields";
import { bandsValue, toSettings, usePlayDraft, type FieldKey } from "../components/play-settings/usePlayDraft";
import type { PlayKey, PlaySettingsMap, Surface } from "../lib/plays/types";
import {
  PLAY_SURFACES,
  PLAYS_USING_BANDS,
  isPlayKey,
  type FieldErrors,
} from "../lib/playsSchema/schema";
import { readJsonBody } from "../models/adminData.server";
import { getBands, getPlay } from "../models/plays.server";
import { savePlayAndPublish } from "../models/publish.server";
import { bundleDiscountScope, bundleDiscountTitle, replaceBundleCode } from "../models/discounts.server";
import { bundleBudgetToday, bundleCodeLeaks } from "../models/bundleCodes.server";
import { authenticate } from "../shopify.server";

// The document title (the admin shows the app name; the title matters for accessibility and history).
export const meta: MetaFunction = () => [{ title: "Play settings · Recovery Plays" }];

// Codes from before PlayConfig.discountCodeAt existed are checked over the last 30 days.
const LEAK_WINDOW_MS = 30 * 86_400_000;

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { admin, session } = await authenticate.admin(request);
  if (!isPlayKey(params.play)) throw json({ error: "playPage.notFound" }, { status: 404 });
  const [record, bands] = await Promise.all([getPlay(session.shop, params.play), getBands(session.shop)]);
  const discountScope = record.play === "deal_seeker" ? await bundleDiscountScope(admin, record.discountId) : null;
  const leakSince = record.discountCodeAt ? new Date(record.discountCodeAt) : new Date(Date.now() - LEAK_WINDOW_MS);
  const codeLeaks =
    record.play === "deal_seeker" && record.discountCode ? { since: leakSince.toISOString(), ...(await bundleCodeLeaks(session.shop, leakSince)) } : null;
  const budget = record.play === "deal_seeker" && record.discountCode ? await bundleBudgetToday(session.shop) : null;
  return json({
    codeLeaks,
    budget,
    discountScope,
    record,
    bands,
    usesBands: PLAYS_USING_BANDS.includes(params.play),
    discountTitle:
      record.play === "deal_seeker" && record.discountId
        ? bundleDiscountTitle((record.settings as PlaySettingsMap["deal_seeker"]).discountPercent)
        : null,
  });
};

/** What the page posts: a save (the stored versions it edited, for the optimistic check) or "Replace code". */
const version = z.number().int().min(0);
const playActionSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("save"),
    version,
    enabled: z.boolean().optional(),
    settings: z.unknown().optional(),
    bands: z.object({ version, value: z.unknown().optional() }).optional(),
  }),
  z.object({ intent: z.literal("replaceCode") }),
]);

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { admin, session } = await authenticate.admin(request);
  if (!isPlayKey(params.play)) return json({ ok: false, error: "playPage.notFound" }, { status: 404 });
  const parsed = playActionSchema.safeParse(await readJsonBody(request));
  if (!parsed.success) return json({ ok: false, error: "errors.badRequest" }, { status: 400 });
  const body = parsed.data;
  if (body.intent === "replaceCode") return replaceCode(session.shop, admin, params.play);
  // The settings and bands values are validated per play by savePlayAndPublish (422 with field errors).
  const result = await savePlayAndPublish(session.shop, admin, params.play, { version: body.version, enabled: body.enabled, settings: body.settings, bands: body.bands && { version: body.bands.version, value: body.bands.value } });
  if (!result.ok && result.kind === "invalid") return json({ ok: false, fieldErrors: result.fieldErrors }, { status: 422 });
  if (!result.ok) {
    return json({ ok: false, conflict: true, currentVersion: result.record.version }, { status: 409 });
  }
  return json({
    ok: true,
    version: result.record.version,
    publish: result.publish,
    discountError: result.discountError,
  });
};

/** "Replace code" on the Deal-Seeker page: a leaked bundle code is paused and a fresh one takes over. */
async function replaceCode(shop: string, admin: Parameters<typeof replaceBundleCode>[1], play: PlayKey) {
  if (play !== "deal_seeker") return json({ ok: false, intent: "replaceCode", error: "errors.badRequest" }, { status: 400 });
  const record = await getPlay(shop, "deal_seeker");
  if (!record.discountCode) return json({ ok: false, intent: "replaceCode", error: "playPage.codeNone" }, { status: 409 });
  try {
    const result = await replaceBundleCode(shop, admin, record);
    return json({ ok: true, intent: "replaceCode", active: result.active });
  } catch (error) {
    if (error instanceof Response) throw error;
    return json({ ok: false, intent: "replaceCode", error: "playPage.codeReplaceFailed", detail: error instanceof Error ? error.message : String(error) }, { status: 502 });
  }
}

// After a refused save (409/422) keep the merchant's edits on screen instead of reloading the stored settings.
export const shouldRevalidate: ShouldRevalidateFunction = ({ actionStatus, defaultShouldRevalidate }) =>
  actionStatus !== undefined && actionStatus >= 400 ? false : defaultShouldRevalidate;

type ActionData =
  | { ok: true; version: number; publish: { status: string }; discountError: string | null }
  | { ok: false; fieldErrors?: FieldErrors; conflict?: boolean; error?: string };

export default function PlaySettingsPage() {
  const data = useLoaderData<typeof loader>();
  // Remount the form whenever the stored version changes: a successful save (or a reload) starts clean.
  return <PlayForm key={`${data.record.version}:${data.bands.version}`} {...data} />;
}

function PlayForm({ record, bands, usesBands, discountTitle, discountScope, codeLeaks, budget }: ReturnType<typeof useLoaderData<typeof loader>>) {
  const { t, day } = useI18n();
  const play = record.play as PlayKey;
  const name = t(`plays.${play}.name`);
  const fetcher = useFetcher<ActionData>();
  const revalidator = useRevalidator();
  const navigate = useNavigate();
  const shopify = useAppBridge();
  const form = usePlayDraft(play, { enabled: record.enabled, settings: record.settings, bands: bands.bands }, usesBands);
  const { enabled, setEnabled, draft, settings, bandDraft, setBandDraft, dirty, clientErrors, errorFor, set, setMessage, touch, discard } = form;
  const { setAttempted, setServerErrors } = form;
  const [previewSurface, setPreviewSurface] = useState<Surface>((record.settings.surfaces[0] ?? PLAY_SURFACES[play][0]) as Surface);

  const saving = fetcher.state !== "idle";
  const save = useCallback(() => {
    setAttempted(true);
    if (Object.keys(clientErrors).length) return;
    fetcher.submit(
      {
        intent: "save",
        version: record.version,
        enabled,
        settings: toSettings(draft),
        ...(usesBands ? { bands: { version: bands.version, value: bandsValue(bandDraft) } } : {}),
      } as never,
      { method: "post", encType: "application/json" },
    );
  }, [setAttempted, clientErrors, fetcher, record.version, enabled, draft, usesBands, bands.version, bandDraft]);

  useEffect(() => {
    const result = fetcher.data;
    if (fetcher.state !== "idle" || !result) return;
    if (!result.ok && result.fieldErrors) setServerErrors(result.fieldErrors);
    if (result.ok) {
      try {
        shopify.toast.show(result.publish.status === "published" ? t("playPage.saved") : t("playPage.savedPublishFailed"));
      } catch {
        // Outside the Shopify admin there is no toast; the page reloads with the saved values.
      }
    }
  }, [fetcher.state, fetcher.data, shopify, t, setServerErrors]);

  // Unsaved-changes guard: in-app navigation (Remix) and tab close / reload (beforeunload).
  const blocker = useBlocker(({ currentLocation, nextLocation }) => dirty && !saving && currentLocation.pathname !== nextLocation.pathname);
  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [dirty]);

  const result = fetcher.state === "idle" ? fetcher.data : undefined;
  const num = (key: FieldKey<PlayKey>, opts: { help?: string; suffix?: string } = {}) => <NumberField form={form} name={key} {...opts} />;

  const surfaces = PLAY_SURFACES[play];
  const shownSurfaces = (Array.isArray(draft.surfaces) ? (draft.surfaces as Surface[]) : []).filter((s) => surfaces.includes(s));
  const previewOn = shownSurfaces.includes(previewSurface) ? previewSurface : (shownSurfaces[0] ?? surfaces[0]);
  const previewSettings = { ...(record.settings as object), ...settings, message: { ...draft.message } } as unknown as PlaySettingsMap[typeof play];

  return (
    <Page
      backAction={{ content: t("playPage.backToPlays"), onAction: () => navigate("/app/plays") }}
      title={name}
      subtitle={t(`plays.${play}.barrier`)}
      primaryAction={{ content: t("common.save"), onAction: save, loading: saving, disabled: !dirty }}
    >
      <SaveBar id="play-settings-save-bar" open={dirty}>
        <button variant="primary" onClick={save} disabled={saving} loading={saving ? "" : undefined}>
          {t("common.save")}
        </button>
        <button onClick={discard} disabled={saving}>
          {t("common.discard")}
        </button>
      </SaveBar>
      <Layout>
        {result && !result.ok && result.conflict ? (
          <Layout.Section>
            <Banner tone="warning" title={t("playPage.conflictTitle")} action={{ content: t("common.reload"), onAction: () => revalidator.revalidate() }}>
              <Text as="p">{t("playPage.conflictBody")}</Text>
            </Banner>
          </Layout.Section>
        ) : null}
        {result && !result.ok && result.fieldErrors ? (
          <Layout.Section>
            <Banner tone="critical" title={t("playPage.invalid")} />
          </Layout.Section>
        ) : null}
        {result && result.ok && result.discountError ? (
          <Layout.Section>
            <Banner tone="warning" title={t("playPage.discountTitle")}>
              <Text as="p">{t("playPage.discountError", { error: result.discountError })}</Text>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("playPage.status")}
                </Text>
                <Checkbox label={t("playPage.enabled")} helpText={t("playPage.enabledHelp")} checked={enabled} onChange={setEnabled} />
                <PreviewOnStore play={play} />
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("playPage.segmentTitle")}
                </Text>
                <Text as="p" tone="subdued">
                  {segmentSentence(t, play, Object.keys(clientErrors).length ? record.settings : previewSettings, day)}
                </Text>
                <FormLayout>
                  <PlayFields play={play} form={form} />
                </FormLayout>
              </BlockStack>
            </Card>
            {usesBands ? (
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    {t("playPage.bandsTitle")}
                  </Text>
                  <Text as="p" tone="subdued">
                    {t("playPage.bandsHelp")}
                  </Text>
                  <FormLayout.Group>
                    <TextField label={t("playPage.bandLow")} type="number" step={0.05} autoComplete="off" value={bandDraft.low} onChange={(v) => setBandDraft((b) => ({ ...b, low: v }))} onBlur={touch("bands.low")} error={errorFor("bands.low")} />
                    <TextField label={t("playPage.bandHigh")} type="number" step={0.05} autoComplete="off" value={bandDraft.high} onChange={(v) => setBandDraft((b) => ({ ...b, high: v }))} onBlur={touch("bands.high")} error={errorFor("bands.high")} />
                  </FormLayout.Group>
                </BlockStack>
              </Card>
            ) : null}
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("playPage.messageTitle")}
                </Text>
                <FormLayout>
                  {(["heading", "body", "cta"] as const).map((key) => (
                    <TextField
                      key={key}
                      label={t(`playPage.${key}`)}
                      autoComplete="off"
                      multiline={key === "body" ? 2 : undefined}
                      value={draft.message[key] ?? ""}
                      onChange={(v) => setMessage(key, v)}
                      onBlur={touch(`message.${key}`)}
                      error={errorFor(`message.${key}`)}
                      maxLength={key === "heading" ? 80 : key === "body" ? 300 : 40}
                      showCharacterCount
                    />
                  ))}
                </FormLayout>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("playPage.surfacesTitle")}
                </Text>
                <ChoiceList
                  allowMultiple
                  title={t("playPage.surfacesHelp")}
                  choices={surfaces.map((s) => ({ label: t(`surfaces.${s}`), value: s }))}
                  selected={shownSurfaces}
                  onChange={(v) => set("surfaces", v)}
                  error={errorFor("surfaces")}
                />
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("playPage.deliveryTitle")}
                </Text>
                <FormLayout>
                  <FormLayout.Group>
                    {num("frequencyCapCount")}
                    {num("frequencyCapDays")}
                  </FormLayout.Group>
                  {num("holdoutPercent", { help: t("playPage.holdoutHelp"), suffix: "%" })}
                </FormLayout>
              </BlockStack>
            </Card>
            {play === "deal_seeker" ? (
              <BundleDiscountCard discountTitle={discountTitle} discountCode={record.discountCode} discountScope={discountScope} enabled={record.enabled} budget={budget} codeLeaks={codeLeaks} />
            ) : null}
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="300">
              <InlineGrid columns="1fr auto" alignItems="center" gap="200">
                <Text as="h2" variant="headingMd">
                  {t("playPage.previewTitle")}
                </Text>
                {surfaces.length > 1 ? (
                  <Select
                    label={t("playPage.previewSurface")}
                    labelHidden
                    options={surfaces.map((s) => ({ label: t(`surfaces.${s}`), value: s }))}
                    value={previewOn}
                    onChange={(v) => setPreviewSurface(v as Surface)}
                  />
                ) : null}
              </InlineGrid>
              <InterventionPreview play={play} settings={previewSettings} surface={previewOn} />
            </BlockStack>
          </Card>
        </Layout.Section>
        {play === "vip" ? (
          <Layout.Section>
            <CheckoutPaymentOrder />
          </Layout.Section>
        ) : null}
      </Layout>
      <Modal
        open={blocker.state === "blocked"}
        onClose={() => blocker.reset?.()}
        title={t("playPage.unsavedTitle")}
        primaryAction={{ content: t("playPage.leave"), destructive: true, onAction: () => blocker.proceed?.() }}
        secondaryActions={[{ content: t("playPage.stay"), onAction: () => blocker.reset?.() }]}
      >
        <Modal.Section>
          <Box>
            <Text as="p">{t("playPage.unsavedBody")}</Text>
          </Box>
        </Modal.Section>
      </Modal>
    </Page>
  );
}
