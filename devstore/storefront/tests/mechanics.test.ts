// Renderer mechanics the real extension doesn't exercise yet (available_if, schema javascript/stylesheet, head
// embeds, extension locales), with a tiny throwaway extension written to a temp dir.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevMetafield } from "../../types";
import { Shopper, TEST_API_KEY, type TestStorefront, startStorefront } from "../testing";

let dir: string;
let store: TestStorefront;
const metafields: DevMetafield[] = [];

function write(rel: string, content: string) {
  const file = path.join(dir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "rp-ext-"));
  write("shopify.extension.toml", 'name = "fixture"\ntype = "theme"\nuid = "11111111-2222-3333-4444-555555555555"\n');
  write(
    "blocks/head-embed.liquid",
    `<meta name="fixture-head" content="{{ block.settings.flag }}">{% schema %}{"name":"Head","target":"head","settings":[{"type":"text","id":"flag","default":"on"}]}{% endschema %}`,
  );
  write(
    "blocks/gated.liquid",
    `<p class="gated">{{ 'fixture.hello' | t: name: customer.first_name }}</p>{% render 'note' %}{% schema %}{"name":"Gated","target":"body","available_if":"{{ app.metafields.recovery_plays.enabled }}","javascript":"gated.js","stylesheet":"gated.css"}{% endschema %}`,
  );
  write("snippets/note.liquid", `<small class="note">{{ 'fixture.note' | t }}</small>`);
  write("locales/en.default.json", JSON.stringify({ fixture: { hello: "Hello {{ name }}", note: "from the extension" } }));
  write("assets/gated.js", "console.log('gated');");
  write("assets/gated.css", ".gated{color:red}");
  store = await startStorefront({ metafields, options: { extensionDir: dir } });
  const merchant = new Shopper(store.url);
  await merchant.get(`/admin/themes/current/editor?context=apps&activateAppId=${TEST_API_KEY}/head-embed`);
  await merchant.get(`/admin/themes/current/editor?context=apps&activateAppId=${TEST_API_KEY}/gated`);
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const flag = (value: "true" | "false"): DevMetafield => ({
  id: "2",
  ownerId: "gid://shopify/AppInstallation/1",
  namespace: "recovery_plays",
  key: "enabled",
  type: "boolean",
  value,
  updatedAt: "2025-01-01T00:00:00.000Z",
});

describe("app block rendering mechanics", () => {
  it("GIVEN an enabled embed with target head WHEN a page renders THEN its output lands inside <head> with schema defaults", async () => {
    const html = await new Shopper(store.url).html("/");
    const head = html.slice(0, html.indexOf("</head>"));
    expect(head).toContain('<meta name="fixture-head" content="on">');
  });

  it("GIVEN available_if pointing at a false app metafield WHEN a page renders THEN the block is not rendered and its assets not loaded", async () => {
    metafields.splice(0, metafields.length, flag("false"));
    const html = await new Shopper(store.url).html("/");
    expect(html).not.toContain('class="gated"');
    expect(html).not.toContain("gated.js");
  });

  it("GIVEN available_if pointing at a true app metafield WHEN a page renders THEN the block renders with its extension locale and snippet", async () => {
    metafields.splice(0, metafields.length, flag("true"));
    const s = new Shopper(store.url);
    await s.postForm("/account/login", { "customer[email]": "vip@example.com", "customer[password]": "hunter22" });
    const html = await s.html("/");
    expect(html).toContain('<p class="gated">Hello Vera</p><small class="note">from the extension</small>');
  });

  it("GIVEN a block schema with javascript and stylesheet WHEN it renders THEN both load from the extension's CDN path in <head>, the script deferred", async () => {
    metafields.splice(0, metafields.length, flag("true"));
    const html = await new Shopper(store.url).html("/");
    const head = html.slice(0, html.indexOf("</head>"));
    const js = /<script src="(\/cdn\/extensions\/11111111-2222-3333-4444-555555555555\/assets\/gated\.js\?v=[^"]+)" defer="defer"><\/script>/.exec(head)?.[1];
    expect(js).toBeDefined();
    expect(head).toMatch(/<link href="\/cdn\/extensions\/11111111-2222-3333-4444-555555555555\/assets\/gated\.css\?v=[^"]+" rel="stylesheet"/);
    expect(await (await fetch(store.url + js)).text()).toBe("console.log('gated');");
  });

  it("GIVEN an asset path of another extension WHEN fetched THEN 404", async () => {
    expect((await fetch(`${store.url}/cdn/extensions/nope/assets/gated.js`)).status).toBe(404);
  });
});
