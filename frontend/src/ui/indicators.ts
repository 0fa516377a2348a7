// The indicator browser: indicators by topic with a search, the current
// indicator's metadata (definition, unit, source, dates, licence,
// polarity), its action-plan targets with their progress (GET
// /indicators/{id}/targets, asked for once the map has drawn, so that the
// switch itself waits for nothing), and its classification (method,
// classes, colour scheme; the defaults come from the indicator).

import type { App } from '../app';
import { api, type Indicator, type IndicatorTargets, type Target } from '../api';
import { byId, fill, h } from '../dom';
import { formatDate, formatNumber, formatValue } from '../format';
import { t, type MessageKey } from '../i18n';
import { methods, type Method } from '../state';

/** ColorBrewer schemes the server knows (pkg/classify): sequential, then diverging. */
export const sequentialSchemes = ['Blues', 'BuGn', 'BuPu', 'GnBu', 'Greens', 'Greys', 'OrRd', 'Oranges', 'PuBu', 'PuBuGn', 'PuRd', 'Purples', 'RdPu', 'Reds', 'YlGn', 'YlGnBu', 'YlOrBr', 'YlOrRd'];
export const divergingSchemes = ['BrBG', 'PRGn', 'PiYG', 'PuOr', 'RdBu', 'RdGy', 'RdYlBu', 'RdYlGn', 'Spectral'];

let query = '';

export function initIndicators(app: App): void {
  const input = byId<HTMLInputElement>('indicator-search');
  input.addEventListener('input', () => {
    query = input.value;
    renderList(app);
  });
}

/** Folds case and diacritics, so that "muenchen", "Munchen" and "München" meet at "munchen". */
export function fold(s: string): string {
  return s
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '');
}

export function matchesIndicator(ind: Indicator, q: string): boolean {
  const words = fold(q).split(/\s+/).filter(Boolean);
  const hay = fold([ind.id, ind.name, ind.description ?? '', ind.topic ?? '', ind.unit].join(' '));
  return words.every((w) => hay.includes(w));
}

let listKey = '';
let metaKey = '';
let classKey = '';

/** Redraws what changed: the list only for a new search or language (else the pressed state). */
export function renderIndicators(app: App): void {
  const s = app.state;
  if (listKey !== `${query}|${s.lang}|${app.indicators.length}`) renderList(app);
  else {
    for (const b of byId('indicator-list').querySelectorAll<HTMLElement>('button[data-indicator]')) {
      b.setAttribute('aria-pressed', String(b.dataset['indicator'] === s.indicator));
    }
  }
  const mk = `${s.indicator}|${s.lang}`;
  if (mk !== metaKey) {
    metaKey = mk;
    renderMeta(app);
  }
  drawTargets(app);
  const ck = [s.indicator, s.method, s.k, s.scheme, s.lang].join('|');
  if (ck !== classKey) {
    classKey = ck;
    renderClassification(app);
  }
}

