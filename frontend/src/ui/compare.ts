// Comparison of 2 to 5 units (GET /indicators/{id}/compare): value, rank
// and difference to the city value, with bars on one scale.

import type { App } from '../app';
import { api, type Comparison } from '../api';
import { byId, fill, h } from '../dom';
import { formatCount, formatSigned, formatValue } from '../format';
import { t } from '../i18n';
import { maxCompare } from '../state';

let data: Comparison | null = null;
let error: string | null = null;
let dataKey = '';
let shownKey = '';

export function renderCompare(app: App): void {
  const el = byId('tab-compare');
  const cur = app.current;
  const s = app.state;
  if (s.tab !== 'compare' || !cur) return;
  const key = `${cur.key}|${s.compare.join(',')}`;
  if (key !== dataKey) {
    dataKey = key;
    data = null;
    error = null;
    if (s.compare.length >= 2) {
      void api
        .compare(cur.ind.id, { level: cur.level, date: cur.date, units: s.compare.join(',') })
        .then((c) => {
          if (dataKey === key) {
            data = c;
            renderCompare(app);
          }
        })
        .catch((e: Error) => {
          if (dataKey === key) {
            error = e.message;
            renderCompare(app);
          }
        });
    }
  }
  const view = [key, s.lang, data ? 1 : 0, error].join('|');
  if (view === shownKey) return;
  shownKey = view;
  const lang = s.lang;
  const p = cur.ind.precision;
  const names = new Map((data?.units ?? []).map((u) => [u.code, u.name]));
  const chips = h(
    'ul',
    { className: 'chips' },
    s.compare.map((code) => {
      const name = names.get(code) ?? cur.byCode.get(code)?.name ?? code;
      return h(
        'li',
        {},
        h('button', { type: 'button', className: 'link', onclick: () => app.selectUnit(code, true) }, name),
        h(
          'button',
          {
            type: 'button',
            className: 'icon-button',
            'data-fk': `cmp-remove-${code}`,
            'aria-label': t('compare.remove', { name }),
            title: t('compare.remove', { name }),
            onclick: () => app.update({ compare: s.compare.filter((c) => c !== code) }),
          },
          '×',
        ),
      );
    }),
  );
  const parts: (HTMLElement | null)[] = [h('h2', {}, t('compare.title')), h('p', { className: 'muted small' }, t('compare.help', { n: maxCompare })), chips];
  if (s.compare.length) parts.push(h('button', { type: 'button', onclick: () => app.update({ compare: [] }) }, t('compare.clear')));
  if (s.compare.length < 2) parts.push(h('p', {}, t('compare.needTwo')));
  if (error) parts.push(h('p', { className: 'error' }, error));
  if (data) {
    const vals = data.units.map((u) => u.value).filter((v): v is number => v !== null);
    const max = Math.max(...vals.map(Math.abs), data.city.value !== null ? Math.abs(data.city.value) : 0) || 1;
    parts.push(
      h(
        'table',
        { className: 'compare' },
        h('caption', {}, `${cur.ind.name} (${cur.ind.unit})`),
        h(
          'thead',
          {},
          h('tr', {}, h('th', { scope: 'col' }, t('ranking.name')), h('th', { scope: 'col', className: 'num' }, t('ranking.value')), h('th', { scope: 'col', className: 'num' }, t('ranking.rank')), h('th', { scope: 'col', className: 'num' }, t('compare.difference'))),
        ),
        h(
          'tbody',
          {},
          data.units.map((u) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, u.name, h('div', { className: 'bar', style: `width:${u.value === null ? 0 : (Math.abs(u.value) / max) * 100}%`, 'aria-hidden': 'true' })),
              h('td', { className: 'num' }, u.status === 'ok' ? formatValue(u.value, cur.ind.unit, lang, p) : t(u.status === 'suppressed' ? 'panel.suppressed' : 'panel.missing')),
              h('td', { className: 'num' }, u.rank === null ? '–' : t('panel.rankOf', { rank: u.rank, n: formatCount(data!.ranked, lang) })),
              h('td', { className: 'num' }, formatSigned(u.difference, lang, p)),
            ),
          ),
          h(
            'tr',
            { className: 'city' },
            h('th', { scope: 'row' }, t('panel.city')),
            h('td', { className: 'num', title: data.city.note }, data.city.value === null ? t('panel.cityNone') : formatValue(data.city.value, cur.ind.unit, lang, p)),
            h('td', {}, ''),
            h('td', {}, ''),
          ),
        ),
      ),
    );
  }
  fill(el, parts);
}
