// The gap tab: need and supply indicators with their two cut-offs each
// (GET /api/v1/gaps; defaults: the catalog's first pair), the switch to the
// gap map (3 × 3 classes by feature state, src/gaps.ts), and the ranked
// areas of high need and low supply, downloadable as CSV (made here from
// the answer: the server's map files do not draw gap classes).

import type { App } from '../app';
import { api, type GapAnalysis, type GapSide, type Indicator } from '../api';
import { byId, fill, h } from '../dom';
import { formatCount, formatNumber } from '../format';
import { areasCSV, gapQuery, gapsCSV, readBreaks } from '../gaps';
import { t, type MessageKey } from '../i18n';

let data: GapAnalysis | null = null;
let error: string | null = null;
let dataKey = '';
let shownKey = '';
let formError: string | null = null;

/** The tab's answer: the map's when it shows the gap view, else its own (the same URL, so one request). */
function load(app: App): void {
  const s = app.state;
  const key = JSON.stringify(gapQuery(s));
  if (key === dataKey) return;
  dataKey = key;
  data = null;
  error = null;
  void api
    .gaps(gapQuery(s))
    .then((g) => {
      if (dataKey === key) {
        data = g;
        renderGaps(app);
      }
    })
    .catch((e: Error & { detail?: string }) => {
      if (dataKey === key) {
        error = e.detail ?? e.message;
        renderGaps(app);
      }
    });
}

export function renderGaps(app: App): void {
  const s = app.state;
  if (s.tab !== 'gaps' || !app.indicators.length) return;
  load(app);
  const el = byId('tab-gaps');
  // What the tab shows, for tests and styles: the query of its answer and whether it is in.
  el.dataset['query'] = dataKey;
  el.dataset['loaded'] = data ? 'true' : error ? 'error' : 'false';
  const view = [dataKey, s.lang, s.mode, s.unit, data ? 1 : 0, error, formError].join('|');
  if (view === shownKey) return;
  shownKey = view;
  const on = s.mode === 'gap';
  const parts: (HTMLElement | null)[] = [
    h('h2', {}, t('gaps.title')),
    h('p', { className: 'muted small' }, t('gaps.help')),
    h(
      'button',
      {
        type: 'button',
        id: 'gap-toggle',
        'aria-pressed': String(on),
        onclick: () => app.update({ mode: on ? 'classes' : 'gap', ...(on ? {} : levelFor(app)) }),
      },
      t(on ? 'gaps.hide' : 'gaps.show'),
    ),
    form(app),
  ];
  if (error) parts.push(h('p', { className: 'error', role: 'alert', id: 'gap-error' }, t('error.api', { detail: error })));
  if (!data && !error) parts.push(h('p', { className: 'muted' }, t('status.loading')));
  if (data) parts.push(...result(app, data));
  fill(el, parts);
}

/** Turning the gap map on at a level the need indicator lacks goes to the pair's level. */
function levelFor(app: App): { level?: string } {
  const need = app.indicators.find((i) => i.id === (app.state.gapNeed ?? data?.need.indicator));
  const level = app.state.level ?? '';
  if (need && !need.levels.includes(level) && data?.level && need.levels.includes(data.level)) return { level: data.level };
  return {};
}

function indicatorSelect(app: App, id: string, label: string, value: string | null, which: 'need' | 'supply'): HTMLElement {
  const level = app.state.level ?? '';
  const usable = app.indicators.filter((i) => i.levels.includes(level) || i.id === value);
  const byTopic = new Map<string, Indicator[]>();
  for (const i of usable) byTopic.set(i.topic || t('ind.topicOther'), [...(byTopic.get(i.topic || t('ind.topicOther')) ?? []), i]);
  // Another indicator has other values: its cut-offs start empty (automatic) until typed.
  const clear = () => {
    for (const k of ['a', 'b']) byId<HTMLInputElement>(`gap-${which}-${k}`).value = '';
  };
  return h(
    'div',
    { className: 'field' },
    h('label', { for: id }, label),
    h(
      'select',
      { id, onchange: clear },
      [...byTopic].map(([topic, inds]) => h('optgroup', { label: topic }, inds.map((i) => h('option', { value: i.id, selected: i.id === value }, i.name)))),
    ),
  );
}

/**
 * Need, supply and the cut-offs, applied together (one request): empty
 * cut-offs are automatic (the catalog pair's, else the terciles).
 */
