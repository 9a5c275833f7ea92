// The four plays as cards with live status and toggles. Guard: authenticate.admin.
import type { MetaFunction, ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { defer, json } from "@remix-run/node";
import { Await, useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import { BlockStack, Banner, Layout, Page, Text } from "@shopify/polaris";
import { useAppBridge } from "@shopify/app-bridge-react";
import { Suspense, useEffect } from "react";
import { PlayCard } from "../components/PlayCard";
import { PublishBanner } from "../components/PublishBanner";
import { useI18n } from "../components/I18n";
import { isPlayKey } from "../lib/playsSchema/schema";
import type { Surface } from "../lib/plays/types";
import { intField, readJsonBody } from "../models/adminData.server";
import { onboardingState, surfaceLiveness } from "../models/onboarding.server";
import { listPlays } from "../models/plays.server";
import { publishConfig, publishState, savePlayAndPublish } from "../models/publish.server";
import { authenticate } from "../shopify.server";

// The document title (the admin shows the app name; the title matters for accessibility and history).
export const meta: MetaFunction = () => [{ title: "Plays · Recovery Plays" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { admin, session } = await authenticate.admin(request);
  const [plays, publish] = await Promise.all([listPlays(session.shop), publishState(session.shop)]);
  // Liveness needs the live theme's files from the Admin API (slow on big themes): stream it after the cards.
  const liveness = onboardingState(session.shop, admin).then((onboarding) =>
    Object.fromEntries(plays.map((p) => [p.play, p.settings.surfaces.map((s) => surfaceLiveness(s, onboarding))])),
  );
  return defer({ plays, publish, liveness });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { admin, session } = await authenticate.admin(request);
  const body = await readJsonBody(request);
  if (body.intent === "retryPublish") {
    return json({ ok: true, publish: await publishConfig(session.shop, admin) });
  }
  const version = intField(body.version);
  if (body.intent !== "toggle" || !isPlayKey(body.play) || typeof body.enabled !== "boolean" || version === null) {
    return json({ ok: false, error: "errors.badRequest" }, { status: 400 });
  }
  const result = await savePlayAndPublish(session.shop, admin, body.play, { version, enabled: body.enabled });
  if (!result.ok && result.kind === "conflict") return json({ ok: false, conflict: true }, { status: 409 });
  if (!result.ok) return json({ ok: false, fieldErrors: result.fieldErrors }, { status: 422 });
  return json({ ok: true, play: result.record.play, enabled: result.record.enabled, publish: result.publish, discountError: result.discountError });
};

type ActionData = { ok: boolean; conflict?: boolean; play?: string; enabled?: boolean; error?: string };

type LoadedPlay = ReturnType<typeof useLoaderData<typeof loader>>["plays"][number];
type Liveness = { surface: Surface; live: boolean; reason: string | null }[];

function PlayToggleCard({ play, surfaces }: { play: LoadedPlay; surfaces: Liveness | null }) {
  const fetcher = useFetcher<ActionData>();
  const { t } = useI18n();
  const shopify = useAppBridge();
  const pending = fetcher.state !== "idle";
  // Optimistic: show the requested state while the save is in flight.
  const optimistic = pending && fetcher.json && typeof fetcher.json === "object" ? (fetcher.json as { enabled?: boolean }).enabled : undefined;
  useEffect(() => {
    const data = fetcher.data;
    if (fetcher.state !== "idle" || !data?.ok || !data.play) return;
    const name = t(`plays.${data.play}.name`);
    try {
      shopify.toast.show(data.enabled ? t("playsPage.enabledToast", { name }) : t("playsPage.disabledToast", { name }));
    } catch {
      // App Bridge is absent outside the Shopify admin (tests, direct loads): the card state is feedback enough.
    }
  }, [fetcher.state, fetcher.data, shopify, t]);
  return (
    <BlockStack gap="200">
      {fetcher.data?.conflict ? (
        <Banner tone="warning" title={t("playPage.conflictTitle")}>
          <Text as="p">{t("playPage.conflictBody")}</Text>
        </Banner>
      ) : null}
      <PlayCard
        play={play.play}
        enabled={play.enabled}
        pendingEnabled={optimistic}
        settings={play.settings}
        surfaces={surfaces}
        busy={pending}
        onToggle={(enabled) =>
          fetcher.submit({ intent: "toggle", play: play.play, enabled, version: play.version }, { method: "post", encType: "application/json" })
        }
      />
    </BlockStack>
  );
}

export default function PlaysPage() {
  const { plays, publish, liveness } = useLoaderData<typeof loader>();
  const { t } = useI18n();
  const retry = useFetcher();
  const revalidator = useRevalidator();
  useEffect(() => {
    if (retry.state === "idle" && retry.data) revalidator.revalidate();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [retry.state, retry.data]);
  return (
    <Page title={t("playsPage.title")} subtitle={t("playsPage.subtitle")}>
      <Layout>
        <Layout.Section>
          <PublishBanner
            state={publish}
            retrying={retry.state !== "idle"}
            onRetry={() => retry.submit({ intent: "retryPublish" }, { method: "post", encType: "application/json" })}
          />
        </Layout.Section>
        <Layout.Section>
          <BlockStack gap="400">
            {plays.map((p) => (
              <Suspense key={p.play} fallback={<PlayToggleCard play={p} surfaces={null} />}>
                <Await resolve={liveness} errorElement={<PlayToggleCard play={p} surfaces={p.settings.surfaces.map((s) => ({ surface: s, live: false, reason: "unknown" }))} />}>
                  {(l) => <PlayToggleCard play={p} surfaces={(l[p.play] ?? []) as Liveness} />}
                </Await>
              </Suspense>
            ))}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
