// The legend: the classes of the server's classification (ranges, labels,
// counts), no data and withheld values (hatched) each with what they mean;
// the 4 × 3 cross of the MSS Gesamtindex; the LISA cluster classes; or the
// 3 × 3 square of the gap view (need against supply).

import type { App } from '../app';
import type { GapAnalysis } from '../api';
import { crossCounts, lisaClasses, lisaColors, noDataColor, suppressedColor, textOn, type Cross } from '../classes';
import { gapGrid, gapLabel } from '../gaps';
import { fill, h, byId } from '../dom';
import { classRange, formatCount, formatDate, formatNumber } from '../format';
import { t, type MessageKey } from '../i18n';

export interface LegendItem {
  label: string;
  color: string;
  count: number | null;
  hatched?: boolean;
}

/** Counts of the units without a number: withheld, and without a value. */
function statusCounts(app: App): { suppressed: number; missing: number } {
  const cur = app.current;
  let suppressed = 0;
  let missing = 0;
  const level = app.levelById(cur?.level ?? null);
  for (const v of cur?.values.values ?? []) {
    if (v.status === 'suppressed') suppressed++;
    if (v.status === 'missing') missing++;
  }
  // Units with no stored value at all count as missing too.
  if (cur && level) missing += Math.max(0, level.units - cur.values.values.length);
  return { suppressed, missing };
}

/** The legend's entries as the map draws them (also for the PNG export). */
export function legendItems(app: App): LegendItem[] {
  const cur = app.current;
  if (!cur) return [];
  const lang = app.state.lang;
  const items: LegendItem[] = [];
  if (app.gapShown() && cur.gap) return gapItems(cur.gap, lang);
  const { suppressed, missing } = statusCounts(app);
  if (app.state.mode === 'lisa' && cur.lisa) {
    for (const c of lisaClasses) items.push({ label: t(`lisa.${c}` as MessageKey), color: lisaColors[c], count: cur.lisa.clusters[c] });
  } else if (app.crossLegend()) {
    const cross = app.crossLegend()!;
    const counts = crossCounts(cross, cur.values.values);
    cross.rows.forEach((r, i) =>
      cross.cols.forEach((c, j) => items.push({ label: `${r} / ${c}`, color: cross.colors[i]![j]!, count: counts[i]![j]! })),
    );
  } else if (cur.breaks.classification) {
    const lg = cur.breaks.classification;
    lg.labels.forEach((label, i) => {
      const [from, to] = classRange(lg.breaks, lg.min, i, lang, cur.ind.precision);
      const range = t('legend.range', { from, to });
      items.push({ label: /^\d+$/.test(label) ? range : `${label} (${range})`, color: lg.colors[i] ?? '#9e9e9e', count: lg.counts[i] ?? 0 });
    });
  }
  if (suppressed > 0 || app.state.mode !== 'lisa') items.push({ label: t('legend.suppressed'), color: suppressedColor, count: suppressed, hatched: true });
  items.push({ label: t('legend.noData'), color: noDataColor, count: missing });
  return items;
}

/** The gap view's entries: the nine classes, then withheld and no data (as the server counts them). */
function gapItems(g: GapAnalysis, lang: 'de' | 'en'): LegendItem[] {
  const items: LegendItem[] = g.legend.classes.map((c) => ({ label: gapLabel(c, lang), color: c.color, count: c.count }));
  items.push({ label: t('legend.suppressed'), color: suppressedColor, count: g.legend.suppressed.count, hatched: true });
  items.push({ label: t('legend.noData'), color: noDataColor, count: g.legend.no_data.count });
  return items;
}

export function renderLegend(app: App): void {
  const el = byId('legend');
  const cur = app.current;
  if (!cur) {
    fill(el, h('p', { className: 'muted' }, app.loading ? t('status.loading') : ''));
    return;
  }
  if (app.gapShown() && cur.gap) {
    renderGapLegend(app, cur.gap);
    return;
  }
  const lang = app.state.lang;
  const lg = cur.breaks.classification;
  const cross = app.state.mode === 'lisa' ? null : app.crossLegend();
  const head = h(
    'div',
    { className: 'legend-head' },
    h('h2', {}, app.state.mode === 'lisa' ? t('legend.lisaTitle') : t('legend.title')),
    h('p', { className: 'legend-caption' }, `${cur.ind.name} (${cur.ind.unit}), ${formatDate(cur.date, lang)}`),
    app.state.mode === 'lisa' && cur.lisa
      ? h('p', { className: 'legend-caption' }, t('legend.lisaCaption', { alpha: formatNumber(cur.lisa.alpha, lang, 2), permutations: formatCount(cur.lisa.permutations, lang) }))
      : lg && !cross
        ? h('p', { className: 'legend-caption' }, methodCaption(lg.method, lg.labels.length, lg.scheme))
        : null,
  );
  const items = legendItems(app);
  const body: HTMLElement[] = [];
  if (cross) body.push(crossTable(cross, items));
  if (!cross && !lg && app.state.mode !== 'lisa') body.push(h('p', { className: 'note' }, t('legend.unclassified', { note: cur.breaks.note ?? '' })));
  const list = h(
    'ul',
    { className: 'legend-list' },
    items
      .filter((it) => !cross || it.hatched || it.color === noDataColor)
      .map((it) =>
        h(
          'li',
          {},
          h('span', { className: it.hatched ? 'swatch hatched' : 'swatch', style: `background-color:${it.color}`, 'aria-hidden': 'true' }),
          h('span', { className: 'legend-label' }, it.label),
          h('span', { className: 'legend-count', title: t('legend.count') }, it.count === null ? '' : formatCount(it.count, lang)),
        ),
      ),
  );
  body.push(list);
  const { suppressed } = statusCounts(app);
  const help = h(
    'details',
    { className: 'legend-help' },
    h('summary', {}, t('legend.help')),
    h('p', {}, h('strong', {}, t('legend.noData')), ': ', t('legend.noDataHelp')),
    h('p', {}, h('strong', {}, t('legend.suppressed')), ': ', t('legend.suppressedHelp'), suppressed === 0 ? ' ' + t('legend.suppressedNone') : ''),
    lg ? h('p', {}, t('legend.breaksHelp')) : null,
  );
  fill(el, head, body, help);
}

