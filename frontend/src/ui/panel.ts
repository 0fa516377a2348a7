// The side panel of a selected unit: its value, class, rank, the city
// value, the change since the previous date, a time series, and all
// indicators of the unit next to those of its parent. The API has no call
// for "every indicator of one unit on one date"; the unit's series
// (/levels/{level}/units/{code}/series, every indicator and date) gives it,
// and the parent's code comes from the unit's OGC feature.

import type { App } from '../app';
import { api, type Change, type Ranking, type SeriesValue, type Statistics, type UnitSeries } from '../api';
import { seriesChart } from '../chart';
import { classColor, crossCell, textOn } from '../classes';
import { byId, fill, h } from '../dom';
import { formatDate, formatSigned, formatValue, formatCount } from '../format';
import { t } from '../i18n';
import { maxCompare } from '../state';

interface PanelData {
  ranking: Ranking | null;
  stats: Statistics | null;
  change: Change | null;
  prev: string | null;
  series: UnitSeries | null;
  parentLevel: string | null;
  parentCode: string | null;
  parent: UnitSeries | null;
}

let shownKey = '';
let seq = 0;

export function renderPanel(app: App): void {
  const el = byId('panel');
  const s = app.state;
  const cur = app.current;
  if (!s.unit || !cur) {
    el.hidden = !s.unit;
    if (!s.unit) shownKey = '';
    return;
  }
  const key = [s.unit, cur.key, s.lang, s.compare.join(',')].join('|');
  if (key === shownKey) return;
  const sameUnit = shownKey.startsWith(s.unit + '|');
  shownKey = key;
  el.hidden = false;
  const my = ++seq;
  draw(app, null);
  if (!sameUnit) el.focus({ preventScroll: true });
  void load(app).then((data) => {
    if (my === seq) draw(app, data);
  });
}

async function load(app: App): Promise<PanelData> {
  const cur = app.current!;
  const code = app.state.unit!;
  const q = { level: cur.level, date: cur.date };
  const prev = [...cur.ind.dates].reverse().find((d) => d < cur.date) ?? null;
  const level = app.levelById(cur.level);
  const soft = <T>(p: Promise<T>): Promise<T | null> => p.catch(() => null);
  const [ranking, stats, change, series, feature] = await Promise.all([
    soft(api.ranking(cur.ind.id, q)),
    soft(api.statistics(cur.ind.id, q)),
    prev ? soft(api.change(cur.ind.id, { level: cur.level, from: prev, to: cur.date })) : Promise.resolve(null),
    soft(api.series(cur.level, code)),
    soft(api.unitFeature(cur.level, code) as Promise<{ properties?: { parent?: string | null } }>),
  ]);
  const parentCode = feature?.properties?.parent ?? null;
  const parentLevel = level?.parent ?? null;
  const parent = parentCode && parentLevel ? await soft(api.series(parentLevel, parentCode)) : null;
  return { ranking, stats, change, prev, series, parentLevel, parentCode, parent };
}

