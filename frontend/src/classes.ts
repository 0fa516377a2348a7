// Class colours. The classes themselves always come from the server's one
// classification (GET /indicators/{id}/breaks for the legend, `class` of
// GET /indicators/{id}/values for each unit), so that map, legend and the
// exports agree; this module only maps a class label to the legend's colour.
// Two legends are the app's own: the MSS Gesamtindex, a 4 × 3 cross of two
// classifications that the server answers without classes, and the LISA
// cluster map.

import type { Legend, Indicator, ValueRow } from './api';

export const noDataColor = '#d4d4d4';
export const suppressedColor = '#ffffff';
export const hatchColor = '#5a5a5a';

/** The colour of a class label in a legend, or null for no class. */
export function classColor(legend: Legend | null, label: string | null): string | null {
  if (!legend || label === null) return null;
  const i = legend.labels.indexOf(label);
  return i >= 0 ? (legend.colors[i] ?? null) : null;
}

/** The 2 × 2 … 4 × 3 cross of two classifications, read from the labels "row / column". */
export interface Cross {
  rows: string[];
  cols: string[];
  colors: string[][]; // [row][col]
}

/**
 * crossOf recognises an indicator whose fixed classes are the cross of two
 * classifications (the MSS Gesamtindex: group 1 … 12 = Status hoch … sehr
 * niedrig × Dynamik positiv … negativ), by labels "a / b" that enumerate
 * rows × columns in order. Null for any other indicator.
 */
export function crossOf(ind: Indicator | undefined): Cross | null {
  const c = ind?.classification;
  if (!c || c.method !== 'manual' || !c.labels || c.labels.length < 4) return null;
  const parts = c.labels.map((l) => l.split(' / '));
  if (parts.some((p) => p.length !== 2)) return null;
  const rows: string[] = [];
  const cols: string[] = [];
  for (const [r, col] of parts as [string, string][]) {
    if (!rows.includes(r)) rows.push(r);
    if (!cols.includes(col)) cols.push(col);
  }
  if (rows.length * cols.length !== parts.length || rows.length > 6 || cols.length > 6) return null;
  // The labels must run row by row: label i = rows[i / cols] / cols[i % cols].
  for (let i = 0; i < parts.length; i++) {
    const [r, col] = parts[i] as [string, string];
    if (r !== rows[Math.floor(i / cols.length)] || col !== cols[i % cols.length]) return null;
  }
  return { rows, cols, colors: bivariate(rows.length, cols.length) };
}

/** Group number (1-based, as the MSS Gesamtindex stores it) to row and column; null outside. */
export function crossCell(cross: Cross, value: number | null): [number, number] | null {
  if (value === null || !Number.isInteger(value)) return null;
  const n = cross.rows.length * cross.cols.length;
  if (value < 1 || value > n) return null;
  return [Math.floor((value - 1) / cross.cols.length), (value - 1) % cross.cols.length];
}

export function crossColor(cross: Cross, value: number | null): string | null {
  const cell = crossCell(cross, value);
  return cell ? (cross.colors[cell[0]]?.[cell[1]] ?? null) : null;
}

/** Counts of the ok values per cell of a cross. */
export function crossCounts(cross: Cross, rows: ValueRow[]): number[][] {
  const counts = cross.rows.map(() => cross.cols.map(() => 0));
  for (const r of rows) {
    if (r.status !== 'ok') continue;
    const cell = crossCell(cross, r.value);
    if (cell) counts[cell[0]]![cell[1]]! += 1;
  }
  return counts;
}

type RGB = [number, number, number];

function hex(c: RGB): string {
  return '#' + c.map((v) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, '0')).join('');
}

export function parseHex(h: string): RGB {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(h);
  if (!m) throw new Error(`not a colour: ${h}`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

function mix(a: RGB, b: RGB, t: number): RGB {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** Relative luminance (WCAG 2), for contrast checks and the text colour on a swatch. */
export function luminance(h: string): number {
  const lin = (v: number) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const [r, g, b] = parseHex(h);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

export function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
}

/**
 * A bivariate palette: rows (the first classification, e.g. social status
 * from hoch to sehr niedrig) grow from light yellow to dark red; columns
 * (the second, e.g. dynamics from positiv to negativ) turn from a bluish
 * tint through the row's colour to a darker, purpler shade. Every cell
 * differs from its neighbours in lightness and hue.
 */
export function bivariate(nrows: number, ncols: number): string[][] {
  const ramp: RGB[] = [[255, 255, 204], [254, 217, 118], [253, 141, 60], [227, 26, 28], [177, 0, 38], [128, 0, 38]];
  const rowColor = (r: number): RGB => {
    const t = nrows === 1 ? 0 : (r / (nrows - 1)) * (ramp.length - 2);
    const i = Math.min(ramp.length - 2, Math.floor(t));
    return mix(ramp[i]!, ramp[i + 1]!, t - i);
  };
  const good: RGB = [116, 169, 207];
  const bad: RGB = [84, 39, 143];
  const out: string[][] = [];
  for (let r = 0; r < nrows; r++) {
    const base = rowColor(r);
    const row: string[] = [];
    for (let c = 0; c < ncols; c++) {
      const t = ncols === 1 ? 0.5 : c / (ncols - 1); // 0 good … 1 bad
      row.push(hex(t < 0.5 ? mix(base, good, (0.5 - t) * 0.9) : mix(base, bad, (t - 0.5) * 0.7)));
    }
    out.push(row);
  }
  return out;
}

/** LISA cluster classes and their colours (as GeoDa draws them). */
export const lisaClasses = ['HH', 'LL', 'HL', 'LH', 'not_significant'] as const;
export type LisaClass = (typeof lisaClasses)[number];
export const lisaColors: Record<LisaClass, string> = {
  HH: '#d7191c',
  LL: '#2c7bb6',
  HL: '#f4a6a0',
  LH: '#a6bddb',
  not_significant: '#f0f0f0',
};

/** Text colour (black or white) with the better contrast on a swatch. */
export function textOn(bg: string): string {
  return contrast(bg, '#000000') >= contrast(bg, '#ffffff') ? '#000000' : '#ffffff';
}
