// Daily conversion (treatment vs holdout) with Polaris Viz. Rendered on the client only: the chart measures the
// DOM, so the server renders a fixed-height placeholder (no layout shift when it mounts).
import { lazy, Suspense, useEffect, useState } from "react";
import { Box, SkeletonBodyText } from "@shopify/polaris";

const Chart = lazy(async () => {
  const viz = await import("@shopify/polaris-viz");
  function VizChart({ series, label }: { series: { name: string; data: { key: string; value: number | null }[] }[]; label: string }) {
    return (
      <viz.PolarisVizProvider>
        <div role="img" aria-label={label} style={{ height: 240 }}>
          <viz.LineChart data={series} theme="Light" yAxisOptions={{ labelFormatter: (v) => `${Math.round(Number(v) * 1000) / 10} %` }} />
        </div>
      </viz.PolarisVizProvider>
    );
  }
  return { default: VizChart };
});

export function ConversionChart(props: { series: { name: string; data: { key: string; value: number | null }[] }[]; label: string }) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  const placeholder = (
    <Box minHeight="240px">
      <SkeletonBodyText lines={6} />
    </Box>
  );
  if (!mounted) return placeholder;
  return <Suspense fallback={placeholder}>{<Chart {...props} />}</Suspense>;
}
