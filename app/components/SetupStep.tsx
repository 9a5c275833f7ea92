// One step of the home page's setup guide: its real state, what it does, and the action that completes it.
import { Badge, BlockStack, Box, InlineStack, Text } from "@shopify/polaris";
import type { ReactNode } from "react";
import { useI18n } from "./I18n";

export function SetupStep({ title, done, children, actions }: { title: string; done: boolean; children: ReactNode; actions?: ReactNode }) {
  const { t } = useI18n();
  return (
    <Box paddingBlock="300" borderBlockEndWidth="025" borderColor="border-secondary">
      <BlockStack gap="200">
        <InlineStack gap="200" blockAlign="center">
          <Badge tone={done ? "success" : "attention"} progress={done ? "complete" : "incomplete"}>
            {done ? t("common.done") : t("common.notDone")}
          </Badge>
          <Text as="h3" variant="headingSm">
            {title}
          </Text>
        </InlineStack>
        {children}
        {actions ? <InlineStack gap="200">{actions}</InlineStack> : null}
      </BlockStack>
    </Box>
  );
}
