// The side panel of a selected unit: its value, class, rank, the city
// value, the change since the previous date, a time series, and its
// profile (Steckbrief, GET /levels/{level}/units/{code}/profile): every
// indicator with the city's value, the trend since the previous date and
// the parent's value (from the parent's series), the offers by goal and
// target group, the gap findings, parent and neighbours (clickable), and
// a link to the printable profile page.

import type { App } from '../app';
import { api, withQuery, type Change, type Ranking, type SeriesValue, type Statistics, type UnitProfile, type UnitSeries } from '../api';
import { seriesChart } from '../chart';
import { classColor, crossCell, textOn } from '../classes';
import { byId, fill, h } from '../dom';
import { formatDate, formatSigned, formatValue, formatCount, formatNumber } from '../format';
import { gapLabel } from '../gaps';
import { t } from '../i18n';
import { maxCompare } from '../state';

interface PanelData {
  ranking: Ranking | null;
  stats: Statistics | null;
  change: Change | null;
  prev: string | null;
  series: UnitSeries | null;
}

/** The profile, loaded beside the panel's own data (it takes longer), and the parent's series. */
interface ProfileData {
  profile: UnitProfile | null;
  error: string | null;
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
  let data: PanelData | null = null;
  let prof: ProfileData | null = null;
  draw(app, null, null);
  if (!sameUnit) el.focus({ preventScroll: true });
  void load(app).then((d) => {
    data = d;
    if (my === seq) draw(app, data, prof);
  });
  void loadProfile(app).then((p) => {
    prof = p;
    if (my === seq) draw(app, data, prof);
  });
}

async function loadProfile(app: App): Promise<ProfileData> {
  const level = app.current!.level;
  const code = app.state.unit!;
  try {
    const profile = await api.profile(level, code);
    const parent = profile.parent ? await api.series(profile.parent.level, profile.parent.code).catch(() => null) : null;
    return { profile, error: null, parent };
  } catch (e) {
    return { profile: null, error: (e as Error & { detail?: string }).detail ?? String(e), parent: null };
  }
}

async function load(app: App): Promise<PanelData> {
  const cur = app.current!;
  const code = app.state.unit!;
  const q = { level: cur.level, date: cur.date };
  const prev = [...cur.ind.dates].reverse().find((d) => d < cur.date) ?? null;
  const soft = <T>(p: Promise<T>): Promise<T | null> => p.catch(() => null);
  const [ranking, stats, change, series] = await Promise.all([
    soft(api.ranking(cur.ind.id, q)),
    soft(api.statistics(cur.ind.id, q)),
    prev ? soft(api.change(cur.ind.id, { level: cur.level, from: prev, to: cur.date })) : Promise.resolve(null),
    soft(api.series(cur.level, code)),
  ]);
  return { ranking, stats, change, prev, series };
}

function draw(app: App, data: PanelData | null, prof: ProfileData | null): void {
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
    h('dl', { className: 'facts', 'data-testid': 'panel-facts' }, facts.map(([k, v, title]) => [h('dt', {}, k), h('dd', title ? { title } : {}, v)])),
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
      h(
        'a',
        {
          className: 'button',
          id: 'panel-print',
          href: withQuery(`/profiles/${encodeURIComponent(cur.level)}/${encodeURIComponent(code)}`, { lang: lang === 'en' ? 'en' : null }),
          target: '_blank',
          rel: 'noopener',
          title: t('profile.printTitle'),
        },
        t('profile.print'),
      ),
    ),
    gapNote(app, code),
    h('section', { className: 'panel-section' }, h('h3', {}, t('panel.series')), chart ?? h('p', { className: 'muted' }, data ? t('panel.noSeries') : t('status.loading'))),
    profileSection(app, prof),
  );
}

/** In the gap view: the unit's class and both values. */
function gapNote(app: App, code: string): HTMLElement | null {
  const g = app.gapShown() ? app.current?.gap : null;
  const a = g?.areas.find((x) => x.code === code);
  if (!g || !a) return null;
  const lang = app.state.lang;
  const cls = [...g.legend.classes, g.legend.no_data, g.legend.suppressed].find((c) => c.key === a.class);
  const prec = (id: string) => app.indicators.find((i) => i.id === id)?.precision ?? 2;
  const v = (x: { value: number | null; status: string }, unit: string, p: number) =>
    x.status === 'ok' ? formatValue(x.value, unit, lang, p) : t(x.status === 'suppressed' ? 'panel.suppressed' : 'panel.missing');
  const rank = g.gaps.find((r) => r.code === code)?.rank;
  return h(
    'section',
    { className: 'panel-section', id: 'panel-gap' },
    h('h3', {}, t('gaps.legendTitle')),
    cls ? h('p', {}, h('span', { className: 'class-chip', style: `background:${cls.color};color:${textOn(cls.color)}` }, gapLabel(cls, lang))) : null,
    rank ? h('p', { className: 'small' }, t('gaps.rankOf', { rank, n: g.gaps.length })) : null,
    h(
      'dl',
      { className: 'facts' },
      h('dt', {}, g.need.name),
      h('dd', {}, v(a.need, g.need.unit, prec(g.need.indicator))),
      h('dt', {}, g.supply.name),
      h('dd', {}, v(a.supply, g.supply.unit, prec(g.supply.indicator))),
    ),
  );
}

