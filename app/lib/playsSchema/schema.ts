/**
 * The authoritative validation of play settings (zod). The server refuses anything this rejects; the client runs
 * the same schema for inline field errors. Error messages are locale keys (app/locales), never English text.
 */
import { z } from "zod";
import { PLAY_KEYS, RFM_GROUPS, type PlayKey, type PlaySettingsMap, type PropensityBands, type Surface } from "../plays/types";

/** Which surfaces each play can render on (its blocks/targets exist only there). */
export const PLAY_SURFACES: Record<PlayKey, readonly Surface[]> = {
  confidence: ["cart", "checkout"],
  vip: ["cart", "checkout"],
  indecision: ["cart"],
  deal_seeker: ["product", "cart", "checkout"],
};

export const HOLDOUT_MAX = 50;
export const MESSAGE_LIMITS = { heading: 80, body: 300, cta: 40 } as const;

const int = (min: number, max: number) => z.number().int({ message: "errors.integer" }).min(min).max(max);
const text = (max: number) => z.string().trim().min(1, { message: "errors.tooShort" }).max(max);

const message = z.object({
  heading: text(MESSAGE_LIMITS.heading),
  body: text(MESSAGE_LIMITS.body),
  cta: text(MESSAGE_LIMITS.cta),
});

function common(play: PlayKey) {
  const allowed = PLAY_SURFACES[play] as [Surface, ...Surface[]];
  return {
    surfaces: z
      .array(z.enum(allowed))
      .min(1, { message: "errors.surfaces" })
      .transform((s) => allowed.filter((a) => s.includes(a))),
    holdoutPercent: z.number().min(0).max(HOLDOUT_MAX, { message: "errors.holdoutMax" }),
    frequencyCapCount: int(1, 20),
    frequencyCapDays: int(1, 90),
    message,
  };
}

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "errors.date" })
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), { message: "errors.date" });

const contact = z
  .string()
  .trim()
  .max(200)
  .refine((s) => s === "" || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s) || /^https:\/\/[^\s]+$/.test(s), {
    message: "errors.contact",
  });

export const playSchemas = {
  confidence: z.object({
    ...common("confidence"),
    policyViewsMoreThan: int(0, 50),
    noPurchaseSince: z.union([isoDate, z.null()]),
    checkoutPrompt: z.boolean(),
    returnDays: int(0, 365),
  }),
  vip: z.object({
    ...common("vip"),
    segments: z.array(z.enum(RFM_GROUPS)).min(1, { message: "errors.segments" }),
    stallSeconds: int(5, 600),
    aovMultiple: z.number().min(1).max(20),
    conciergeContact: contact,
  }),
  indecision: z.object({
    ...common("indecision"),
    sessionMinutes: int(1, 180),
    removalsMoreThan: int(0, 50),
    returnDays: int(0, 365),
    alternativesCount: int(0, 10),
  }),
  deal_seeker: z
    .object({
      ...common("deal_seeker"),
      sameProductViewsAtLeast: int(1, 50),
      discountPercent: z.number().min(0).max(100),
      discountCapPercent: z.number().min(0).max(90),
      freeShippingThreshold: z.number().min(0).max(1_000_000),
      bundleCodesPerDay: int(0, 100_000),
      bundleDiscountPerDay: z.number().min(0).max(10_000_000),
    })
    .superRefine((s, ctx) => {
      if (s.discountPercent > s.discountCapPercent) {
        ctx.addIssue({
          code: "custom",
          path: ["discountPercent"],
          message: "errors.discountAboveCap",
          params: { cap: s.discountCapPercent },
        });
      }
    }),
} satisfies { [K in PlayKey]: z.ZodType };

export const bandsSchema = z
  .object({
    low: z.number().gt(0).lt(1),
    high: z.number().gt(0).lt(1),
  })
  .superRefine((b, ctx) => {
    if (b.high <= b.low) {
      ctx.addIssue({ code: "custom", path: ["high"], message: "errors.bandsOrder", params: { low: b.low } });
    }
  });

export interface FieldError {
  key: string;
  values?: Record<string, string | number>;
}
/** Dotted field path ("message.heading", "bands.high") → locale key + values. */
export type FieldErrors = Record<string, FieldError>;

function toFieldError(issue: z.core.$ZodIssue): FieldError {
  if (issue.message.startsWith("errors.")) {
    const params = (issue as { params?: Record<string, string | number> }).params;
    return params ? { key: issue.message, values: params } : { key: issue.message };
  }
  switch (issue.code) {
    case "too_small": {
      const min = Number(issue.minimum);
      if (issue.origin === "string" || issue.origin === "array") return { key: "errors.tooShort" };
      return { key: issue.inclusive === false ? "errors.tooSmallExclusive" : "errors.tooSmall", values: { min } };
    }
    case "too_big": {
      const max = Number(issue.maximum);
      if (issue.origin === "string") return { key: "errors.tooLong", values: { max } };
      return { key: issue.inclusive === false ? "errors.tooBigExclusive" : "errors.tooBig", values: { max } };
    }
    case "invalid_type":
      return { key: issue.expected === "number" || issue.expected === "int" ? "errors.number" : "errors.required" };
    default:
      return { key: "errors.invalid" };
  }
}

export function fieldErrorsOf(error: z.ZodError, prefix = ""): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const path = prefix + issue.path.map(String).join(".");
    out[path] ??= toFieldError(issue);
  }
  return out;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; fieldErrors: FieldErrors };

export function validatePlaySettings<K extends PlayKey>(play: K, input: unknown): ValidationResult<PlaySettingsMap[K]> {
  const parsed = playSchemas[play].safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data as unknown as PlaySettingsMap[K] };
  return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
}

export function validateBands(input: unknown): ValidationResult<PropensityBands> {
  const parsed = bandsSchema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, fieldErrors: fieldErrorsOf(parsed.error, "bands.") };
}

export function isPlayKey(value: unknown): value is PlayKey {
  return typeof value === "string" && (PLAY_KEYS as readonly string[]).includes(value);
}

/** Plays whose segment rule reads the propensity bands (their settings page edits the shared bands). */
export const PLAYS_USING_BANDS: readonly PlayKey[] = ["confidence", "deal_seeker"];
