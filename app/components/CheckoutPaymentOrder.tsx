// The VIP play's "Checkout payment order" section: turns the payment customization Function on/off (app.payments
// resource route). Hiding methods is an explicit merchant choice and always shows a warning.
import { useFetcher } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, InlineStack, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useI18n } from "./I18n";

type State = { id: string | null; enabled: boolean; activeCount: number; hide: string[] };
type Result = { ok: true; state: State } | { ok: false; reason: "cap" | "error"; message: string };

export function CheckoutPaymentOrder() {
  const { t } = useI18n();
  const load = useFetcher<Result>();
  const save = useFetcher<Result>();
  const [hide, setHide] = useState("");

  useEffect(() => {
    if (load.state === "idle" && !load.data) load.load("/app/payments");
  }, [load]);

  const latest = save.data ?? load.data;
  const state = latest?.ok ? latest.state : load.data?.ok ? load.data.state : null;
  useEffect(() => {
    if (load.data?.ok) setHide(load.data.state.hide.join(", "));
  }, [load.data]);

  const busy = save.state !== "idle" || load.state !== "idle";
  const hideList = hide.split(",").map((s) => s.trim()).filter(Boolean);
  const toggle = (enabled: boolean) => save.submit(JSON.stringify({ enabled, hide: hideList }), { method: "post", action: "/app/payments", encType: "application/json" });

  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">{t("payments.title")}</Text>
          {state && <Badge tone={state.enabled ? "success" : undefined}>{t(state.enabled ? "payments.on" : "payments.off")}</Badge>}
        </InlineStack>
        <Text as="p" tone="subdued">{t("payments.help")}</Text>
        {latest && !latest.ok && (
          <Banner tone="critical" title={t(latest.reason === "cap" ? "payments.capTitle" : "payments.errorTitle")}>
            <p>{latest.reason === "cap" ? t("payments.cap") : latest.message}</p>
          </Banner>
        )}
        <TextField
          label={t("payments.hideLabel")}
          helpText={t("payments.hideHelp")}
          value={hide}
          onChange={setHide}
          autoComplete="off"
        />
        {hideList.length > 0 && (
          <Banner tone="warning" title={t("payments.hideWarningTitle")}>
            <p>{t("payments.hideWarning", { methods: hideList.join(", ") })}</p>
          </Banner>
        )}
        <InlineStack gap="200">
          {state?.enabled ? (
            <>
              <Button onClick={() => toggle(true)} loading={busy}>{t("payments.save")}</Button>
              <Button onClick={() => toggle(false)} loading={busy} tone="critical">{t("payments.turnOff")}</Button>
            </>
          ) : (
            <Button variant="primary" onClick={() => toggle(true)} loading={busy} disabled={!state}>{t("payments.turnOn")}</Button>
          )}
        </InlineStack>
      </BlockStack>
    </Card>
  );
}