function renderList(app: App): void {
  const list = byId('indicator-list');
  listKey = `${query}|${app.state.lang}|${app.indicators.length}`;
  const shown = app.indicators.filter((i) => matchesIndicator(i, query));
  const topics = new Map<string, Indicator[]>();
  for (const ind of shown) {
    const topic = ind.topic || t('ind.topicOther');
    topics.set(topic, [...(topics.get(topic) ?? []), ind]);
  }
  if (!shown.length) {
    fill(list, h('p', { className: 'muted' }, t('ind.none')));
    return;
  }
  fill(
    list,
    h('p', { className: 'visually-hidden', 'aria-live': 'polite' }, t('ind.count', { n: shown.length })),
    [...topics].map(([topic, inds]) =>
      h(
        'section',
        { className: 'topic' },
        h('h3', {}, topic, h('span', { className: 'muted' }, ` (${inds.length})`)),
        h(
          'ul',
          {},
          inds.map((ind) =>
            h(
              'li',
              {},
              h(
                'button',
                {
                  type: 'button',
                  className: 'indicator',
                  'aria-pressed': String(ind.id === app.state.indicator),
                  'data-fk': `ind-${ind.id}`,
                  'data-indicator': ind.id,
                  onclick: () => app.update({ indicator: ind.id }),
                },
                h('span', { className: 'indicator-name' }, ind.name),
                h('span', { className: 'indicator-unit', title: ind.unit }, ind.unit),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

function renderMeta(app: App): void {
  const ind = app.indicator();
  const lang = app.state.lang;
  const row = (key: MessageKey, value: string | Node | null | undefined) =>
    value ? [h('dt', {}, t(key)), h('dd', {}, value)] : [];
  const levels = ind.levels.map((l) => app.levelById(l)?.name ?? l).join(', ');
  fill(
    byId('indicator-meta'),
    h('h3', { id: 'meta-title' }, ind.name),
    h(
      'dl',
      { 'aria-labelledby': 'meta-title' },
      row('meta.definition', ind.description),
      row('meta.unit', ind.unit),
      row('meta.topic', ind.topic),
      row('meta.polarity', t(`polarity.${ind.polarity}` as MessageKey)),
      row('meta.source', ind.source),
      row('meta.dates', ind.dates.map((d) => formatDate(d, lang)).join(', ')),
      row('meta.levels', levels),
      row('meta.licence', ind.licence),
      row('meta.attribution', ind.attribution),
      row('meta.origin', t(ind.computed ? 'meta.computed' : 'meta.imported')),
    ),
  );
}

const targets = new Map<string, IndicatorTargets | string>();
let targetsKey = '';
let targetsTimer: number | null = null;
/** How long an indicator stays on the map before its targets are asked for: clicking through indicators asks nothing. */
const targetsDelay = 500;

/** Loads the targets of the indicator on the map (after it was drawn and stayed a moment) and shows them. */
export function renderTargets(app: App): void {
  const id = app.state.indicator;
  if (!id) return;
  if (!targets.has(id)) {
    if (targetsTimer !== null) window.clearTimeout(targetsTimer);
    targetsTimer = window.setTimeout(() => {
      targetsTimer = null;
      if (app.state.indicator !== id || targets.has(id)) return;
      targets.set(id, ''); // asked for
      void api
        .targets(id)
        .then((r) => targets.set(id, r))
        .catch((e: Error & { detail?: string }) => targets.set(id, e.detail ?? e.message))
        .finally(() => drawTargets(app));
    }, targetsDelay);
  }
  drawTargets(app);
}

/** Forgets loaded targets (after an edit or signing in: progress and visibility may differ). */
export function forgetTargets(): void {
  targets.clear();
  targetsKey = '';
}

function drawTargets(app: App): void {
  const id = app.state.indicator ?? '';
  const got = targets.get(id);
  const key = `${id}|${app.state.lang}|${typeof got === 'object' ? 'data' : (got ?? 'none')}`;
  if (key === targetsKey) return;
  targetsKey = key;
  const el = byId('indicator-targets');
  if (got === undefined || got === '') {
    fill(el);
    return;
  }
  if (typeof got === 'string') {
    fill(el, h('h3', {}, t('targets.title')), h('p', { className: 'error' }, t('error.api', { detail: got })));
    return;
  }
  const ind = app.indicators.find((i) => i.id === id);
  fill(
    el,
    h('h3', { id: 'targets-title' }, t('targets.title')),
    got.targets.length
      ? h('ul', { className: 'targets', 'aria-labelledby': 'targets-title' }, got.targets.map((tg) => targetItem(app, got, tg, ind?.precision ?? 1)))
      : h('p', { className: 'muted small' }, t('targets.none')),
  );
}

function targetItem(app: App, all: IndicatorTargets, tg: Target, precision: number): HTMLElement {
  const lang = app.state.lang;
  const where = tg.level === 'city' ? t('targets.city') : `${tg.unit_name ?? tg.code ?? ''} (${app.levelById(tg.level)?.name ?? tg.level})`;
  const goal = t(tg.direction === 'at_least' ? 'targets.atLeast' : 'targets.atMost', {
    value: formatValue(tg.value, all.unit, lang, precision),
    date: formatDate(tg.date, lang),
  });
  const p = tg.progress;
  const share = p.share === null ? null : Math.max(0, Math.min(1, p.share));
  return h(
    'li',
    { className: `target target-${p.status}`, 'data-status': p.status },
    h('div', { className: 'target-head' }, h('strong', {}, tg.name ?? where), h('span', { className: `status-chip ${p.status}` }, t(`targets.status.${p.status}` as MessageKey))),
    h('p', { className: 'small' }, `${where}: ${goal}`),
    p.latest
      ? h(
          'p',
          { className: 'small' },
          t('targets.latest', { value: formatValue(p.latest.value, all.unit, lang, precision), date: formatDate(p.latest.date, lang) }),
          p.expected !== null ? ` ${t('targets.expected', { value: formatNumber(p.expected, lang, precision) })}` : '',
        )
      : null,
    share !== null
      ? h(
          'div',
          { className: 'target-progress' },
          h('progress', { max: 1, value: share, 'aria-label': t('targets.share', { pct: formatNumber(share * 100, lang, 0) }) }),
          h('span', { className: 'small muted' }, t('targets.share', { pct: formatNumber(share * 100, lang, 0) })),
        )
      : null,
    tg.note ? h('p', { className: 'muted small' }, tg.note) : null,
  );
}

function renderClassification(app: App): void {
  const ind = app.indicator();
  const s = app.state;
  const def = ind.classification;
  const defName = def.method === 'manual' ? t('method.manual') : `${t(`method.${def.method}` as MessageKey)}, ${def.k ?? 5}`;
  const methodSel = h(
    'select',
    {
      id: 'class-method',
      onchange: (e: Event) => {
        const v = (e.target as HTMLSelectElement).value;
        app.update({ method: v ? (v as Method) : null, k: v ? (s.k ?? def.k ?? 5) : null });
      },
    },
    h('option', { value: '', selected: !s.method }, t('class.default', { value: defName })),
    methods.map((m) => h('option', { value: m, selected: s.method === m }, t(`method.${m}` as MessageKey))),
  );
  const kSel = h(
    'select',
    { id: 'class-k', disabled: !s.method, onchange: (e: Event) => app.update({ k: Number((e.target as HTMLSelectElement).value) }) },
    Array.from({ length: 11 }, (_, i) => i + 2).map((k) =>
      h('option', { value: k, selected: (s.k ?? (s.method ? 5 : (def.k ?? 5))) === k }, String(k)),
    ),
  );
  const schemeSel = h(
    'select',
    { id: 'class-scheme', onchange: (e: Event) => app.update({ scheme: (e.target as HTMLSelectElement).value || null }) },
    h('option', { value: '', selected: !s.scheme }, t('class.default', { value: def.scheme })),
    h('optgroup', { label: t('scheme.sequential') }, sequentialSchemes.map((n) => h('option', { value: n, selected: s.scheme === n }, n))),
    h('optgroup', { label: t('scheme.diverging') }, divergingSchemes.map((n) => h('option', { value: n, selected: s.scheme === n }, n))),
  );
  const field = (id: string, key: MessageKey, control: HTMLElement) =>
    h('div', { className: 'field' }, h('label', { for: id }, t(key)), control);
  fill(
    byId('classification'),
    h('h3', {}, t('class.title')),
    field('class-method', 'class.method', methodSel),
    field('class-k', 'class.k', kSel),
    field('class-scheme', 'class.scheme', schemeSel),
    h('p', { className: 'muted small' }, t(ind.polarity === 'higher_better' ? 'class.reversed' : 'class.schemeHelp')),
    s.method || s.scheme
      ? h('button', { type: 'button', id: 'class-reset', onclick: () => app.update({ method: null, k: null, scheme: null }) }, t('class.reset'))
      : null,
  );
}
