// Shopify search syntax (the `query:` argument of connections), the subset the dev store understands:
// space-separated terms ANDed, `field:value`, comparators `field:>x` `field:<=x`, quoted values, `-field:x` negation,
// `OR` between terms, and bare words matched against the resource's text. Unknown fields match nothing, as Shopify's
// search would find no document with that field.
export interface Term {
  field: string | null;
  op: ":" | ">" | "<" | ">=" | "<=";
  value: string;
  negate: boolean;
}

export function parseSearch(query: string | null | undefined): Term[][] {
  if (!query || !query.trim()) return [];
  const tokens = query.match(/-?[\w.]+:(?:[<>]=?)?(?:"[^"]*"|\S+)|"[^"]*"|\S+/g) ?? [];
  const groups: Term[][] = [[]];
  for (const raw of tokens) {
    if (raw === "OR") {
      groups.push([]);
      continue;
    }
    if (raw === "AND") continue;
    const negate = raw.startsWith("-");
    const t = negate ? raw.slice(1) : raw;
    const m = t.match(/^([\w.]+):(>=|<=|>|<)?(.*)$/);
    const strip = (v: string) => v.replace(/^"(.*)"$/, "$1");
    if (m) groups[groups.length - 1]!.push({ field: m[1]!.toLowerCase(), op: (m[2] as Term["op"]) ?? ":", value: strip(m[3]!), negate });
    else groups[groups.length - 1]!.push({ field: null, op: ":", value: strip(t), negate });
  }
  return groups.filter((g) => g.length > 0);
}

export type FieldGetter<T> = (item: T) => string | number | null | undefined | (string | number)[];

function cmp(actual: string | number, term: Term): boolean {
  const v = term.value;
  const numeric = typeof actual === "number" && v !== "" && !Number.isNaN(Number(v));
  const a = numeric ? actual : String(actual).toLowerCase();
  const b = numeric ? Number(v) : v.toLowerCase();
  switch (term.op) {
    case ">": return a > b;
    case "<": return a < b;
    case ">=": return a >= b;
    case "<=": return a <= b;
    default:
      if (typeof a === "string" && typeof b === "string" && b.endsWith("*")) return a.startsWith(b.slice(0, -1));
      return a === b;
  }
}

export function matches<T>(item: T, groups: Term[][], fields: Record<string, FieldGetter<T>>, text: (item: T) => string): boolean {
  if (groups.length === 0) return true;
  return groups.some((terms) =>
    terms.every((term) => {
      let ok: boolean;
      if (term.field === null) ok = text(item).toLowerCase().includes(term.value.toLowerCase());
      else {
        const getter = fields[term.field];
        if (!getter) ok = false;
        else {
          const actual = getter(item);
          if (actual === null || actual === undefined) ok = false;
          else if (Array.isArray(actual)) ok = actual.some((x) => cmp(x, term));
          else ok = cmp(actual, term);
        }
      }
      return term.negate ? !ok : ok;
    }),
  );
}
