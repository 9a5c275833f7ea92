/** Liquid `request.page_type` (+ page handle / path) → the page kind the signals count. Pure. */
import type { PageKind } from "./types";

/** Merchant pages whose handle names shipping, returns, policies, FAQs or contact count as information pages. */
const INFO_HANDLE = /(ship|deliver|return|refund|exchange|polic|warrant|guarantee|faq|contact|help|terms)/i;

export function classifyPage(pageType: string, handle = "", path = ""): PageKind {
  switch (pageType) {
    case "index": return "home";
    case "collection": case "list-collections": return "collection";
    case "product": return "product";
    case "search": return "search";
    case "cart": return "cart";
    case "policy": return "info";
    case "page": return INFO_HANDLE.test(handle) ? "info" : "other";
  }
  if (pageType.startsWith("customers/")) return "account";
  if (/^\/(\w\w(-\w\w)?\/)?policies\//.test(path)) return "info";
  return "other";
}
