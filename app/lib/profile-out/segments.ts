/**
 * Ready-made Shopify customer segments over the app's customer metafields, in Shopify's segment query language.
 * Segment filters read a customer metafield by its stored namespace, so the app-reserved `$app:recovery_plays`
 * is written out as `app--<app id>--recovery_plays` (the id of the installed app, from `currentAppInstallation`).
 */
export const READY_SEGMENTS = ["champions", "lapsing_loyalists", "anxious_first_timers", "price_sensitive"] as const;
export type ReadySegment = (typeof READY_SEGMENTS)[number];

export function storedNamespace(appId: string): string {
  return `app--${appId}--recovery_plays`;
}

export function segmentQuery(segment: ReadySegment, appId: string): string {
  const ns = storedNamespace(appId);
  switch (segment) {
    case "champions": return `metafields.${ns}.rfm_group = 'CHAMPIONS'`;
    case "lapsing_loyalists": return `metafields.${ns}.stage = 'lapsing_loyalist'`;
    case "anxious_first_timers": return `metafields.${ns}.hesitation_barrier = 'trust' AND number_of_orders <= 1`;
    case "price_sensitive": return `metafields.${ns}.hesitation_barrier = 'price'`;
  }
}

/** Numeric app id from `gid://shopify/App/4000000001`. */
export function appIdOf(gid: string): string | null {
  const m = /\/App\/(\d+)$/.exec(gid);
  return m ? m[1]! : null;
}
