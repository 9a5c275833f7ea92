// "Preview on my store": asks the app for a signed, short-lived storefront link for this play and opens it in a
// new tab. The tab is opened synchronously on the click (browsers block windows opened later) and pointed at the
// link once it arrives; the link is also shown, so it works where the tab could not be opened.
import { BlockStack, Button, Link, Text } from "@shopify/polaris";
import { useState } from "react";
import { useI18n } from "./I18n";

export function PreviewOnStore({ play }: { play: string }) {
  const { t } = useI18n();
  const [state, setState] = useState<{ loading: boolean; url?: string; minutes?: number; failed?: boolean }>({ loading: false });
  const open = async () => {
    const tab = window.open("", "_blank");
    setState({ loading: true });
    try {
      // App Bridge adds the session token to fetch.
      const res = await fetch(`/app/plays/${encodeURIComponent(play)}/preview`, { method: "POST" });
      if (!res.ok) throw new Error(String(res.status));
      const { url, expiresInMinutes } = (await res.json()) as { url: string; expiresInMinutes: number };
      if (tab) tab.location.href = url;
      setState({ loading: false, url, minutes: expiresInMinutes });
    } catch {
      tab?.close();
      setState({ loading: false, failed: true });
    }
  };
  return (
    <BlockStack gap="200">
      <div>
        <Button onClick={open} loading={state.loading}>
          {t("shopperPreview.button")}
        </Button>
      </div>
      {state.url ? (
        <Text as="p" tone="subdued">
          {t("shopperPreview.hint", { minutes: state.minutes ?? 15 })}{" "}
          <Link url={state.url} target="_blank" removeUnderline={false}>
            {state.url}
          </Link>
        </Text>
      ) : null}
      {state.failed ? (
        <Text as="p" tone="critical">
          {t("shopperPreview.failed")}
        </Text>
      ) : null}
    </BlockStack>
  );
}
