// The local merchant admin: frames the app like Shopify's admin does (embedded=1, host, shop, id_token, locale),
// with a left nav built from the app's <ui-nav-menu> links (sent by the App Bridge stand-in via postMessage).
import { signSessionToken } from "../admin/auth";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The `host` param: base64 of the admin host ("admin.shopify.com/store/<name>"), without padding like Shopify. */
export function adminHost(shop: string): string {
  return Buffer.from(`admin.shopify.com/store/${shop.replace(/\.myshopify\.com$/, "")}`).toString("base64").replace(/=+$/, "");
}

export function embeddedAppUrl(opts: { appUrl: string; path: string; shop: string; apiKey: string; apiSecret: string }): string {
  const u = new URL(opts.path || "/app", opts.appUrl);
  u.searchParams.set("embedded", "1");
  u.searchParams.set("host", adminHost(opts.shop));
  u.searchParams.set("shop", opts.shop);
  u.searchParams.set("id_token", signSessionToken(opts.shop, opts.apiKey, opts.apiSecret));
  u.searchParams.set("locale", "en");
  return u.toString();
}

export function renderAdminFrame(opts: { appUrl: string; storeUrl: string; shop: string; shopName: string; apiKey: string; apiSecret: string; path?: string }): string {
  const src = embeddedAppUrl({ ...opts, path: opts.path ?? "/app" });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(opts.shopName)} · Admin (local dev store)</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>
  body{margin:0;font:14px system-ui,sans-serif;display:grid;grid-template-columns:240px 1fr;grid-template-rows:48px 1fr;height:100vh;background:#f1f1f1}
  header{grid-column:1/3;background:#1a1a1a;color:#fff;display:flex;align-items:center;padding:0 16px;gap:16px}
  header a{color:#ccc} nav{padding:12px;border-right:1px solid #ddd;background:#ebebeb;overflow:auto}
  nav a{display:block;padding:6px 10px;border-radius:8px;color:#303030;text-decoration:none} nav a:hover,nav a[aria-current]{background:#fff}
  nav h2{font-size:12px;color:#616161;margin:12px 10px 4px;font-weight:600}
  main{display:flex;flex-direction:column;min-height:0} #title{padding:10px 16px;font-weight:600;min-height:20px}
  iframe{flex:1;border:0;background:#fff;width:100%}
</style></head>
<body>
<header><strong>${esc(opts.shopName)}</strong><span style="opacity:.7">${esc(opts.shop)} · local dev store</span>
<a href="${esc(opts.storeUrl)}/" target="_blank" rel="noopener">View storefront</a></header>
<nav aria-label="Admin"><a href="#" data-app-home>Home</a><h2>Apps</h2><div id="app-nav" aria-label="App navigation"></div></nav>
<main><div id="title" aria-live="polite"></div>
<iframe id="app-frame" title="Recovery Plays" name="app-iframe" src="${esc(src)}" allow="clipboard-write"></iframe></main>
<script>
(function(){
  var appOrigin = ${JSON.stringify(new URL(opts.appUrl).origin)};
  var frame = document.getElementById("app-frame"), nav = document.getElementById("app-nav"), title = document.getElementById("title");
  function go(path){ fetch("/admin/embed-url?path=" + encodeURIComponent(path) + "&shop=" + encodeURIComponent(${JSON.stringify(opts.shop)})).then(function(r){return r.json()}).then(function(j){ frame.src = j.url; }); }
  window.addEventListener("message", function(ev){
    if (ev.origin !== appOrigin || !ev.data || ev.data.source !== "devstore-app-bridge") return;
    if (ev.data.type === "nav") {
      nav.innerHTML = "";
      ev.data.links.forEach(function(l){ var a = document.createElement("a"); a.href = "#"; a.textContent = l.label || l.href; a.setAttribute("data-href", l.href); a.onclick = function(e){ e.preventDefault(); go(l.href); }; nav.appendChild(a); });
    } else if (ev.data.type === "title") { title.textContent = ev.data.title; }
  });
  document.querySelector("[data-app-home]").onclick = function(e){ e.preventDefault(); go("/app"); };
})();
</script></body></html>`;
}
