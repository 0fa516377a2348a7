// A small time-series chart as inline SVG: a line through the unit's values
// (gaps where a value is withheld or missing), dots at each date, the
// current date marked, and the first and last dates and the value range as
// axis labels. No chart library: the geometry is computed here.

import type { SeriesValue } from './api';
import { svg } from './dom';
import { formatDate, formatNumber, type Lang } from './format';

export interface ChartPoint {
  x: number;
  y: number | null; // null: no value on that date
  date: string;
  value: number | null;
}

export interface ChartGeometry {
  points: ChartPoint[];
  /** SVG path data; a withheld or missing value breaks the line. */
  path: string;
  min: number | null;
  max: number | null;
}

/**
 * Lays out values over time in a box of width × height with padding pad:
 * x by date (days, so that uneven intervals show as such), y by value
 * (the range of the values, a flat series in the middle).
 */
export function chartGeometry(values: SeriesValue[], width: number, height: number, pad = 8): ChartGeometry {
  const sorted = [...values].sort((a, b) => a.date.localeCompare(b.date));
  const days = sorted.map((v) => Date.parse(v.date + 'T00:00:00Z') / 86400000);
  const nums = sorted.filter((v) => v.status === 'ok' && v.value !== null).map((v) => v.value as number);
  const min = nums.length ? Math.min(...nums) : null;
  const max = nums.length ? Math.max(...nums) : null;
  const d0 = days[0] ?? 0;
  const d1 = days[days.length - 1] ?? 0;
  const xOf = (d: number) => (d1 === d0 ? width / 2 : pad + ((d - d0) / (d1 - d0)) * (width - 2 * pad));
  const yOf = (v: number) =>
    min === null || max === null || max === min ? height / 2 : height - pad - ((v - min) / (max - min)) * (height - 2 * pad);
  const points: ChartPoint[] = sorted.map((v, i) => {
    const ok = v.status === 'ok' && v.value !== null;
    return { x: round(xOf(days[i] ?? 0)), y: ok ? round(yOf(v.value as number)) : null, date: v.date, value: ok ? v.value : null };
  });
  let path = '';
  let pen = false;
  for (const p of points) {
    if (p.y === null) {
      pen = false;
      continue;
    }
    path += `${pen ? 'L' : 'M'}${p.x},${p.y}`;
    pen = true;
  }
  return { points, path, min, max };
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

/** The chart as an SVG element with a text alternative. */
export function seriesChart(values: SeriesValue[], current: string | null, lang: Lang, precision: number, label: string): SVGElement {
  const w = 300;
  const h = 110;
  const plotH = 80;
  const g = chartGeometry(values, w, plotH, 12);
  const desc = g.points.map((p) => `${formatDate(p.date, lang)}: ${formatNumber(p.value, lang, precision)}`).join('; ');
  const root = svg('svg', { viewBox: `0 0 ${w} ${h}`, width: '100%', role: 'img', 'aria-label': `${label}: ${desc}`, class: 'chart' });
  root.appendChild(svg('title', {}, `${label}: ${desc}`));
  root.appendChild(svg('line', { x1: 0, y1: plotH, x2: w, y2: plotH, class: 'chart-axis' }));
  if (g.path) root.appendChild(svg('path', { d: g.path, class: 'chart-line' }));
  for (const p of g.points) {
    if (p.date === current) root.appendChild(svg('line', { x1: p.x, y1: 0, x2: p.x, y2: plotH, class: 'chart-now' }));
    if (p.y !== null) {
      const dot = svg('circle', { cx: p.x, cy: p.y, r: p.date === current ? 4.5 : 3, class: p.date === current ? 'chart-dot now' : 'chart-dot' });
      dot.appendChild(svg('title', {}, `${formatDate(p.date, lang)}: ${formatNumber(p.value, lang, precision)}`));
      root.appendChild(dot);
    } else {
      root.appendChild(svg('circle', { cx: p.x, cy: plotH - 4, r: 2.5, class: 'chart-gap' }));
    }
  }
  const first = g.points[0];
  const last = g.points[g.points.length - 1];
  if (first) root.appendChild(svg('text', { x: first.x, y: h - 8, class: 'chart-label', 'text-anchor': g.points.length > 1 ? 'start' : 'middle' }, formatDate(first.date, lang)));
  if (last && last !== first) root.appendChild(svg('text', { x: last.x, y: h - 8, class: 'chart-label', 'text-anchor': 'end' }, formatDate(last.date, lang)));
  if (g.max !== null && g.min !== null) {
    root.appendChild(svg('text', { x: 2, y: 10, class: 'chart-label' }, `max ${formatNumber(g.max, lang, precision)}`));
    if (g.max !== g.min) root.appendChild(svg('text', { x: 2, y: plotH - 3, class: 'chart-label' }, `min ${formatNumber(g.min, lang, precision)}`));
  }
  return root;
}
