import { chromium } from "playwright-core";
const b = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox","--disable-gpu","--disable-background-networking","--disable-component-update","--disable-sync","--no-first-run"] });
const p = await b.newPage({ viewport: { width: 1280, height: 900 } });
p.on("console", (m) => console.log("console:", m.type(), m.text().slice(0, 200)));
p.on("pageerror", (e) => console.log("pageerror:", e.message.slice(0, 300)));
await p.goto(process.argv[2], { waitUntil: "load" });
await p.waitForTimeout(Number(process.argv[4] ?? 4000));
await p.screenshot({ path: process.argv[3] });
await b.close();
