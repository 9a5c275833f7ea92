/**
 * The attribution contract carried by cart attributes into the order (docs/architecture.md):
 * `_rp_vid` = visitor id, `_rp_plays` = comma list of `play:arm:status`, status `shown` or `eligible`.
 * One writer (storefront) and one reader (orders/create) share this module.
 */
import { PLAY_KEYS, type Arm, type PlayKey } from "../plays/types";

export const VISITOR_ATTRIBUTE = "_rp_vid";
export const PLAYS_ATTRIBUTE = "_rp_plays";

export type ExposureStatus = "shown" | "eligible";

export interface PlayAttribution {
  play: PlayKey;
  arm: Arm;
  status: ExposureStatus;
}

/** Serialises the plays for the cart attribute; one entry per play, "shown" winning over "eligible". */
export function formatPlaysAttribute(entries: readonly PlayAttribution[]): string {
  return mergeEntries(entries)
    .map((e) => `${e.play}:${e.arm}:${e.status}`)
    .join(",");
}

/** Parses the cart attribute; malformed or unknown entries are dropped (the value is shopper-editable). */
export function parsePlaysAttribute(value: string | null | undefined): PlayAttribution[] {
  if (!value) return [];
  const entries: PlayAttribution[] = [];
  for (const raw of value.slice(0, 2000).split(",")) {
    const [play, arm, status] = raw.trim().split(":");
    if (!(PLAY_KEYS as readonly string[]).includes(play)) continue;
    if (arm !== "treatment" && arm !== "holdout") continue;
    if (status !== "shown" && status !== "eligible") continue;
    entries.push({ play: play as PlayKey, arm, status });
  }
  return mergeEntries(entries);
}

function mergeEntries(entries: readonly PlayAttribution[]): PlayAttribution[] {
  const byPlay = new Map<PlayKey, PlayAttribution>();
  for (const e of entries) {
    const prev = byPlay.get(e.play);
    if (!prev) byPlay.set(e.play, { ...e });
    else if (e.status === "shown") prev.status = "shown";
  }
  return [...byPlay.values()];
}
