// Leak finder charts with Polaris Viz: the funnel and the daily trend. Rendered on the client only (the charts
// measure the DOM) behind a fixed-height placeholder, so nothing shifts when they mount. The charts are hidden from
// assistive technology (Polaris Viz's SVG markup fails axe's ARIA rules); the page renders the same figures as a
// data table right after each chart, which is what screen readers get.
import { lazy, Suspense, useEffect, useState } from "react";
import { Box, SkeletonBodyText } from "@shopify/polaris";

type Series = { name: string; data: { key: string; value: number | null }[] }[];

const Charts = lazy(async () => {
  const viz = await import("@shopify/polaris-viz");
  function VizChart({ kind, series }: { kind: "funnel" | "trend"; series: Series }) {
    return (
      <viz.PolarisVizProvider>
        <div aria-hidden="true" style={{ height: 260 }}>
          {kind === "funnel" ? <viz.FunnelChart data={series} theme="Light" /> : <viz.LineChart data={series} theme="Light" />}
        </div>
      </viz.PolarisVizProvider>
    );
  }
  return { default: VizChart };
});

export function LeakChart(props: { kind: "funnel" | "trend"; series: Series }) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  const placeholder = (
    <Box minHeight="260px">
      <SkeletonBodyText lines={6} />
    </Box>
  );
  if (!mounted) return placeholder;
  return (
    <Suspense fallback={placeholder}>
      <Charts {...props} />
    </Suspense>
  );
}
