// A small stand-in for App Bridge's CDN script (https://cdn.shopify.com/shopifycloud/app-bridge.js), served by the
// dev store at /app-bridge.js for demo and e2e runs only; production loads Shopify's CDN script. It implements the
// part of the `shopify` global the app uses: idToken(), the fetch patch that adds `Authorization: Bearer <token>`
// to same-origin requests (and retries once on X-Shopify-Retry-Invalid-Session-Request), the bounce page reload
// (`shopify-reload`), toast.show, saveBar show/hide/toggle, and the custom elements ui-nav-menu, ui-save-bar,
// ui-title-bar and ui-modal (minimal, visible, testable).
export const APP_BRIDGE_JS = String.raw`(function () {
  if (window.shopify && window.shopify.__devstore) return;
  var script = document.currentScript;
  // Like Shopify's script, refuse to start unless loaded as the document's first <script>, synchronously: an app
  // that passes here with App Bridge later in the page (or async/defer/module) would be broken in the real admin.
  if (!script || document.querySelector("script") !== script || script.async || script.defer || script.type === "module") {
    console.error("Shopify's App Bridge must be included as the first <script> tag and must link to Shopify's CDN. Do not use async, defer or type=module. Aborting.");
    return;
  }
  var storeOrigin = script ? new URL(script.src).origin : location.origin;
  var apiKey = script ? script.getAttribute("data-api-key") : null;
  if (!apiKey) { var meta = document.querySelector('meta[name="shopify-api-key"]'); apiKey = meta ? meta.content : null; }
  var params = new URLSearchParams(location.search);
  var shop = params.get("shop") || sessionStorage.getItem("devstore:shop") || "";
  var host = params.get("host") || sessionStorage.getItem("devstore:host") || "";
  if (shop) sessionStorage.setItem("devstore:shop", shop);
  if (host) sessionStorage.setItem("devstore:host", host);
  var post = function (msg) { try { if (window.parent !== window) window.parent.postMessage(Object.assign({ source: "devstore-app-bridge" }, msg), storeOrigin); } catch (e) {} };

  function idToken() {
    return fetch(storeOrigin + "/admin/session-token?shop=" + encodeURIComponent(shop), { credentials: "omit" })
      .then(function (r) { if (!r.ok) throw new Error("session token: " + r.status); return r.json(); })
      .then(function (j) { return j.token; });
  }

  var realFetch = window.fetch.bind(window);
  window.fetch = function (input, init) {
    var url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url, location.href);
    if (url.origin !== location.origin) return realFetch(input, init);
    var send = function () {
      return idToken().then(function (token) {
        var headers = new Headers((init && init.headers) || (input instanceof Request ? input.headers : undefined));
        if (!headers.has("Authorization")) headers.set("Authorization", "Bearer " + token);
        return realFetch(input, Object.assign({}, init, { headers: headers }));
      });
    };
    return send().then(function (res) {
      return res.headers.get("X-Shopify-Retry-Invalid-Session-Request") === "1" ? send() : res;
    });
  };

  // The library's bounce page: get a fresh token and reload the app URL with it.
  var reload = params.get("shopify-reload");
  if (reload) {
    idToken().then(function (token) {
      var u = new URL(reload, location.href);
      u.searchParams.set("id_token", token);
      location.replace(u.toString());
    });
  }

  function el(tag, style, text) { var e = document.createElement(tag); if (style) e.setAttribute("style", style); if (text) e.textContent = text; return e; }
  var toastBox;
  var toast = {
    show: function (message, opts) {
      if (!toastBox) { toastBox = el("div", "position:fixed;bottom:24px;left:50%;transform:translateX(-50%);z-index:100000;display:flex;flex-direction:column;gap:8px"); toastBox.setAttribute("data-devstore-toasts", ""); document.body.appendChild(toastBox); }
      var t = el("div", "background:" + (opts && opts.isError ? "#8e1f0b" : "#1a1a1a") + ";color:#fff;padding:10px 16px;border-radius:8px;font:14px system-ui", message);
      t.setAttribute("role", "status");
      t.setAttribute("data-devstore-toast", "");
      toastBox.appendChild(t);
      var id = String(Date.now() + Math.random());
      setTimeout(function () { t.remove(); if (opts && opts.onDismiss) opts.onDismiss(); }, (opts && opts.duration) || 5000);
      return id;
    },
    hide: function () { if (toastBox) toastBox.innerHTML = ""; },
  };

  function bar(id) { return document.getElementById(id); }
  var saveBar = {
    show: function (id) { var b = bar(id); if (b && b.show) b.show(); return Promise.resolve(); },
    hide: function (id) { var b = bar(id); if (b && b.hide) b.hide(); return Promise.resolve(); },
    toggle: function (id) { var b = bar(id); if (b) (b.showing ? b.hide() : b.show()); return Promise.resolve(); },
    leaveConfirmation: function () { return Promise.resolve(); },
  };

  window.shopify = {
    __devstore: true,
    config: { apiKey: apiKey, shop: shop, host: host, locale: params.get("locale") || "en" },
    environment: { embedded: window.parent !== window, mobile: false, pos: false },
    idToken: idToken,
    toast: toast,
    saveBar: saveBar,
    loading: function () {},
    modal: { show: function (id) { var m = document.getElementById(id); if (m && m.show) m.show(); return Promise.resolve(); }, hide: function (id) { var m = document.getElementById(id); if (m && m.hide) m.hide(); return Promise.resolve(); } },
    resourcePicker: function () { return Promise.resolve(undefined); },
    user: function () { return Promise.resolve({ accountAccess: "Account owner" }); },
  };

  function define(name, impl) { if (!customElements.get(name)) customElements.define(name, impl); }

  define("ui-nav-menu", class extends HTMLElement {
    connectedCallback() { this.style.display = "none"; this._send(); this._mo = new MutationObserver(this._send.bind(this)); this._mo.observe(this, { childList: true, subtree: true, attributes: true }); }
    disconnectedCallback() { if (this._mo) this._mo.disconnect(); }
    _send() {
      var links = Array.prototype.map.call(this.querySelectorAll("a"), function (a) { return { label: a.textContent.trim(), href: a.getAttribute("href"), home: a.getAttribute("rel") === "home" }; });
      post({ type: "nav", links: links });
    }
  });

  define("ui-title-bar", class extends HTMLElement {
    connectedCallback() { this.style.display = "none"; post({ type: "title", title: this.getAttribute("title") || "" }); }
    static get observedAttributes() { return ["title"]; }
    attributeChangedCallback() { post({ type: "title", title: this.getAttribute("title") || "" }); }
  });

  define("ui-save-bar", class extends HTMLElement {
    connectedCallback() {
      this.showing = false;
      this.setAttribute("role", "region");
      this.setAttribute("aria-label", "Unsaved changes");
      this.style.cssText = "display:none;position:fixed;top:0;left:0;right:0;z-index:99999;background:#1a1a1a;color:#fff;padding:10px 16px;font:14px system-ui;align-items:center;gap:8px";
      // The label lives in the element's shadow root: the app's server-rendered children stay exactly as React
      // rendered them (a child added here before hydration is a hydration mismatch the real App Bridge never causes).
      if (!this.shadowRoot) { var sr = this.attachShadow({ mode: "open" }); sr.append(el("span", "flex:1", "Unsaved changes"), document.createElement("slot")); }
      if (this.hasAttribute("open")) this.show();
    }
    show() { this.showing = true; this.style.display = "flex"; post({ type: "saveBar", open: true }); }
    hide() { this.showing = false; this.style.display = "none"; post({ type: "saveBar", open: false }); }
    toggle() { this.showing ? this.hide() : this.show(); }
  });

  define("ui-modal", class extends HTMLElement {
    connectedCallback() { if (!this.hasAttribute("open")) this.style.display = "none"; this.style.cssText += ";position:fixed;inset:10% 20%;z-index:99998;background:#fff;border-radius:12px;box-shadow:0 10px 40px rgba(0,0,0,.3);padding:16px;overflow:auto"; }
    show() { this.style.display = "block"; }
    hide() { this.style.display = "none"; }
  });
})();
`;
