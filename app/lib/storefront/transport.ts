/** Batches storefront events for the app proxy: at most 50 per request (the endpoint's limit). */
import type { Arm, PlayKey } from "../plays/types";

export type StorefrontEventType =
  | "page_view" | "eligible" | "shown" | "engaged" | "dismissed"
  | "add_to_cart" | "remove_from_cart" | "checkout_started";

export interface StorefrontEvent {
  type: StorefrontEventType;
  play?: PlayKey;
  arm?: Arm;
  pageType?: string;
  path?: string;
  value?: number;
  ts: number;
}

export const MAX_BATCH = 50;

/** Splits the queue into request bodies of ≤ MAX_BATCH events and empties it. */
export function drain(visitorId: string, queue: StorefrontEvent[]): string[] {
  const bodies: string[] = [];
  while (queue.length) bodies.push(JSON.stringify({ visitorId, events: queue.splice(0, MAX_BATCH) }));
  return bodies;
}