/** The profile: neighbours and parent, gap findings, offers, every indicator with city, trend and parent. */
function profileSection(app: App, prof: ProfileData | null): HTMLElement {
  const title = h('h3', { id: 'profile-title' }, t('profile.title'));
  if (!prof) return h('section', { className: 'panel-section', id: 'profile' }, title, h('p', { className: 'muted' }, t('status.loading')));
  if (!prof.profile) return h('section', { className: 'panel-section', id: 'profile' }, title, h('p', { className: 'error' }, t('error.api', { detail: prof.error ?? '' })));
  const p = prof.profile;
  return h(
    'section',
    { className: 'panel-section', id: 'profile', 'aria-labelledby': 'profile-title', 'data-code': p.code },
    title,
    places(app, p),
    gapFindings(app, p),
    offers(app, p),
    indicatorTable(app, p, prof.parent),
  );
}

function places(app: App, p: UnitProfile): HTMLElement {
  const ind = app.current!.ind;
  const parent = p.parent;
  const parentLevel = parent ? (app.levelById(parent.level)?.name ?? parent.level) : '';
  return h(
    'dl',
    { className: 'facts profile-places' },
    parent
      ? [
          h('dt', {}, t('profile.parent')),
          h(
            'dd',
            {},
            ind.levels.includes(parent.level)
              ? h('button', { type: 'button', className: 'link', id: 'profile-parent', onclick: () => app.update({ level: parent.level, unit: parent.code }) }, parent.name)
              : parent.name,
            ` (${parentLevel})`,
          ),
        ]
      : [],
    p.neighbours.length
      ? [
          h('dt', {}, t('profile.neighbours')),
          h(
            'dd',
            {},
            h(
              'ul',
              { className: 'inline-list', id: 'profile-neighbours' },
              p.neighbours.map((n) => h('li', {}, h('button', { type: 'button', className: 'link', 'data-fk': `nb-${n.code}`, 'data-code': n.code, onclick: () => app.selectUnit(n.code, true) }, n.name))),
            ),
          ),
        ]
      : [],
  );
}

function gapFindings(app: App, p: UnitProfile): HTMLElement | null {
  if (!p.gaps.length) return null;
  const lang = app.state.lang;
  return h(
    'div',
    { className: 'profile-block' },
    h('h4', {}, t('profile.gaps')),
    h(
      'ul',
      { className: 'gap-findings', id: 'profile-gaps' },
      p.gaps.map((g) =>
        h(
          'li',
          { className: g.gap ? 'is-gap' : '' },
          h('span', { className: 'swatch', style: `background-color:${g.color ?? '#c6c6c6'}`, 'aria-hidden': 'true' }),
          h(
            'div',
            {},
            h('button', { type: 'button', className: 'link', title: t('profile.gapShow'), onclick: () => void showPair(app, g.pair, p.level.id) }, g.name ?? g.pair),
            ': ',
            gapLabel(g, lang),
            g.gap ? h('strong', { className: 'gap-flag' }, ` ${t('profile.gapFlag')}`) : null,
            g.note ? h('span', { className: 'block muted small' }, g.note) : null,
          ),
        ),
      ),
    ),
  );
}

/**
 * Opens the gap view of a catalog pair with the pair's cut-offs made
 * explicit (the view names need, supply and cut-offs): at this level, or
 * at the pair's own where an indicator has no values here.
 */
async function showPair(app: App, pair: string, level: string): Promise<void> {
  try {
    const g = await api.gaps({ pair, level }).catch(() => api.gaps({ pair }));
    app.update({
      mode: 'gap',
      tab: 'gaps',
      ...(g.level !== app.state.level ? { level: g.level } : {}),
      gapNeed: g.need.indicator,
      gapSupply: g.supply.indicator,
      gapNeedBreaks: g.need.breaks,
      gapSupplyBreaks: g.supply.breaks,
    });
  } catch (e) {
    app.showError(e);
  }
}

