import type { ActionFunctionArgs } from "@remix-run/node";
import { WEBHOOK_TOPICS } from "../models/webhookTopics.server";
import { receiveWebhook } from "../models/webhooks.server";

// customers/redact: verified, stored in the inbox and acknowledged; what it does is in models/webhookTopics.server.
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, WEBHOOK_TOPICS["customers/redact"]);
