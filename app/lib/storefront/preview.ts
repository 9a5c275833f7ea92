/**
 * Merchant preview: a tab opened from the admin's "Preview on my store" carries `?rp_preview=<token>` (kept for the
 * tab in sessionStorage). While it holds a token the embed tracks nothing and sends no events, so preview traffic
 * is never counted; the app proxy answers the token with the play's current copy (404 for an expired or another
 * shop's token: nothing is shown), which appears at once in the embed's panel on the page the link opens (the
 * play's surface), whether or not the play is on yet. Copy is set with textContent only. Kept tiny: the embed's
 * whole budget is 8 KB gzip.
 */
interface Preview { heading: string; body: string }

export function preview(proxy: string, f: typeof fetch): boolean {
  const d = document;
  let tok: string | null | undefined = /rp_preview=([\w.-]+)/.exec(location.search)?.[1];
  try {
    if (tok) sessionStorage.setItem("rp_pv", tok);
    else tok = sessionStorage.getItem("rp_pv");
  } catch {
    // Storage blocked: a token in the URL still previews this page.
  }
  if (!tok) return false;
  // Tokens are base64url with one dot: nothing to escape (the server verifies whatever arrives).
  f(proxy + "preview?token=" + tok)
    .then((r) => r.ok && r.json())
    .then((j: Preview | false) => {
      const panel = d.getElementById("rp-panel");
      if (!j || !panel) return;
      const card = panel.appendChild(d.createElement("div"));
      card.className = "rp-card";
      for (const c of ["heading", "body"] as const) {
        const p = card.appendChild(d.createElement("p"));
        p.className = "rp-" + c;
        p.textContent = j[c];
      }
      panel.hidden = false;
    }, () => 0);
  return true;
}
