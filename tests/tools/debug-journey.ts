// Manual debugging aid: runs the Confidence journey once and prints what the storefront did.
import { launchBrowser, startStack } from "../e2e/harness";
import { addFirstProductToCart, enableThemeExtension, newShopper, openAdmin, setPlay, visitorIn } from "../e2e/journeys";

const stack = await startStack({ quiet: true });
const browser = await launchBrowser();
try {
  await enableThemeExtension(browser, stack, [{ handle: "cart-confidence", template: "cart" }]);
  const admin = await openAdmin(browser, stack, "Plays");
  await setPlay(admin, "confidence", true);
  const s = await newShopper(browser, stack, visitorIn("confidence", "treatment"));
  s.page.on("console", (m) => console.log("console:", m.text().slice(0, 200)));
  s.page.on("pageerror", (e) => console.log("pageerror:", e.message));
  s.page.on("request", (r) => r.url().includes("/apps/") && console.log("req:", r.method(), r.url().slice(0, 120)));
  console.log("after home:", await s.page.evaluate(() => localStorage.getItem("rp_s")));
  for (let i = 0; i < 3; i++) {
    await s.page.goto(`${stack.storeUrl}/policies/refund-policy`);
    await s.page.waitForTimeout(300);
    console.log("policy:", await s.page.evaluate(() => localStorage.getItem("rp_s")));
  }
  await addFirstProductToCart(s.page, stack);
  await s.page.goto(`${stack.storeUrl}/cart`);
  await s.page.waitForTimeout(2000);
  const html = await s.page.content();
  console.log("metafield:", JSON.stringify(stack.devstore.state.metafields.map((m: any) => [m.namespace, m.key, m.value.slice(0, 300)])));
  console.log("slot:", html.match(/<[^>]*rp-slot[^>]*>/g)?.slice(0, 3));
  console.log("boot:", html.match(/<script type="application\/json"[^>]*>[\s\S]{0,600}/)?.[0]);
  console.log("storage:", await s.page.evaluate(() => JSON.stringify({ v: localStorage.getItem("rp_v"), s: localStorage.getItem("rp_s") })));
  await s.page.screenshot({ path: "/tmp/cart.png", fullPage: true });
} finally {
  await browser.close();
  await stack.stop();
}
