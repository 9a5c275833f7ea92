// Customer Privacy API stand-in (window.Shopify.customerPrivacy) and a simple consent banner.
// Dev switch: `?consent=granted|denied|required|reset` (kept in the `_tracking_consent` cookie):
//   (no cookie)  region without a consent requirement: everything allowed, nothing collected, no banner;
//   required     a region that requires consent, not collected yet: nothing allowed, banner shown;
//   granted      consent collected, all purposes allowed;
//   denied       consent collected, all purposes refused.
// The banner's buttons call setTrackingConsent(), which writes the same cookie and fires `visitorConsentCollected`.
import { escapeHtml } from "./http";

export interface ConsentState {
  required: boolean;
  collected: boolean;
  analytics: boolean;
  marketing: boolean;
  preferences: boolean;
  saleOfData: boolean;
}

export const CONSENT_COOKIE = "_tracking_consent";

export function consentFromCookie(value: string | undefined): ConsentState {
  if (value === "required") return { required: true, collected: false, analytics: false, marketing: false, preferences: false, saleOfData: false };
  const m = /^a([01])m([01])p([01])s([01])$/.exec(value ?? "");
  if (m) return { required: true, collected: true, analytics: m[1] === "1", marketing: m[2] === "1", preferences: m[3] === "1", saleOfData: m[4] === "1" };
  return { required: false, collected: false, analytics: true, marketing: true, preferences: true, saleOfData: true };
}

/** Maps the `?consent=` dev switch to the cookie value ("" = clear), or null when the value is not a switch. */
export function consentSwitch(param: string | null): string | null {
  switch (param) {
    case "granted":
      return "a1m1p1s1";
    case "denied":
      return "a0m0p0s0";
    case "required":
      return "required";
    case "reset":
      return "";
    default:
      return null;
  }
}

function json(v: unknown): string {
  return JSON.stringify(v).replace(/</g, "\\u003c");
}

/** The dev store's `content_for_header`: Shopify globals, analytics meta and the Customer Privacy API. */
export function contentForHeader(opts: {
  shopDomain: string;
  currency: string;
  /** Shopify's rate from the shop's currency to `currency` (1 in the shop's own). */
  rate?: number;
  consent: ConsentState;
  meta: Record<string, unknown>;
}): string {
  const { consent } = opts;
  const script = `(function(){
var S=window.Shopify=window.Shopify||{};
S.shop=${json(opts.shopDomain)};S.locale="en";S.country="${consent.required ? "DE" : "US"}";
S.currency={active:${json(opts.currency)},rate:${json(opts.rate && opts.rate !== 1 ? String(opts.rate) : "1.0")}};S.routes={root:"/"};S.theme={name:"Dev Dawn",id:1,role:"main"};
var C=${json(consent)};
function save(){var v=C.collected?"a"+(+C.analytics)+"m"+(+C.marketing)+"p"+(+C.preferences)+"s"+(+C.saleOfData):(C.required?"required":"");document.cookie="${CONSENT_COOKIE}="+v+"; path=/; max-age="+(v?31536000:0)+"; SameSite=Lax"}
function yn(b){return C.collected?(b?"yes":"no"):""}
S.customerPrivacy={
analyticsProcessingAllowed:function(){return C.analytics},
marketingAllowed:function(){return C.marketing},
preferencesProcessingAllowed:function(){return C.preferences},
saleOfDataAllowed:function(){return C.saleOfData},
userCanBeTracked:function(){return C.analytics&&C.marketing},
userDataCanBeSold:function(){return C.saleOfData},
getTrackingConsent:function(){return C.collected?(C.analytics&&C.marketing?"yes":"no"):"no_interaction"},
currentVisitorConsent:function(){return {marketing:yn(C.marketing),analytics:yn(C.analytics),preferences:yn(C.preferences),sale_of_data:yn(C.saleOfData)}},
shouldShowBanner:function(){return C.required&&!C.collected},
shouldShowGDPRBanner:function(){return C.required&&!C.collected},
getRegion:function(){return C.required?"DE":"USCA"},
setTrackingConsent:function(consent,cb){
if(typeof consent!=="object"||consent===null){var b=!!consent;consent={analytics:b,marketing:b,preferences:b,sale_of_data:b}}
C.collected=true;C.required=true;
if("analytics" in consent)C.analytics=!!consent.analytics;
if("marketing" in consent)C.marketing=!!consent.marketing;
if("preferences" in consent)C.preferences=!!consent.preferences;
if("sale_of_data" in consent)C.saleOfData=!!consent.sale_of_data;
save();
document.dispatchEvent(new CustomEvent("visitorConsentCollected",{detail:{analyticsAllowed:C.analytics,marketingAllowed:C.marketing,preferencesAllowed:C.preferences,saleOfDataAllowed:C.saleOfData}}));
if(typeof cb==="function")setTimeout(function(){cb({})},0)}
};
S.loadFeatures=function(features,cb){setTimeout(function(){if(typeof cb==="function")cb(null)},0)};
window.ShopifyAnalytics=window.ShopifyAnalytics||{};window.ShopifyAnalytics.meta=${json(opts.meta)};window.meta=window.ShopifyAnalytics.meta;
})();`;
  return `<meta name="shopify-checkout-api-token" content="dev"><script id="shopify-features" type="application/json">{"accessToken":"dev","betas":[],"locale":"en"}</script>\n<script>${script}</script>`;
}

/** The consent banner, rendered only when the region requires consent and none was collected yet. */
export function consentBanner(consent: ConsentState, copy: { label: string; text: string; accept: string; decline: string }): string {
  if (!consent.required || consent.collected) return "";
  return `<div class="consent-banner" id="consent-banner" role="region" aria-label="${escapeHtml(copy.label)}">
<p>${escapeHtml(copy.text)}</p>
<button type="button" class="button" data-consent="accept">${escapeHtml(copy.accept)}</button>
<button type="button" class="button button--secondary" data-consent="decline">${escapeHtml(copy.decline)}</button>
</div>
<script>(function(){var b=document.getElementById("consent-banner");b.addEventListener("click",function(e){var t=e.target.closest("[data-consent]");if(!t)return;window.Shopify.customerPrivacy.setTrackingConsent(t.dataset.consent==="accept",function(){});b.remove()})})();</script>`;
}