function draw(app: App, data: PanelData | null): void {
  const el = byId('panel');
  const s = app.state;
  const cur = app.current!;
  const code = s.unit!;
  const lang = s.lang;
  const ind = cur.ind;
  const row = cur.byCode.get(code);
  const name = row?.name ?? data?.series?.name ?? code;
  const level = app.levelById(cur.level);
  const p = ind.precision;
  const inCompare = s.compare.includes(code);

  const cross = app.crossLegend();
  const paint = app.amap.paintOf(code);
  let classLabel: string | null = row?.class ?? null;
  if (cross && row?.value != null) {
    const cell = crossCell(cross, row.value);
    if (cell) classLabel = `${cross.rows[cell[0]]} / ${cross.cols[cell[1]]}`;
  }
  const swatch = paint?.fill ?? classColor(cur.breaks.classification, classLabel);

  const valueBlock = h(
    'div',
    { className: 'panel-value' },
    h('span', { className: 'value', 'data-testid': 'panel-value' }, formatValue(row?.value ?? null, ind.unit, lang, p)),
    row && row.status !== 'ok' ? h('span', { className: 'status' }, t(row.status === 'suppressed' ? 'panel.suppressed' : 'panel.missing')) : null,
    !row ? h('span', { className: 'status' }, t('panel.missing')) : null,
    classLabel
      ? h('span', { className: 'class-chip', style: swatch ? `background:${swatch};color:${textOn(swatch)}` : '' }, `${t('panel.class')}: ${classLabel}`)
      : null,
  );

  const facts: [string, string, string?][] = [];
  const ranked = data?.ranking?.units.find((u) => u.code === code);
  facts.push([t('panel.rank'), ranked?.rank ? t('panel.rankOf', { rank: ranked.rank, n: formatCount(data!.ranking!.ranked, lang) }) : data ? '–' : '…', t('panel.rankHelp')]);
  const city = data?.stats?.city;
  facts.push([t('panel.city'), city ? (city.value === null ? t('panel.cityNone') : formatValue(city.value, ind.unit, lang, p)) : data ? '–' : '…', city?.note]);
  const ch = data?.change?.units.find((u) => u.code === code);
  const changeLabel = data?.prev ? t('panel.change', { date: formatDate(data.prev, lang) }) : t('panel.changeTitle');
  let changeText = data ? t('panel.changeNone') : '…';
  if (ch && ch.absolute !== null) {
    changeText =
      data!.change!.relative === 'percentage_points'
        ? `${formatSigned(ch.absolute, lang, p)} ${t('panel.pp')}`
        : `${formatSigned(ch.absolute, lang, p)} ${ind.unit}` + (ch.relative !== null ? ` (${formatSigned(ch.relative, lang, 1)} %)` : '');
  } else if (data?.prev && data.change) {
    changeText = t('panel.changeNoValue');
  }
  facts.push([changeLabel, changeText]);

  const own = data?.series?.indicators.find((i) => i.id === ind.id);
  const chart = own && own.values.length ? seriesChart(own.values, cur.date, lang, p, t('panel.series')) : null;

  fill(
    el,
    h(
      'header',
      { className: 'panel-head' },
      h('div', {}, h('h2', { id: 'panel-title' }, name), h('p', { className: 'muted' }, `${level?.name ?? cur.level} ${code}`)),
      h('button', { type: 'button', id: 'panel-close', className: 'icon-button', 'aria-label': t('panel.close'), title: t('panel.close'), onclick: () => app.update({ unit: null }) }, '×'),
    ),
    h('p', { className: 'panel-ind' }, `${ind.name}, ${formatDate(cur.date, lang)}`),
    valueBlock,
    h('dl', { className: 'facts' }, facts.map(([k, v, title]) => [h('dt', {}, k), h('dd', title ? { title } : {}, v)])),
    h(
      'div',
      { className: 'panel-actions' },
      h(
        'button',
        {
          type: 'button',
          id: 'panel-compare',
          'aria-pressed': String(inCompare),
          disabled: !inCompare && s.compare.length >= maxCompare,
          title: !inCompare && s.compare.length >= maxCompare ? t('panel.compareFull') : null,
          onclick: () =>
            app.update({ compare: inCompare ? s.compare.filter((c) => c !== code) : [...s.compare, code], tab: inCompare ? s.tab : 'compare' }),
        },
        t(inCompare ? 'panel.compareRemove' : 'panel.compareAdd'),
      ),
      h('button', { type: 'button', id: 'panel-zoom', onclick: () => void app.flyToUnit(code) }, t('panel.zoomTo')),
    ),
    h('section', { className: 'panel-section' }, h('h3', {}, t('panel.series')), chart ?? h('p', { className: 'muted' }, data ? t('panel.noSeries') : t('status.loading'))),
    allIndicators(app, data),
  );
}

/** Value on the view's date, else the latest with a value, with its date. */
function valueAt(values: SeriesValue[], date: string): SeriesValue | null {
  const exact = values.find((v) => v.date === date);
  if (exact) return exact;
  return [...values].reverse().find((v) => v.status === 'ok') ?? values[values.length - 1] ?? null;
}

function allIndicators(app: App, data: PanelData | null): HTMLElement {
  const lang = app.state.lang;
  const cur = app.current!;
  if (!data?.series) return h('section', { className: 'panel-section' }, h('h3', {}, t('panel.all')), h('p', { className: 'muted' }, data ? '–' : t('status.loading')));
  const parentLevel = app.levelById(data.parentLevel);
  const byId = new Map(app.indicators.map((i) => [i.id, i]));
  const parentOf = new Map((data.parent?.indicators ?? []).map((i) => [i.id, i]));
  const cell = (v: SeriesValue | null, unit: string, precision: number) => {
    if (!v) return '–';
    const txt = v.status === 'ok' ? formatValue(v.value, unit, lang, precision) : t(v.status === 'suppressed' ? 'panel.suppressed' : 'panel.missing');
    return v.date === cur.date ? txt : [txt, h('small', { className: 'block muted' }, formatDate(v.date, lang))];
  };
  return h(
    'section',
    { className: 'panel-section' },
    h('h3', {}, t('panel.all')),
    h(
      'div',
      { className: 'table-scroll' },
      h(
        'table',
        { className: data.parent ? 'all-indicators with-parent' : 'all-indicators' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, t('panel.indicator')),
            h('th', { scope: 'col', title: data.series.name }, data.series.name),
            data.parent ? h('th', { scope: 'col', title: `${parentLevel?.name ?? ''} ${data.parent.name}` }, `${parentLevel?.name ?? ''} ${data.parent.name}`) : null,
          ),
        ),
        h(
          'tbody',
          {},
          data.series.indicators.map((si) => {
            const meta = byId.get(si.id);
            const precision = meta?.precision ?? 1;
            const pi = parentOf.get(si.id);
            return h(
              'tr',
              { className: si.id === cur.ind.id ? 'current' : '' },
              h('th', { scope: 'row' }, h('button', { type: 'button', className: 'link', 'data-fk': `all-${si.id}`, onclick: () => app.update({ indicator: si.id }) }, si.name)),
              h('td', { className: 'num' }, cell(valueAt(si.values, cur.date), si.unit, precision)),
              data.parent ? h('td', { className: 'num' }, pi ? cell(valueAt(pi.values, cur.date), pi.unit, precision) : '–') : null,
            );
          }),
        ),
      ),
    ),
  );
}
