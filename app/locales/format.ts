// Currency/locale-aware formatting for the admin (Intl only, so it works on server and client alike).

export function formatMoney(amount: number, currency: string, locale: string): string {
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

export function formatNumber(value: number, locale: string, maximumFractionDigits = 0): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits }).format(value);
}

/** value is a fraction (0.123 → "12.3 %" in en). */
export function formatPercent(value: number, locale: string, maximumFractionDigits = 1): string {
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits }).format(value);
}

export function formatDate(iso: string | Date | null | undefined, locale: string): string | null {
  if (!iso) return null;
  const d = typeof iso === "string" ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return null;
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(d);
}

export function formatDateTime(iso: string | Date | null | undefined, locale: string): string | null {
  if (!iso) return null;
  const d = typeof iso === "string" ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return null;
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(d);
}

/** A calendar day ("YYYY-MM-DD", e.g. a measurement day in the shop's zone), the same in every viewer's zone. */
export function formatDay(day: string | null | undefined, locale: string): string | null {
  if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const t = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(t)) return null;
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(t);
}