/**
 * The gap legend: a 3 × 3 square, need rising upwards and supply falling to
 * the right, so the gaps (high need, low supply) are the top right corner;
 * each cell with its count. Withheld and no data below.
 */
function renderGapLegend(app: App, g: GapAnalysis): void {
  const lang = app.state.lang;
  const grid = gapGrid(g.legend.classes);
  const level = (l: string) => t(`gaps.level.${l}` as MessageKey);
  const table = h(
    'table',
    { className: 'cross gap-grid', id: 'gap-legend' },
    h('caption', {}, t('gaps.legendCaption')),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, `${t('gaps.needShort')} ↓ / ${t('gaps.supplyShort')} →`),
        grid.cols.map((c) => h('th', { scope: 'col' }, level(c))),
      ),
    ),
    h(
      'tbody',
      {},
      grid.rows.map((r, i) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, level(r)),
          grid.cols.map((_, j) => {
            const c = grid.cells[i]![j];
            const color = c?.color ?? '#ffffff';
            return h(
              'td',
              {
                style: `background-color:${color};color:${textOn(color)}`,
                title: c ? `${gapLabel(c, lang)}: ${formatCount(c.count, lang)}` : '',
                'data-class': c?.key ?? '',
                className: c?.key === 'high-low' ? 'gap-cell' : '',
              },
              h('span', { className: 'cross-cell' }, formatCount(c?.count ?? 0, lang)),
              h('span', { className: 'visually-hidden' }, c ? ` ${gapLabel(c, lang)}` : ''),
            );
          }),
        ),
      ),
    ),
  );
  const rest = gapItems(g, lang).slice(-2);
  fill(
    byId('legend'),
    h(
      'div',
      { className: 'legend-head' },
      h('h2', {}, t('gaps.legendTitle')),
      h('p', { className: 'legend-caption' }, `${t('gaps.needShort')}: ${g.need.name} (${formatDate(g.need.date, lang)})`),
      h('p', { className: 'legend-caption' }, `${t('gaps.supplyShort')}: ${g.supply.name} (${formatDate(g.supply.date, lang)})`),
    ),
    table,
    h(
      'ul',
      { className: 'legend-list' },
      rest.map((it) =>
        h(
          'li',
          {},
          h('span', { className: it.hatched ? 'swatch hatched' : 'swatch', style: `background-color:${it.color}`, 'aria-hidden': 'true' }),
          h('span', { className: 'legend-label' }, it.label),
          h('span', { className: 'legend-count', title: t('legend.count') }, formatCount(it.count ?? 0, lang)),
        ),
      ),
    ),
    h('p', { className: 'legend-caption' }, t('gaps.legendGap', { n: formatCount(g.gaps.length, lang) })),
  );
}

function methodCaption(method: string, k: number, scheme: string): string {
  return t('legend.method', { method: t(`method.${method}` as MessageKey), k, scheme });
}

/** The 4 × 3 table of a cross: rows and columns named, cells coloured with their counts. */
function crossTable(cross: Cross, items: LegendItem[]): HTMLElement {
  const n = cross.cols.length;
  return h(
    'table',
    { className: 'cross' },
    h('caption', {}, t('legend.cross')),
    h(
      'thead',
      {},
      h('tr', {}, h('th', { scope: 'col' }, `${t('legend.crossRows')} ↓ / ${t('legend.crossCols')} →`), cross.cols.map((c) => h('th', { scope: 'col' }, c))),
    ),
    h(
      'tbody',
      {},
      cross.rows.map((r, i) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, r),
          cross.cols.map((c, j) => {
            const it = items[i * n + j];
            const group = i * n + j + 1;
            return h(
              'td',
              { style: `background-color:${it?.color ?? '#fff'};color:${textOn(it?.color ?? '#ffffff')}`, title: `${t('legend.group')} ${group}: ${r} / ${c}` },
              h('span', { className: 'cross-cell' }, String(group), h('small', {}, ` (${it?.count ?? 0})`)),
            );
          }),
        ),
      ),
    ),
  );
}
