/**
 * Merchant copy that follows the play's settings: `{return_days}` in a message stands for the play's return window
 * (`returnDays`), so the number shoppers read is the one the merchant set, on every surface that renders the
 * message (theme blocks through Liquid's `replace`, the embed, the checkout extension, the admin preview).
 * Pure: no DOM, no host API.
 */
import type { PlayMessage } from "./types";

/** The placeholder a message uses for the return window. */
export const RETURN_DAYS_TOKEN = "{return_days}";

/** `text` with the return window filled in; unchanged when the play has no return window. */
export function fillCopy(text: string, returnDays: number | undefined): string {
  return returnDays == null ? text : text.split(RETURN_DAYS_TOKEN).join(String(returnDays));
}

/** The play's message as shoppers read it (`returnDays` from the same play's settings, when it has one). */
export function shownMessage(settings: { message: PlayMessage; returnDays?: number }): PlayMessage {
  const { message: m, returnDays: d } = settings;
  return { heading: fillCopy(m.heading, d), body: fillCopy(m.body, d), cta: fillCopy(m.cta, d) };
}
