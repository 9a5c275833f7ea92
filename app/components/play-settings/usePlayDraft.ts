// The play settings form's state: the draft (number inputs hold strings while typing), the quality bands, which
// fields were touched, and the errors to show (server errors first, client errors once touched or after a save).
import { useCallback, useMemo, useState } from "react";
import type { PlayKey, PlaySettingsMap } from "../../lib/plays/types";
import { validateBands, validatePlaySettings, type FieldErrors } from "../../lib/playsSchema/schema";
import { useI18n } from "../I18n";

/** The settings as edited: the schema's shape, with any field possibly a string while it is being typed. */
export type Draft = Record<string, unknown> & { message: Record<string, string> };
export type BandDraft = { low: string; high: string };

/** A settings field of one play, by name (typed from the settings schema). */
export type FieldKey<P extends PlayKey> = Exclude<keyof PlaySettingsMap[P], "message"> & string;

const NUMBER_FIELDS = new Set([
  "holdoutPercent", "frequencyCapCount", "frequencyCapDays", "policyViewsMoreThan", "stallSeconds", "aovMultiple",
  "sessionMinutes", "removalsMoreThan", "returnDays", "alternativesCount", "sameProductViewsAtLeast",
  "discountPercent", "discountCapPercent", "freeShippingThreshold", "bundleCodesPerDay", "bundleDiscountPerDay",
]);

export const toNumber = (v: unknown) => (typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN);

/** Form values → the settings object the schema validates. */
export function toSettings(draft: Draft): Record<string, unknown> {
  const out: Record<string, unknown> = { ...draft, message: { ...draft.message } };
  for (const key of Object.keys(out)) if (NUMBER_FIELDS.has(key)) out[key] = toNumber(out[key]);
  if (out.noPurchaseSince === "") out.noPurchaseSince = null;
  return out;
}

export function bandsValue(b: BandDraft) {
  return { low: toNumber(b.low), high: toNumber(b.high) };
}

export function usePlayDraft(play: PlayKey, stored: { enabled: boolean; settings: object; bands: { low: number; high: number } }, usesBands: boolean) {
  const { t } = useI18n();
  const initial = useMemo(
    () => ({
      enabled: stored.enabled,
      draft: structuredClone(stored.settings) as Draft,
      bands: { low: String(stored.bands.low), high: String(stored.bands.high) },
    }),
    [stored.enabled, stored.settings, stored.bands],
  );
  const [enabled, setEnabled] = useState(initial.enabled);
  const [draft, setDraft] = useState<Draft>(initial.draft);
  const [bandDraft, setBandDraft] = useState<BandDraft>(initial.bands);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [attempted, setAttempted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});

  const settings = toSettings(draft);
  const dirty =
    enabled !== initial.enabled ||
    JSON.stringify(settings) !== JSON.stringify(toSettings(initial.draft)) ||
    (usesBands && JSON.stringify(bandDraft) !== JSON.stringify(initial.bands));

  const clientErrors: FieldErrors = useMemo(() => {
    const s = validatePlaySettings(play, toSettings(draft));
    const b = usesBands ? validateBands(bandsValue(bandDraft)) : { ok: true as const };
    return { ...(s.ok ? {} : s.fieldErrors), ...(b.ok ? {} : b.fieldErrors) };
  }, [draft, bandDraft, play, usesBands]);

  const errorFor = (path: string): string | undefined => {
    const e = serverErrors[path] ?? (attempted || touched[path] ? clientErrors[path] : undefined);
    return e ? t(e.key, e.values) : undefined;
  };
  const clearServerError = (path: string) =>
    setServerErrors((e) => {
      const { [path]: _removed, ...rest } = e;
      return rest;
    });
  const set = (key: string, value: unknown) => {
    setDraft((d) => ({ ...d, [key]: value }));
    clearServerError(key);
  };
  const setMessage = (key: string, value: string) => {
    setDraft((d) => ({ ...d, message: { ...d.message, [key]: value } }));
    clearServerError(`message.${key}`);
  };
  const touch = (path: string) => () => setTouched((x) => ({ ...x, [path]: true }));

  const discard = useCallback(() => {
    setEnabled(initial.enabled);
    setDraft(initial.draft);
    setBandDraft(initial.bands);
    setTouched({});
    setAttempted(false);
    setServerErrors({});
  }, [initial]);

  return {
    enabled, setEnabled, draft, settings, bandDraft, setBandDraft, dirty, clientErrors, errorFor, set, setMessage, touch,
    discard, setAttempted, setServerErrors,
  };
}

export type PlayDraft = ReturnType<typeof usePlayDraft>;
