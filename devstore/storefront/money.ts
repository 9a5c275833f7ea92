// Shopify money formatting: amounts are integers in cents; formats use {{amount}}-style placeholders.

const FORMATS: Record<string, { money: string; withCurrency: string }> = {
  USD: { money: "${{amount}}", withCurrency: "${{amount}} USD" },
  CAD: { money: "${{amount}}", withCurrency: "${{amount}} CAD" },
  AUD: { money: "${{amount}}", withCurrency: "${{amount}} AUD" },
  EUR: { money: "€{{amount_with_comma_separator}}", withCurrency: "€{{amount_with_comma_separator}} EUR" },
  GBP: { money: "£{{amount}}", withCurrency: "£{{amount}} GBP" },
  JPY: { money: "¥{{amount_no_decimals}}", withCurrency: "¥{{amount_no_decimals}} JPY" },
};

export function moneyFormats(currency: string): { money: string; withCurrency: string } {
  return FORMATS[currency] ?? { money: `{{amount}} ${currency}`, withCurrency: `{{amount}} ${currency}` };
}

/** Decimal shop-currency amount → integer cents, like Shopify's Liquid money values. */
export function toCents(amount: number): number {
  return Math.round(amount * 100);
}

export function centsToDecimalString(cents: number): string {
  return (cents / 100).toFixed(2);
}

function delimit(cents: number, decimals: number, thousands: string, decimal: string): string {
  const fixed = (Math.abs(cents) / 100).toFixed(decimals);
  const [whole, frac] = fixed.split(".");
  const withThousands = whole.replace(/\B(?=(\d{3})+(?!\d))/g, thousands);
  return (cents < 0 ? "-" : "") + (frac ? withThousands + decimal + frac : withThousands);
}

export function formatMoney(cents: unknown, format: string): string {
  const n = typeof cents === "number" ? cents : Number(cents);
  if (cents === null || cents === undefined || cents === "" || Number.isNaN(n)) return "";
  return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => {
    switch (name) {
      case "amount":
        return delimit(n, 2, ",", ".");
      case "amount_no_decimals":
        return delimit(n, 0, ",", ".");
      case "amount_with_comma_separator":
        return delimit(n, 2, ".", ",");
      case "amount_no_decimals_with_comma_separator":
        return delimit(n, 0, ".", ",");
      case "amount_with_apostrophe_separator":
        return delimit(n, 2, "'", ".");
      default:
        return delimit(n, 2, ",", ".");
    }
  });
}
