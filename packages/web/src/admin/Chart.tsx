import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/**
 * One time series with uPlot, sized to its container (so it fits a phone) and coloured
 * from the page's CSS variables (so it follows dark mode). A table of the same numbers
 * sits next to it for screen readers.
 */
export function TimeChart({ title, times, values, unit, format }: { title: string; times: number[]; values: (number | null)[]; unit: string; format(v: number | null): string }) {
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
        axes: [axis, { ...axis, size: 44, values: (_u, splits) => splits.map((v) => format(v)) }],
        series: [{}, { label: title, stroke: accent, width: 2, fill: `${accent}22`, spanGaps: false, points: { show: values.length < 30 } }],
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
  }, [title, times, values, format]);
  return (
    <figure className="chart">
      <figcaption>
        {title} <span className="muted">({unit})</span>
      </figcaption>
      <div ref={box} className="chart-box" role="img" aria-label={`${title} over the window`} />
    </figure>
  );
}
