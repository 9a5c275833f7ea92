// The storefront snapshot's state: which version shoppers' browsers read, and whether publishing is pending/failed.
import { Banner, Text } from "@shopify/polaris";
import { useI18n } from "./I18n";

export interface PublishStateView {
  version: number;
  status: "pending" | "published" | "failed";
  attempts: number;
  lastError: string | null;
  publishedAt: string | null;
}

export function PublishBanner({ state, onRetry, retrying }: { state: PublishStateView | null; onRetry?: () => void; retrying?: boolean }) {
  const { t, dateTime } = useI18n();
  if (!state) {
    return (
      <Banner tone="info" title={t("playsPage.publishTitle")}>
        <Text as="p">{t("playsPage.publishNever")}</Text>
      </Banner>
    );
  }
  if (state.status === "published") {
    return (
      <Banner tone="success" title={t("playsPage.publishTitle")}>
        <Text as="p">{t("playsPage.publishPublished", { version: state.version, when: dateTime(state.publishedAt) ?? "" })}</Text>
      </Banner>
    );
  }
  const failed = state.status === "failed";
  return (
    <Banner
      tone={failed ? "critical" : "warning"}
      title={t("playsPage.publishTitle")}
      action={onRetry ? { content: t("playsPage.retryPublish"), onAction: onRetry, loading: retrying } : undefined}
    >
      <Text as="p">
        {failed
          ? t("playsPage.publishFailed", { version: state.version, attempts: state.attempts, error: state.lastError ?? "" })
          : t("playsPage.publishPending", { version: state.version })}
      </Text>
    </Banner>
  );
}
