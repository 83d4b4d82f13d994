import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/**
 * One time series with uPlot, sized to its container (so it fits a phone) and coloured
 * from the page's CSS variables (so it follows dark mode). A table of the same numbers
 * sits next to it for screen readers.
 */
export function TimeChart({ title, times, values, unit, format, integer = false }: { title: string; times: number[]; values: (number | null)[]; unit: string; format(v: number | null): string; integer?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const style = getComputedStyle(document.documentElement);
    const ink = style.getPropertyValue('--muted').trim() || '#666';
    const accent = style.getPropertyValue('--accent').trim() || '#2563eb';
    const grid = style.getPropertyValue('--line').trim() || '#ddd';
    const axis = { stroke: ink, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font: '11px system-ui, sans-serif' };
    const plot = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: 160,
        legend: { show: false },
        cursor: { y: false },
        scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(1, max ?? 1)] } },
        // Counts get whole-number ticks only (no 0, 0.5, 1 printed as 0, 1, 1).
        axes: [axis, { ...axis, size: 60, ...(integer ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000] } : {}), values: (_u, splits) => splits.map((v) => format(v)) }],
        // Buckets with nothing to measure (null) are bridged, so a sparse window still shows
        // the line through its few points.
        series: [{}, { label: title, stroke: accent, width: 2, fill: `${accent}22`, spanGaps: true, points: { size: 5, fill: accent } }],
      },
      [times, values],
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height: 160 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [title, times, values, format, integer]);
  return (
    <figure className="chart">
      <figcaption>
        {title} <span className="muted">({unit})</span>
      </figcaption>
      <div ref={box} className="chart-box" role="img" aria-label={`${title} over the window`} />
    </figure>
  );
}