function form(app: App): HTMLElement {
  const s = app.state;
  const lang = s.lang;
  const needId = s.gapNeed ?? data?.need.indicator ?? null;
  const supplyId = s.gapSupply ?? data?.supply.indicator ?? null;
  const needBreaks = s.gapNeedBreaks ?? data?.need.breaks ?? null;
  const supplyBreaks = s.gapSupplyBreaks ?? data?.supply.breaks ?? null;
  const shown = (v: number | undefined) => (v === undefined ? '' : formatNumber(v, lang, decimals(v)));
  const cut = (id: string, label: string, v: number | undefined) =>
    h(
      'div',
      { className: 'cut' },
      h('label', { for: id }, label),
      h('input', { type: 'text', inputmode: 'decimal', id, value: shown(v), autocomplete: 'off', size: 7, placeholder: t('gaps.auto') }),
    );
  const side = (which: 'need' | 'supply', b: [number, number] | null, gs: GapSide | undefined) =>
    h(
      'fieldset',
      { className: 'cuts' },
      h('legend', {}, t(which === 'need' ? 'gaps.needBreaks' : 'gaps.supplyBreaks')),
      cut(`gap-${which}-a`, t('gaps.cutLowMid'), b?.[0]),
      cut(`gap-${which}-b`, t('gaps.cutMidHigh'), b?.[1]),
      gs ? h('p', { className: 'muted small' }, reading(which, gs)) : null,
    );
  const submit = (e: Event) => {
    e.preventDefault();
    const v = (id: string) => byId<HTMLInputElement>(id).value;
    const nb = readBreaks(v('gap-need-a'), v('gap-need-b'));
    const sb = readBreaks(v('gap-supply-a'), v('gap-supply-b'));
    const bad = typeof nb === 'string' ? nb : typeof sb === 'string' ? sb : null;
    if (bad) {
      formError = t(bad === 'order' ? 'gaps.errOrder' : 'gaps.errNumber');
      renderGaps(app);
      byId('gap-form-error').focus();
      return;
    }
    formError = null;
    app.update({
      gapNeed: v('gap-need') || null,
      gapSupply: v('gap-supply') || null,
      gapNeedBreaks: nb as [number, number] | null,
      gapSupplyBreaks: sb as [number, number] | null,
    });
  };
  return h(
    'form',
    { id: 'gap-form', className: 'gap-form', onsubmit: submit, 'aria-label': t('gaps.formLabel') },
    indicatorSelect(app, 'gap-need', t('gaps.need'), needId, 'need'),
    indicatorSelect(app, 'gap-supply', t('gaps.supply'), supplyId, 'supply'),
    side('need', needBreaks, data?.need),
    side('supply', supplyBreaks, data?.supply),
    h('p', { className: 'muted small' }, t('gaps.cutHelp')),
    formError ? h('p', { className: 'error', id: 'gap-form-error', role: 'alert', tabindex: -1 }, formError) : null,
    h(
      'div',
      { className: 'panel-actions' },
      h('button', { type: 'submit', id: 'gap-apply' }, t('gaps.apply')),
      s.gapNeed || s.gapSupply || s.gapNeedBreaks || s.gapSupplyBreaks
        ? h(
            'button',
            {
              type: 'button',
              id: 'gap-reset',
              onclick: () => {
                formError = null;
                app.update({ gapNeed: null, gapSupply: null, gapNeedBreaks: null, gapSupplyBreaks: null });
              },
            },
            t('gaps.reset'),
          )
        : null,
    ),
  );
}

/** Enough decimals to show a cut-off exactly (up to 6). */
function decimals(v: number): number {
  for (let d = 0; d < 6; d++) if (Math.abs(Math.round(v * 10 ** d) - v * 10 ** d) < 1e-9) return d;
  return 6;
}

/** Which end of the values is high need or supply, and where the cut-offs came from, in words. */
function reading(which: 'need' | 'supply', g: GapSide): string {
  const end = t(`gaps.end.${which}.${g.end}` as MessageKey);
  const from = t(`gaps.from.${g.breaks_from}` as MessageKey);
  return `${g.name}: ${end} ${from}`;
}

function result(app: App, g: GapAnalysis): HTMLElement[] {
  const lang = app.state.lang;
  const prec = (id: string) => app.indicators.find((i) => i.id === id)?.precision ?? 2;
  const np = prec(g.need.indicator);
  const sp = prec(g.supply.indicator);
  const download = (id: string, label: string, name: string, csv: () => string) =>
    h('button', { type: 'button', id, onclick: () => saveText(csv(), name) }, label);
  const base = `lueckenanalyse_${g.need.indicator}_${g.supply.indicator}_${g.level}`;
  return [
    h('h3', { id: 'gap-list-title' }, t('gaps.listTitle')),
    h('p', { className: 'small', id: 'gap-count' }, t('gaps.count', { n: formatCount(g.gaps.length, lang), all: formatCount(g.areas.length, lang) })),
    h(
      'div',
      { className: 'downloads' },
      download('gap-csv', t('gaps.csv'), `${base}_rangliste.csv`, () => gapsCSV(g)),
      download('gap-areas-csv', t('gaps.areasCsv'), `${base}_gebiete.csv`, () => areasCSV(g, lang)),
    ),
    h('p', { className: 'muted small' }, t('gaps.exportNote')),
    g.gaps.length
      ? h(
          'div',
          { className: 'table-scroll' },
          h(
            'table',
            { className: 'gap-list', id: 'gap-list', 'aria-labelledby': 'gap-list-title' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col', className: 'num' }, t('ranking.rank')),
                h('th', { scope: 'col' }, t('ranking.name')),
                h('th', { scope: 'col', className: 'num', title: g.need.name }, `${t('gaps.needShort')} (${g.need.unit})`),
                h('th', { scope: 'col', className: 'num', title: g.supply.name }, `${t('gaps.supplyShort')} (${g.supply.unit})`),
              ),
            ),
            h(
              'tbody',
              {},
              g.gaps.map((r) =>
                h(
                  'tr',
                  { className: r.code === app.state.unit ? 'current' : '', 'data-code': r.code },
                  h('td', { className: 'num' }, String(r.rank)),
                  h('td', {}, h('button', { type: 'button', className: 'link', 'data-fk': `gap-${r.code}`, onclick: () => app.selectUnit(r.code, true) }, r.name)),
                  h('td', { className: 'num' }, formatNumber(r.need, lang, np)),
                  h('td', { className: 'num' }, formatNumber(r.supply, lang, sp)),
                ),
              ),
            ),
          ),
        )
      : h('p', {}, t('gaps.none')),
  ];
}

/** Saves text as a UTF-8 file (with a byte order mark, so that spreadsheet programs read umlauts right). */
export function saveText(text: string, name: string, type = 'text/csv;charset=utf-8'): void {
  const blob = new Blob(['\ufeff', text], { type });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}
