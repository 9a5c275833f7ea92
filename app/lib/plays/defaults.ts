import type { PlayKey, PlaySettingsMap, PropensityBands } from "./types";

/** Merchant-tunable defaults from the product brief. Every play is OFF at install. */
export const DEFAULT_BANDS: PropensityBands = { low: 0.2, high: 0.6 };

const common = { holdoutPercent: 10, frequencyCapCount: 1, frequencyCapDays: 1 } as const;

export const DEFAULT_SETTINGS: PlaySettingsMap = {
  confidence: {
    ...common,
    surfaces: ["cart", "checkout"],
    message: {
      heading: "Shop with peace of mind",
      body: "Free {return_days}-day returns on every order.",
      cta: "Read our refund policy",
    },
    policyViewsMoreThan: 2,
    noPurchaseSince: null,
    returnDays: 30,
    checkoutPrompt: true,
  },
  vip: {
    ...common,
    surfaces: ["cart", "checkout"],
    message: {
      heading: "Pay the way you like",
      body: "Choose any of the payment methods this store accepts.",
      cta: "Talk to our concierge",
    },
    segments: ["CHAMPIONS", "LOYAL"],
    stallSeconds: 45,
    aovMultiple: 3,
    conciergeContact: "",
  },
  indecision: {
    ...common,
    surfaces: ["cart"],
    message: {
      heading: "Don't worry",
      body: "You can return this anytime in the next {return_days} days!",
      cta: "See popular alternatives",
    },
    sessionMinutes: 10,
    removalsMoreThan: 2,
    returnDays: 30,
    alternativesCount: 4,
  },
  deal_seeker: {
    ...common,
    surfaces: ["product", "cart"],
    message: {
      heading: "Better Together: Bundle & Save",
      body: "Add a matching item and save on both.",
      cta: "Add bundle to cart",
    },
    sameProductViewsAtLeast: 3,
    discountPercent: 10,
    discountCapPercent: 15,
    freeShippingThreshold: 0,
    bundleCodesPerDay: 100,
    bundleDiscountPerDay: 0,
  },
};

export function defaultSettings<K extends PlayKey>(play: K): PlaySettingsMap[K] {
  return structuredClone(DEFAULT_SETTINGS[play]);
}
