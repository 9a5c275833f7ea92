// The merchant's gross margin (percent), which profit per visitor assumes until product costs are read. Saved
// through the Leak finder route's action (intent "margin"), where profit is shown.
import { useAppBridge } from "@shopify/app-bridge-react";
import { useFetcher } from "@remix-run/react";
import { BlockStack, Button, Card, InlineStack, Layout, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useI18n } from "./I18n";

export function MarginSetting({ marginPercent }: { marginPercent: number }) {
  const { t } = useI18n();
  const shopify = useAppBridge();
  const fetcher = useFetcher<{ ok: boolean }>();
  const [value, setValue] = useState(String(marginPercent));
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) shopify.toast.show(t("settings.marginSaved"));
  }, [fetcher.state, fetcher.data, shopify, t]);
  const error = fetcher.data && !fetcher.data.ok ? t("settings.marginError") : undefined;
  return (
    <Layout.AnnotatedSection title={t("settings.marginTitle")} description={t("settings.marginBody")}>
      <Card>
        <fetcher.Form
          method="post"
          action="/app/leaks"
          onSubmit={(e) => {
            e.preventDefault();
            fetcher.submit({ intent: "margin", marginPercent: value }, { method: "post", action: "/app/leaks", encType: "application/json" });
          }}
        >
          <BlockStack gap="300">
            <TextField label={t("settings.marginLabel")} type="number" min={0} max={100} step={1} autoComplete="off" value={value} onChange={setValue} error={error} />
            <InlineStack align="end">
              <Button submit variant="primary" loading={fetcher.state !== "idle"} disabled={value === String(marginPercent)}>
                {t("settings.marginSave")}
              </Button>
            </InlineStack>
          </BlockStack>
        </fetcher.Form>
      </Card>
    </Layout.AnnotatedSection>
  );
}
