// One play on the Plays page: what it answers, who sees it, where it is live, and its on/off toggle.
import { Badge, BlockStack, Box, Button, Card, InlineStack, Text } from "@shopify/polaris";
import type { PlayKey, PlaySettingsMap, Surface } from "../lib/plays/types";
import { useI18n } from "./I18n";
import { interventionSentence, segmentSentence } from "./playCopy";

export interface SurfaceStatus {
  surface: Surface;
  live: boolean;
  reason: string | null;
}

export interface PlayCardProps<K extends PlayKey = PlayKey> {
  play: K;
  enabled: boolean;
  /** The requested state while a toggle is saving (the badge shows it; the button keeps the saved state). */
  pendingEnabled?: boolean;
  settings: PlaySettingsMap[K];
  /** null while the theme state is still loading. */
  surfaces: SurfaceStatus[] | null;
  busy: boolean;
  onToggle: (enabled: boolean) => void;
}

const REASON_KEYS: Record<string, string> = {
  embed: "playsPage.reasonEmbed",
  cartBlock: "playsPage.reasonCartBlock",
  productBlock: "playsPage.reasonProductBlock",
  checkout: "playsPage.reasonCheckout",
  checkoutPlan: "playsPage.reasonCheckoutPlan",
  unknown: "playsPage.reasonUnknown",
};

export function PlayCard({ play, enabled, pendingEnabled, settings, surfaces, busy, onToggle }: PlayCardProps) {
  const shown = pendingEnabled ?? enabled;
  const { t, day } = useI18n();
  const name = t(`plays.${play}.name`);
  const anyLive = surfaces === null || surfaces.some((s) => s.live);
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center" gap="200" wrap={false}>
          <InlineStack gap="200" blockAlign="center">
            <Text as="h2" variant="headingMd">
              {name}
            </Text>
            <Badge tone={shown ? "success" : undefined}>{shown ? t("playsPage.statusOn") : t("playsPage.statusOff")}</Badge>
          </InlineStack>
          <InlineStack gap="200" wrap={false}>
            <Button url={`/app/plays/${play}`} accessibilityLabel={`${t("common.edit")}: ${name}`}>
              {t("common.edit")}
            </Button>
            <Button
              variant={enabled ? "secondary" : "primary"}
              pressed={enabled}
              loading={busy}
              accessibilityLabel={enabled ? t("playsPage.toggleOff", { name }) : t("playsPage.toggleOn", { name })}
              onClick={() => onToggle(!enabled)}
            >
              {enabled ? t("common.turnOff") : t("common.turnOn")}
            </Button>
          </InlineStack>
        </InlineStack>
        <BlockStack gap="100">
          <Text as="h3" variant="headingSm">
            {t("playsPage.barrier")}
          </Text>
          <Text as="p">{t(`plays.${play}.barrier`)}</Text>
        </BlockStack>
        <BlockStack gap="100">
          <Text as="h3" variant="headingSm">
            {t("playsPage.segment")}
          </Text>
          <Text as="p">{segmentSentence(t, play, settings, day)}</Text>
        </BlockStack>
        <BlockStack gap="100">
          <Text as="h3" variant="headingSm">
            {t("playsPage.intervention")}
          </Text>
          <Text as="p">{interventionSentence(t, play, settings)}</Text>
        </BlockStack>
        <BlockStack gap="100">
          <Text as="h3" variant="headingSm">
            {t("playsPage.liveTitle")}
          </Text>
          <InlineStack gap="200">
            {surfaces === null ? (
              <Badge progress="partiallyComplete">{t("common.loading")}</Badge>
            ) : null}
            {(surfaces ?? []).map((s) => (
              <Badge key={s.surface} tone={s.live ? "success" : "attention"} progress={s.live ? "complete" : "incomplete"}>
                {s.live
                  ? t("playsPage.surfaceLive", { surface: t(`surfaces.${s.surface}`) })
                  : t("playsPage.surfaceNotLive", { surface: t(`surfaces.${s.surface}`), reason: t(REASON_KEYS[s.reason ?? "unknown"]) })}
              </Badge>
            ))}
          </InlineStack>
        </BlockStack>
        {enabled && !anyLive ? (
          <Box>
            <Text as="p" tone="caution">
              {t("playsPage.offWarning")}
            </Text>
          </Box>
        ) : null}
        {/* A 0 % holdout leaves nobody to compare with: never claim it measures lift. */}
        <Text as="p" tone={settings.holdoutPercent > 0 ? "subdued" : "caution"} variant="bodySm">
          {settings.holdoutPercent > 0 ? t("playsPage.holdout", { value: settings.holdoutPercent }) : t("playsPage.noHoldout")}
        </Text>
      </BlockStack>
    </Card>
  );
}
