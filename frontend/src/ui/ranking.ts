// The ranking table of the current view: sortable by rank, name, code and
// value; a row selects its unit. Downloads are the API's own exports of the
// values (CSV, CSV for Excel, XLSX) with the view's classification, so the
// file's classes are the map's.

import type { App } from '../app';
import { api, withQuery, type Ranking, type RankedUnit } from '../api';
import { byId, fill, h } from '../dom';
import { formatCount, formatNumber } from '../format';
import { t, type MessageKey } from '../i18n';

type Col = 'rank' | 'name' | 'code' | 'value';
let sortCol: Col = 'rank';
let sortAsc = true;
let data: Ranking | null = null;
let dataKey = '';
let shownKey = '';

/** Rows sorted by a column; units without a value always last. */
export function sortRanking(units: RankedUnit[], col: Col, asc: boolean): RankedUnit[] {
  const dir = asc ? 1 : -1;
  return [...units].sort((a, b) => {
    if (col === 'name') return dir * a.name.localeCompare(b.name, 'de');
    if (col === 'code') return dir * a.code.localeCompare(b.code);
    const x = col === 'rank' ? a.rank : a.value;
    const y = col === 'rank' ? b.rank : b.value;
    if (x === null && y === null) return a.code.localeCompare(b.code);
    if (x === null) return 1;
    if (y === null) return -1;
    return dir * (x - y) || a.code.localeCompare(b.code);
  });
}

export function renderRanking(app: App): void {
  const el = byId('tab-ranking');
  const cur = app.current;
  if (app.state.tab !== 'ranking' || !cur) return;
  const key = cur.key;
  if (dataKey !== key) {
    dataKey = key;
    data = null;
    void api
      .ranking(cur.ind.id, { level: cur.level, date: cur.date })
      .then((r) => {
        if (dataKey === key) {
          data = r;
          renderRanking(app);
        }
      })
      .catch((e) => app.showError(e));
  }
  const view = [key, app.state.lang, app.state.unit, sortCol, sortAsc, data ? 1 : 0].join('|');
  if (view === shownKey) return;
  shownKey = view;
  const lang = app.state.lang;
  const q = { level: cur.level, date: cur.date, ...app.classQuery() };
  const base = `/api/v1/indicators/${encodeURIComponent(cur.ind.id)}/values`;
  const downloads = h(
    'p',
    { className: 'downloads' },
    h('a', { className: 'button', href: withQuery(base, { ...q, format: 'csv' }), download: '', id: 'download-csv' }, t('ranking.csv')),
    ' ',
    h('a', { className: 'button', href: withQuery(base, { ...q, format: 'csv-excel' }), download: '' }, t('ranking.csvExcel')),
    ' ',
    h('a', { className: 'button', href: withQuery(base, { ...q, format: 'xlsx' }), download: '' }, t('ranking.xlsx')),
  );
  if (!data) {
    fill(el, h('h2', {}, t('ranking.title')), downloads, h('p', { className: 'muted' }, t('status.loading')));
    return;
  }
  const header = (col: Col, key: MessageKey, num = false) => {
    const on = sortCol === col;
    return h(
      'th',
      { scope: 'col', 'aria-sort': on ? (sortAsc ? 'ascending' : 'descending') : 'none', className: num ? 'num' : '' },
      h(
        'button',
        {
          type: 'button',
          className: 'sort',
          'data-fk': `sort-${col}`,
          onclick: () => {
            sortAsc = on ? !sortAsc : col !== 'value';
            sortCol = col;
            renderRanking(app);
          },
        },
        t(key),
        h('span', { 'aria-hidden': 'true' }, on ? (sortAsc ? ' ▲' : ' ▼') : ' ↕'),
      ),
    );
  };
  const rows = sortRanking(data.units, sortCol, sortAsc);
  fill(
    el,
    h('h2', {}, t('ranking.title')),
    h('p', { className: 'muted small' }, t('ranking.help', { n: formatCount(data.ranked, lang), m: formatCount(data.unranked, lang) })),
    downloads,
    h(
      'div',
      { className: 'table-scroll tall' },
      h(
        'table',
        { className: 'ranking', 'aria-label': t('ranking.title') },
        h('thead', {}, h('tr', {}, header('rank', 'ranking.rank', true), header('name', 'ranking.name'), header('code', 'ranking.code'), header('value', 'ranking.value', true))),
        h(
          'tbody',
          {},
          rows.map((u) =>
            h(
              'tr',
              { className: u.code === app.state.unit ? 'current' : '' },
              h('td', { className: 'num' }, u.rank === null ? '–' : String(u.rank)),
              h('td', {}, h('button', { type: 'button', className: 'link', 'data-fk': `rank-${u.code}`, onclick: () => app.selectUnit(u.code, true) }, u.name)),
              h('td', {}, u.code),
              h('td', { className: 'num' }, u.status === 'ok' ? formatNumber(u.value, lang, cur.ind.precision) : t(u.status === 'suppressed' ? 'panel.suppressed' : 'panel.missing')),
            ),
          ),
        ),
      ),
    ),
  );
}
