// Plain-language descriptions of a play's segment and intervention from its current settings (shared by the Plays
// cards and the settings page, so what the merchant reads always matches what is configured).
import type { Translate } from "../locales/i18n";
import type { PlayKey, PlaySettingsMap } from "../lib/plays/types";

export function segmentSentence<K extends PlayKey>(t: Translate, play: K, settings: PlaySettingsMap[K], formatDay: (day: string) => string | null): string {
  switch (play) {
    case "confidence": {
      const s = settings as PlaySettingsMap["confidence"];
      const date = s.noPurchaseSince ? formatDay(s.noPurchaseSince) : null;
      return t("plays.confidence.segment", { views: s.policyViewsMoreThan, since: date ? t("plays.confidence.since", { date }) : "" });
    }
    case "vip": {
      const s = settings as PlaySettingsMap["vip"];
      return t("plays.vip.segment", { segments: s.segments.map((g) => t(`rfm.${g}`)).join(", "), seconds: s.stallSeconds });
    }
    case "indecision": {
      const s = settings as PlaySettingsMap["indecision"];
      return t("plays.indecision.segment", { minutes: s.sessionMinutes, removals: s.removalsMoreThan });
    }
    default: {
      const s = settings as PlaySettingsMap["deal_seeker"];
      return t("plays.deal_seeker.segment", { views: s.sameProductViewsAtLeast });
    }
  }
}

export function interventionSentence<K extends PlayKey>(t: Translate, play: K, settings: PlaySettingsMap[K]): string {
  switch (play) {
    case "vip":
      return t("plays.vip.intervention", { multiple: (settings as PlaySettingsMap["vip"]).aovMultiple });
    case "indecision":
      return t("plays.indecision.intervention", { days: (settings as PlaySettingsMap["indecision"]).returnDays });
    case "deal_seeker":
      return t("plays.deal_seeker.intervention", { percent: (settings as PlaySettingsMap["deal_seeker"]).discountPercent });
    default:
      return t("plays.confidence.intervention");
  }
}
