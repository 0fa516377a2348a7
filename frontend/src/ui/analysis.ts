// Spatial autocorrelation of the current indicator: global Moran's I
// (GET /indicators/{id}/moran) and the switch to the LISA cluster map
// (GET /indicators/{id}/lisa, drawn by the app from the same states).

import type { App } from '../app';
import { api, type Moran } from '../api';
import { byId, fill, h } from '../dom';
import { formatCount, formatNumber } from '../format';
import { t } from '../i18n';

let data: Moran | null = null;
let error: string | null = null;
let dataKey = '';
let shownKey = '';

/** What Moran's I says, in words: clustering, dispersion or neither (at 5 %). */
export function moranVerdict(m: Moran): 'cluster' | 'disperse' | 'random' {
  const p = m.permutation?.p ?? m.randomisation.p;
  if (p === null || p > 0.05) return 'random';
  return m.i > m.expected ? 'cluster' : 'disperse';
}

export function renderAnalysis(app: App): void {
  const el = byId('tab-analysis');
  const cur = app.current;
  const s = app.state;
  if (s.tab !== 'analysis' || !cur) return;
  const key = `${cur.ind.id}|${cur.level}|${cur.date}`;
  if (key !== dataKey) {
    dataKey = key;
    data = null;
    error = null;
    void api
      .moran(cur.ind.id, { level: cur.level, date: cur.date })
      .then((m) => {
        if (dataKey === key) {
          data = m;
          renderAnalysis(app);
        }
      })
      .catch((e: Error) => {
        if (dataKey === key) {
          error = e.message;
          renderAnalysis(app);
        }
      });
  }
  const view = [key, s.lang, s.mode, data ? 1 : 0, error, cur.lisa ? 1 : 0].join('|');
  if (view === shownKey) return;
  shownKey = view;
  const lang = s.lang;
  const parts: (HTMLElement | null)[] = [h('h2', {}, t('analysis.title')), h('p', { className: 'muted small' }, t('analysis.help'))];
  if (error) parts.push(h('p', { className: 'error' }, error));
  if (!data && !error) parts.push(h('p', { className: 'muted' }, t('status.loading')));
  if (data) {
    const m = data;
    const row = (k: string, v: string, num = true) => [h('dt', {}, k), h('dd', num ? { className: 'num' } : {}, v)];
    parts.push(
      h('h3', {}, t('analysis.moran')),
      h(
        'dl',
        { className: 'facts', id: 'moran' },
        row(t('analysis.i'), formatNumber(m.i, lang, 3)),
        row(t('analysis.expected'), formatNumber(m.expected, lang, 4)),
        row(t('analysis.z'), formatNumber(m.permutation?.z ?? m.randomisation.z, lang, 2)),
        row(t('analysis.p'), formatNumber(m.permutation?.p ?? m.randomisation.p, lang, 3)),
        row(t('analysis.n'), t('analysis.nValue', { n: formatCount(m.n, lang), excluded: formatCount(m.excluded, lang), islands: formatCount(m.islands, lang) }), false),
      ),
      h('p', { className: 'verdict' }, t(`analysis.${moranVerdict(m)}`)),
    );
  }
  const on = s.mode === 'lisa';
  parts.push(
    h('h3', {}, t('analysis.lisa')),
    h('p', { className: 'muted small' }, t('analysis.lisaHelp')),
    h('button', { type: 'button', id: 'lisa-toggle', 'aria-pressed': String(on), onclick: () => app.update({ mode: on ? 'classes' : 'lisa' }) }, t(on ? 'analysis.lisaHide' : 'analysis.lisaShow')),
  );
  if (on && cur.lisa) {
    parts.push(h('p', { className: 'small' }, t('analysis.lisaCounts', { hh: cur.lisa.clusters.HH, ll: cur.lisa.clusters.LL, hl: cur.lisa.clusters.HL, lh: cur.lisa.clusters.LH })));
    if (cur.lisa.note) parts.push(h('p', { className: 'muted small' }, cur.lisa.note));
  }
  fill(el, parts);
}
