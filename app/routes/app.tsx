// Embedded admin layout. Guard: authenticate.admin (session token / OAuth) for every /app/* page.
import type { HeadersFunction, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { I18nProvider } from "../components/I18n";
import { createTranslator, resolveLocale } from "../locales/i18n";
import prisma from "../db.server";
import { retryPublishIfDue } from "../models/publish.server";
import { authenticate } from "../shopify.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { admin, session } = await authenticate.admin(request);
  const shopRow = await prisma.shop.findUnique({ where: { shop: session.shop } });
  // The admin passes the staff member's language as ?locale=; fall back to the shop's.
  const locale = new URL(request.url).searchParams.get("locale") ?? shopRow?.locale ?? "en";
  // A failed storefront publish is retried on the next page load (with backoff), not left for the next save.
  await retryPublishIfDue(session.shop, admin);
  return json({
    apiKey: process.env.SHOPIFY_API_KEY || "",
    locale,
    currency: shopRow?.currencyCode ?? "USD",
  });
};

export default function App() {
  const { apiKey, locale, currency } = useLoaderData<typeof loader>();
  const t = createTranslator(resolveLocale(locale));
  return (
    // isEmbeddedApp={false} only stops AppProvider from adding a second App Bridge <script> in <body>: root.tsx
    // puts the script first in <head>, as Shopify requires; the app is still embedded.
    <AppProvider isEmbeddedApp={false} apiKey={apiKey}>
      <I18nProvider locale={locale} currency={currency}>
        <NavMenu>
          <Link to="/app" rel="home">
            {t("nav.home")}
          </Link>
          <Link to="/app/plays">{t("nav.plays")}</Link>
          <Link to="/app/analytics">{t("nav.analytics")}</Link>
          <Link to="/app/leaks">{t("nav.leaks")}</Link>
          <Link to="/app/customers">{t("nav.customers")}</Link>
          <Link to="/app/profile-out">{t("nav.profileOut")}</Link>
          <Link to="/app/data-requests">{t("nav.dataRequests")}</Link>
          <Link to="/app/settings">{t("nav.settings")}</Link>
        </NavMenu>
        <Outlet />
      </I18nProvider>
    </AppProvider>
  );
}

// Shopify needs Remix to catch thrown responses (re-auth redirects, 401 with headers) and pass their headers on.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
