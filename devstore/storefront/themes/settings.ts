// Global theme settings as Liquid objects. settings_data.json stores plain values; Shopify hands the theme objects
// for some setting types, and themes read their properties: a `color` prints its hex and has red/green/blue/alpha/
// rgb/rgba; `color_scheme_group` is the list of schemes, each with an `id` (printed as the scheme's id) and its
// colours as colour objects; a `font_picker` value is a font with family/fallback_families/style/weight. Without
// these, Dawn's layout printed empty colour-scheme classes and variables (no background, no button colours).
import { Drop } from "liquidjs";

/** A hex or rgb(a) string → [r, g, b, alpha], or null. */
function rgba(input: string): [number, number, number, number] | null {
  let m = /^#?([0-9a-f]{3}|[0-9a-f]{6})([0-9a-f]{2})?$/i.exec(input.trim());
  if (m) {
    const h = m[1].length === 3 ? m[1].replace(/./g, "$&$&") : m[1];
    const n = parseInt(h, 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255, m[2] ? Math.round((parseInt(m[2], 16) / 255) * 100) / 100 : 1];
  }
  m = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)(?:[\s,/]+([\d.]+))?\s*\)$/i.exec(input.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])] : null;
}

/** Shopify's color object (https://shopify.dev/docs/api/liquid/objects/color). */
export class ColorDrop extends Drop {
  readonly red: number;
  readonly green: number;
  readonly blue: number;
  readonly alpha: number;
  constructor(private readonly raw: string, c: [number, number, number, number]) {
    super();
    [this.red, this.green, this.blue, this.alpha] = c;
  }
  get rgb(): string {
    return `${this.red} ${this.green} ${this.blue}`;
  }
  get rgba(): string {
    return `${this.red} ${this.green} ${this.blue} / ${this.alpha.toFixed(1)}`;
  }
  valueOf(): string {
    return this.raw;
  }
  toString(): string {
    return this.raw;
  }
}

/** One scheme of a `color_scheme_group`: prints as its id. */
export class ColorSchemeDrop extends Drop {
  constructor(readonly id: string, readonly settings: Record<string, unknown>) {
    super();
  }
  valueOf(): string {
    return this.id;
  }
  toString(): string {
    return this.id;
  }
}

/** A font_picker value ("assistant_n4") as a font object; the family stand-in is never downloaded offline. */
export class FontDrop extends Drop {
  readonly family: string;
  readonly style: string;
  readonly weight: number;
  readonly fallback_families = "sans-serif";
  readonly system = false;
  constructor(private readonly handle: string) {
    super();
    const m = /^(.+)_([nio])(\d)$/.exec(handle);
    this.family = (m?.[1] ?? handle).split("_").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(" ");
    this.style = m?.[2] === "i" ? "italic" : m?.[2] === "o" ? "oblique" : "normal";
    this.weight = m ? Number(m[3]) * 100 : 400;
  }
  override liquidMethodMissing(key: string | number): unknown {
    return key === "system?" ? false : undefined;
  }
  valueOf(): string {
    return this.handle;
  }
  toString(): string {
    return this.handle;
  }
}

const color = (v: unknown) => {
  const c = typeof v === "string" ? rgba(v) : null;
  return c ? new ColorDrop(v as string, c) : v;
};

/**
 * The `settings` object for Liquid: `current` values of settings_data.json (defaults already merged), with colour,
 * colour-scheme-group and font settings turned into objects by their type in settings_schema.json.
 */
export function settingsObject(current: Record<string, unknown>, schema: { settings?: { id?: string; type?: string }[] }[]): Record<string, unknown> {
  const out = { ...current };
  for (const s of schema.flatMap((g) => g.settings ?? [])) {
    if (!s.id || !(s.id in out)) continue;
    const v = out[s.id];
    if (s.type === "color") out[s.id] = color(v);
    else if (s.type === "font_picker" && typeof v === "string") out[s.id] = new FontDrop(v);
    else if (s.type === "color_scheme_group" && v && typeof v === "object" && !Array.isArray(v)) {
      out[s.id] = Object.entries(v as Record<string, { settings?: Record<string, unknown> }>).map(([id, scheme]) => {
        const colors: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(scheme.settings ?? {})) colors[k] = color(x);
        return new ColorSchemeDrop(id, colors);
      });
    }
  }
  return out;
}
