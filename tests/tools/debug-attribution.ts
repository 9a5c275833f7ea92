// Manual debugging aid: the attribution journey, then the stack's tables.
import Database from "better-sqlite3";
import { launchBrowser, startStack } from "../e2e/harness";
import { addFirstProductToCart, enableThemeExtension, newShopper, openAdmin, setPlay, visitorIn } from "../e2e/journeys";

const stack = await startStack({ quiet: false, env: { ROLLUP_INTERVAL_MS: "1500" } });
const browser = await launchBrowser();
try {
  await enableThemeExtension(browser, stack, [{ handle: "cart-confidence", template: "cart" }]);
  const admin = await openAdmin(browser, stack, "Plays");
  await setPlay(admin, "confidence", true);
  const s = await newShopper(browser, stack, visitorIn("confidence", "treatment"));
  s.page.on("request", (r) => r.url().includes("/apps/") && console.log("req:", r.method(), r.url().slice(0, 100)));
  s.page.on("response", (r) => r.url().includes("/apps/") && console.log("res:", r.status(), r.url().slice(0, 100)));
  for (let i = 0; i < 3; i++) await s.page.goto(`${stack.storeUrl}/policies/refund-policy`);
  await addFirstProductToCart(s.page, stack);
  await s.page.goto(`${stack.storeUrl}/cart`);
  await s.page.waitForTimeout(3000);
  console.log("cart attrs:", await s.page.evaluate(() => fetch("/cart.js").then((r) => r.json()).then((c) => JSON.stringify(c.attributes))));
  await s.page.goto(`${stack.storeUrl}/checkout`);
  await s.page.click("#pay-now");
  await s.page.waitForTimeout(5000);
  const db = new Database(stack.databaseUrl.slice(5), { readonly: true });
  for (const t of ["Event", "OrderAttribution", "PlayExposure", "DailyPlayStat", "WebhookDelivery", "ProfileOrder"]) {
    console.log(t, JSON.stringify(db.prepare(`SELECT * FROM "${t}" LIMIT 5`).all()).slice(0, 600));
  }
  console.log("deliveries:", JSON.stringify(stack.devstore.webhookDeliveries?.slice?.(-3)).slice(0, 600));
} finally {
  await browser.close();
  await stack.stop();
}
