import type { ActionFunctionArgs } from "@remix-run/node";
import { WEBHOOK_TOPICS } from "../models/webhookTopics.server";
import { receiveWebhook } from "../models/webhooks.server";

// refunds/create: verified, stored in the inbox and acknowledged; what it does is in models/webhookTopics.server.
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, WEBHOOK_TOPICS["refunds/create"]);