function offers(app: App, p: UnitProfile): HTMLElement {
  const lang = app.state.lang;
  const o = p.offers;
  const label = (k: string) => (k === '(none)' ? t('inv.noKey') : k);
  const counts = (title: string, id: string, m: Record<string, number>, all: boolean) => {
    const rows = Object.entries(m).filter(([, n]) => all || n > 0);
    if (!rows.length) return null;
    return h(
      'table',
      { className: 'profile-counts', id },
      h('caption', {}, title),
      h('tbody', {}, rows.map(([k, n]) => h('tr', {}, h('th', { scope: 'row' }, label(k)), h('td', { className: 'num' }, formatCount(n, lang))))),
    );
  };
  return h(
    'div',
    { className: 'profile-block' },
    h('h4', {}, t('profile.offers')),
    h(
      'p',
      { className: 'small', id: 'profile-offers' },
      t('profile.offerCount', { n: formatCount(o.offers, lang), date: formatDate(o.date, lang) }),
      o.layers.length ? ` (${o.layers.filter((l) => l.offers > 0).map((l) => `${l.name} ${formatCount(l.offers, lang)}`).join(', ')})` : '',
    ),
    h('div', { className: 'profile-count-tables' }, counts(t('profile.byGoal'), 'profile-by-goal', o.by_goal, true), counts(t('profile.byTargetGroup'), 'profile-by-target', o.by_target_group, false)),
  );
}

function indicatorTable(app: App, p: UnitProfile, parent: UnitSeries | null): HTMLElement {
  const lang = app.state.lang;
  const cur = app.current!;
  const parentOf = new Map((parent?.indicators ?? []).map((i) => [i.id, i]));
  const parentLevel = p.parent ? (app.levelById(p.parent.level)?.name ?? p.parent.level) : '';
  const status = (st: string) => t(st === 'suppressed' ? 'panel.suppressed' : 'panel.missing');
  const arrow = { better: '▲', worse: '▼', unchanged: '■', '': '' } as const;
  return h(
    'div',
    { className: 'profile-block' },
    h('h4', {}, t('profile.indicators')),
    h(
      'div',
      { className: 'table-scroll' },
      h(
        'table',
        { className: parent ? 'all-indicators profile-table with-parent' : 'all-indicators profile-table', id: 'profile-indicators' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, t('panel.indicator')),
            h('th', { scope: 'col', className: 'num', title: p.name }, p.name),
            h('th', { scope: 'col', className: 'num' }, t('panel.city')),
            parent ? h('th', { scope: 'col', className: 'num', title: `${parentLevel} ${parent.name}` }, parent.name) : null,
          ),
        ),
        h(
          'tbody',
          {},
          p.indicators.map((i) => {
            const pv = parentOf.get(i.id);
            const pval = pv ? valueAt(pv.values, i.date) : null;
            const trend =
              i.change !== null && i.previous
                ? h(
                    'span',
                    { className: `trend ${i.assessment}`, title: t('profile.trendTitle', { date: formatDate(i.previous.date, lang) }) },
                    `${arrow[i.assessment]} ${formatSigned(i.change, lang, i.precision)}`.trim(),
                    h('span', { className: 'visually-hidden' }, ` ${t('profile.trendTitle', { date: formatDate(i.previous.date, lang) })}${i.assessment ? ', ' + t(`profile.assess.${i.assessment}`) : ''}`),
                  )
                : null;
            return h(
              'tr',
              { className: i.id === cur.ind.id ? 'current' : '', 'data-indicator': i.id },
              h('th', { scope: 'row', title: `${i.name} (${i.unit}), ${formatDate(i.date, lang)}` }, h('button', { type: 'button', className: 'link', 'data-fk': `all-${i.id}`, onclick: () => app.update({ indicator: i.id }) }, i.name)),
              h('td', { className: 'num p-value' }, i.status === 'ok' ? formatNumber(i.value, lang, i.precision) : status(i.status), trend ? h('small', { className: 'block' }, trend) : null),
              h('td', { className: 'num p-city', title: i.city.note }, formatNumber(i.city.value, lang, i.precision)),
              parent ? h('td', { className: 'num p-parent' }, pval ? (pval.status === 'ok' ? formatNumber(pval.value, lang, i.precision) : status(pval.status)) : '–') : null,
            );
          }),
        ),
      ),
    ),
    h('p', { className: 'muted small' }, t('profile.tableNote')),
  );
}

/** Value on a date, else the latest with a value. */
function valueAt(values: SeriesValue[], date: string): SeriesValue | null {
  const exact = values.find((v) => v.date === date);
  if (exact) return exact;
  return [...values].reverse().find((v) => v.status === 'ok' && v.date <= date) ?? null;
}
