// React access to translations and formatting: the layout route provides the locale and shop currency.
import { createContext, useContext, useMemo, type ReactNode } from "react";
import { createTranslator, type Translate } from "../locales/i18n";
import { formatDate, formatDateTime, formatDay, formatMoney, formatNumber, formatPercent } from "../locales/format";

interface I18nValue {
  locale: string;
  currency: string;
  t: Translate;
  money: (amount: number) => string;
  number: (value: number, digits?: number) => string;
  percent: (fraction: number, digits?: number) => string;
  date: (iso: string | null | undefined) => string | null;
  dateTime: (iso: string | null | undefined) => string | null;
  /** A "YYYY-MM-DD" calendar day, never shifted by the viewer's zone. */
  day: (day: string | null | undefined) => string | null;
}

function build(locale: string, currency: string): I18nValue {
  return {
    locale,
    currency,
    t: createTranslator(locale),
    money: (amount) => formatMoney(amount, currency, locale),
    number: (value, digits) => formatNumber(value, locale, digits),
    percent: (fraction, digits) => formatPercent(fraction, locale, digits),
    date: (iso) => formatDate(iso, locale),
    dateTime: (iso) => formatDateTime(iso, locale),
    day: (day) => formatDay(day, locale),
  };
}

const I18nContext = createContext<I18nValue>(build("en", "USD"));

export function I18nProvider({ locale, currency, children }: { locale: string; currency: string; children: ReactNode }) {
  const value = useMemo(() => build(locale, currency), [locale, currency]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18nValue {
  return useContext(I18nContext);
}
