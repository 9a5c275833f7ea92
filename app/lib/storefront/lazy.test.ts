// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from "vitest";
import { fill } from "./lazy";

const product = (handle: string, id: number, available = true) => ({
  title: handle.toUpperCase(),
  handle,
  url: `/products/${handle}`,
  price: 2000,
  available,
  variants: [{ id, available }],
});
// Shopify's related products, in its relevance order; "c" is sold out.
const RELATED = [product("a", 1), product("b", 2), product("c", 3, false), product("d", 4), product("e", 5)];

let calls: string[] = [];
const fetchWith = (sales: Record<string, number> | "down"): typeof fetch =>
  (async (input: RequestInfo | URL) => {
    const url = String(input);
    calls.push(url);
    if (url.startsWith("/recommendations/")) return new Response(JSON.stringify({ products: RELATED }));
    if (sales === "down") return new Response("", { status: 503 });
    return new Response(JSON.stringify({ sales }));
  }) as typeof fetch;

let box: HTMLElement;
let card: HTMLTemplateElement;
beforeEach(() => {
  calls = [];
  document.body.innerHTML = `<div id="box"></div><template id="card"><li><a href="#"><img alt=""><span data-f="title"></span> <span data-f="price"></span></a></li></template>`;
  box = document.getElementById("box")!;
  card = document.getElementById("card") as HTMLTemplateElement;
});
const shown = () => Array.from(box.querySelectorAll("[data-f=title]"), (n) => n.textContent);
const money = (n: number) => `$${n.toFixed(2)}`;

describe("Popular Alternatives", () => {
  it("GIVEN the shop's recent sales WHEN alternatives are filled THEN the best sellers among the related products show, never a sold-out one", async () => {
    const ids = await fill(fetchWith({ e: 12, c: 40, b: 3 }), "/recommendations/products.json?limit=10", box, card, 3, 0, money, "/apps/rp/popular");
    expect(shown()).toEqual(["E", "B", "A"]);
    expect(ids).toEqual([5, 2, 1]);
    expect(calls[1]).toBe("/apps/rp/popular?h=a,b,c,d,e");
  });
  it("GIVEN the popularity endpoint is down WHEN alternatives are filled THEN Shopify's order is kept", async () => {
    await fill(fetchWith("down"), "/recommendations/products.json?limit=10", box, card, 3, 0, money, "/apps/rp/popular");
    expect(shown()).toEqual(["A", "B", "D"]);
  });
  it("GIVEN the bundle (no popularity URL) WHEN filled THEN nothing is asked of the app and Shopify's first available product shows", async () => {
    await fill(fetchWith({ e: 99 }), "/recommendations/products.json?limit=2", box, card, 1, 10, money);
    expect(shown()).toEqual(["A"]);
    expect(calls).toHaveLength(1);
  });
});
