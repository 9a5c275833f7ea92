// Leak finder charts with Polaris Viz: the funnel and the daily trend. Rendered on the client only (the charts
// measure the DOM) behind a fixed-height placeholder, so nothing shifts when they mount. Polaris Viz is ~150 KB of
// gzip JS whose first render is a long main-thread task, so it is fetched only when a chart comes near the
// viewport and the browser is idle: the server-rendered tables carry the figures until then. The charts are inert
// and hidden from assistive technology (Polaris Viz's SVG markup fails axe's ARIA rules and holds focusable
// elements); the page renders the same figures as a data table right after each chart, which is what screen
// readers and keyboards get.
import { lazy, Suspense, useEffect, useRef, useState, type ReactNode } from "react";
import { Box, SkeletonBodyText } from "@shopify/polaris";

type Series = { name: string; data: { key: string; value: number | null }[] }[];

const HEIGHT = 260;

const Charts = lazy(async () => {
  const viz = await import("@shopify/polaris-viz");
  // Loaded with the charts, not with the page: the stylesheet would otherwise block the first paint.
  await import("@shopify/polaris-viz/build/esm/styles.css");
  function VizChart({ kind, series }: { kind: "funnel" | "trend"; series: Series }) {
    return (
      <viz.PolarisVizProvider>
        <div aria-hidden="true" ref={(el) => el?.setAttribute("inert", "")} style={{ height: HEIGHT }}>
          {kind === "funnel" ? <viz.FunnelChart data={series} theme="Light" /> : <viz.LineChart data={series} theme="Light" />}
        </div>
      </viz.PolarisVizProvider>
    );
  }
  return { default: VizChart };
});

/** Runs `fn` once the main thread is idle (or after a short delay where requestIdleCallback is missing). */
function whenIdle(fn: () => void): () => void {
  if (typeof window.requestIdleCallback === "function") {
    const id = window.requestIdleCallback(fn, { timeout: 2000 });
    return () => window.cancelIdleCallback(id);
  }
  const id = window.setTimeout(fn, 200);
  return () => window.clearTimeout(id);
}

export function LeakChart(props: { kind: "funnel" | "trend"; series: Series }) {
  const ref = useRef<HTMLDivElement>(null);
  const [show, setShow] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof IntersectionObserver !== "function") return whenIdle(() => setShow(true));
    let cancel: (() => void) | undefined;
    const io = new IntersectionObserver(
      (entries) => {
        if (!entries.some((e) => e.isIntersecting)) return;
        io.disconnect();
        cancel = whenIdle(() => setShow(true));
      },
      { rootMargin: "200px" },
    );
    io.observe(el);
    return () => {
      io.disconnect();
      cancel?.();
    };
  }, []);
  const placeholder = (
    <Box minHeight={`${HEIGHT}px`}>
      <SkeletonBodyText lines={6} />
    </Box>
  );
  return (
    <div ref={ref} style={{ minHeight: HEIGHT }}>
      {show ? <Suspense fallback={placeholder}>{<Charts {...props} />}</Suspense> : placeholder}
    </div>
  );
}

const cell = { padding: "var(--p-space-150) var(--p-space-200)", borderBlockEnd: "var(--p-border-width-025) solid var(--p-color-border-secondary)", verticalAlign: "top" } as const;

/**
 * A table of figures, server-rendered as plain semantic markup (first column = row headers; `numeric` columns
 * right-aligned). Polaris DataTable measures every cell when it hydrates and re-renders after it: on this page
 * that was most of the main-thread work before the page became interactive. A semantic table needs no script.
 */
export function FigureTable({ label, headings, rows, numeric }: { label: string; headings: string[]; rows: ReactNode[][]; numeric?: boolean[] }) {
  const align = (i: number) => (numeric?.[i] ? "end" : "start");
  return (
    <div style={{ overflowX: "auto" }}>
      <table aria-label={label} style={{ width: "100%", borderCollapse: "collapse", font: "var(--p-font-weight-regular) var(--p-font-size-325)/var(--p-font-line-height-500) var(--p-font-family-sans)" }}>
        <thead>
          <tr>
            {headings.map((h, i) => (
              <th key={h} scope="col" style={{ ...cell, fontWeight: "var(--p-font-weight-medium)", textAlign: align(i) }}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(([head, ...rest], r) => (
            <tr key={r}>
              <th scope="row" style={{ ...cell, fontWeight: "var(--p-font-weight-regular)", textAlign: align(0) }}>
                {head}
              </th>
              {rest.map((v, i) => (
                <td key={i} style={{ ...cell, textAlign: align(i + 1), fontVariantNumeric: numeric?.[i + 1] ? "tabular-nums" : undefined }}>
                  {v}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
