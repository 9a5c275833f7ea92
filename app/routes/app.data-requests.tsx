// Customer data requests (customers/data_request): each stored report with its 30-day deadline, downloaded by the
// merchant to hand to the customer. Guard: authenticate.admin.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData, useRevalidator } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { useState } from "react";
import { useI18n } from "../components/I18n";
import { DATA_REQUEST_DAYS, listDataRequests } from "../models/compliance.server";
import { authenticate } from "../shopify.server";

export const meta: MetaFunction = () => [{ title: "Data requests · Recovery Plays" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return json({ requests: await listDataRequests(session.shop), days: DATA_REQUEST_DAYS });
};

export default function DataRequestsPage() {
  const { requests, days } = useLoaderData<typeof loader>();
  const { t, date } = useI18n();
  const revalidator = useRevalidator();
  const [busy, setBusy] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const pending = requests.filter((r) => !r.deliveredAt).length;

  // A plain link would lose the session token; App Bridge adds it to fetch, so download through fetch + Blob.
  const download = async (id: string, customerId: string) => {
    setBusy(id);
    setFailed(false);
    try {
      const res = await fetch(`/app/data-requests/${id}`);
      if (!res.ok) throw new Error(String(res.status));
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = `recovery-plays-customer-${customerId}.json`;
      a.click();
      URL.revokeObjectURL(url);
      revalidator.revalidate();
    } catch {
      setFailed(true);
    } finally {
      setBusy(null);
    }
  };

  return (
    <Page title={t("dataRequests.title")} subtitle={pending ? t("dataRequests.pendingCount", { count: pending }) : undefined}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="p">{t("dataRequests.intro", { days })}</Text>
                <Text as="p" tone="subdued">
                  {t("dataRequests.noPII")}
                </Text>
              </BlockStack>
            </Card>
            {failed ? <Banner tone="critical">{t("dataRequests.downloadFailed")}</Banner> : null}
            {requests.length === 0 ? (
              <Card>
                <Text as="p">{t("dataRequests.empty")}</Text>
              </Card>
            ) : (
              requests.map((r) => (
                <Card key={r.id}>
                  <InlineStack align="space-between" blockAlign="center" gap="400">
                    <BlockStack gap="100">
                      <InlineStack gap="200" blockAlign="center">
                        <Text as="h2" variant="headingSm">
                          {t("dataRequests.customer", { id: r.customerId })}
                        </Text>
                        {r.deliveredAt ? (
                          <Badge tone="success">{t("dataRequests.done")}</Badge>
                        ) : r.overdue ? (
                          <Badge tone="critical">{t("dataRequests.overdue")}</Badge>
                        ) : (
                          <Badge tone="attention">{t("dataRequests.pending")}</Badge>
                        )}
                      </InlineStack>
                      <Text as="p" tone="subdued">
                        {t("dataRequests.received", { date: date(r.receivedAt) ?? "" })} ·{" "}
                        {r.deliveredAt ? t("dataRequests.delivered", { date: date(r.deliveredAt) ?? "" }) : t("dataRequests.due", { date: date(r.dueAt) ?? "" })}
                      </Text>
                    </BlockStack>
                    <Button onClick={() => download(r.id, r.customerId)} loading={busy === r.id} variant={r.deliveredAt ? "secondary" : "primary"}>
                      {t("dataRequests.download")}
                    </Button>
                  </InlineStack>
                </Card>
              ))
            )}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
