// The gap view: need against supply in 3 × 3 classes (GET /api/v1/gaps).
// The server classifies; the app lays the nine classes out as a bivariate
// square, paints them by feature state and writes the tables as CSV; the
// server draws the same classes as a printable map (/maps/{level}/_gap.pdf).

import { withQuery } from './api';
import type { GapAnalysis, GapClass, GapLevel, Query, Status } from './api';
import type { Lang } from './format';
import type { ViewState } from './state';

/** Rows: need high (top) to low; columns: supply high to low, so the gaps (high need, low supply) are the top right corner. */
export const gapRows: readonly GapLevel[] = ['high', 'mid', 'low'];
export const gapCols: readonly GapLevel[] = ['high', 'mid', 'low'];

export interface GapGrid {
  rows: readonly GapLevel[];
  cols: readonly GapLevel[];
  /** cells[row][col]; null where the legend lacks the class. */
  cells: (GapClass | null)[][];
}

/** The legend's nine classes in their square, found by their need and supply (or key), not by their order in the answer. */
export function gapGrid(classes: GapClass[]): GapGrid {
  const find = (need: GapLevel, supply: GapLevel) =>
    classes.find((c) => (c.need === need && c.supply === supply) || c.key === `${need}-${supply}`) ?? null;
  return { rows: gapRows, cols: gapCols, cells: gapRows.map((n) => gapCols.map((s) => find(n, s))) };
}

export function gapLabel(c: { label: { de: string; en: string } }, lang: Lang): string {
  return c.label[lang] || c.label.de;
}

/** The class of every area as the map draws it: its colour and status (withheld hatched, no data grey). */
export function gapPaints(g: GapAnalysis): Map<string, { fill: string | null; st: Status }> {
  const byKey = new Map(g.legend.classes.map((c) => [c.key, c]));
  const out = new Map<string, { fill: string | null; st: Status }>();
  for (const a of g.areas) {
    if (a.class === 'suppressed') out.set(a.code, { fill: null, st: 'suppressed' });
    else if (a.class === 'no_data') out.set(a.code, { fill: null, st: 'missing' });
    else out.set(a.code, { fill: byKey.get(a.class)?.color ?? null, st: byKey.has(a.class) ? 'ok' : 'missing' });
  }
  return out;
}

/** The /gaps query of a view: the level, and need, supply and cut-offs when chosen (else the catalog's pair decides). */
export function gapQuery(s: Pick<ViewState, 'level' | 'gapNeed' | 'gapSupply' | 'gapNeedBreaks' | 'gapSupplyBreaks'>): Query {
  return {
    level: s.level,
    need: s.gapNeed,
    supply: s.gapSupply,
    need_breaks: s.gapNeedBreaks ? s.gapNeedBreaks.join(',') : null,
    supply_breaks: s.gapSupplyBreaks ? s.gapSupplyBreaks.join(',') : null,
  };
}

/**
 * The server's map of the gap view, /maps/{level}/_gap.{pdf,svg}: the same
 * /gaps query (its level in the path; `_gap` can be no indicator id), the
 * language, the part in view and an offer layer; null without a level.
 */
export function gapMapURL(
  s: Pick<ViewState, 'level' | 'gapNeed' | 'gapSupply' | 'gapNeedBreaks' | 'gapSupplyBreaks'>,
  extra: Query,
  format: 'pdf' | 'svg' = 'pdf',
): string | null {
  if (!s.level) return null;
  const q: Query = { ...gapQuery(s), ...extra };
  delete q['level'];
  return withQuery(`/maps/${encodeURIComponent(s.level)}/_gap.${format}`, q);
}

/**
 * Two cut-offs from what a person typed (decimal comma or point); null when
 * both are empty (the pair's or the terciles then); an error key when they
 * are not two numbers a < b.
 */
export function readBreaks(a: string, b: string): [number, number] | null | 'invalid' | 'order' {
  if (a.trim() === '' && b.trim() === '') return null;
  const num = (v: string) => (v.trim() === '' ? NaN : Number(v.trim().replace(',', '.')));
  const x = num(a);
  const y = num(b);
  if (!Number.isFinite(x) || !Number.isFinite(y)) return 'invalid';
  if (!(x < y)) return 'order';
  return [x, y];
}

/** One CSV field: quoted when it holds a separator, quote or line break. */
function field(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCSV(header: string[], rows: (string | number | null | undefined)[][]): string {
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}

/** The ranked areas of high need and low supply as CSV (numbers as the API gives them, with a decimal point). */
export function gapsCSV(g: GapAnalysis): string {
  return toCSV(
    ['rank', 'code', 'name', `need:${g.need.indicator}`, `supply:${g.supply.indicator}`],
    g.gaps.map((r) => [r.rank, r.code, r.name, r.need, r.supply]),
  );
}

/** Every area with its class as CSV; withheld values are empty (the API gives them no number). */
export function areasCSV(g: GapAnalysis, lang: Lang): string {
  const byKey = new Map([...g.legend.classes, g.legend.no_data, g.legend.suppressed].map((c) => [c.key, c]));
  return toCSV(
    ['code', 'name', 'class', 'label', `need:${g.need.indicator}`, 'need_status', `supply:${g.supply.indicator}`, 'supply_status'],
    g.areas.map((a) => {
      const c = byKey.get(a.class);
      return [a.code, a.name, a.class, c ? gapLabel(c, lang) : '', a.need.value, a.need.status, a.supply.value, a.supply.status];
    }),
  );
}
