// The inventory tab: a layer's offers, searchable and filterable (GET
// /layers/{layer}/offers with q and the filters, 50 a page): who (provider,
// provider type), what (name, category), where (address; the point on the
// map), for whom (ages, household types, target groups), conditions and
// goals. Below, the counts by goal or target group per unit of the current
// level (GET /levels/{level}/offer-counts with the same filters; a unit's
// name selects it on the map), and the server's exports of the same
// selection (CSV, CSV for Excel, XLSX). Nothing loads before the tab opens.

import type { App } from '../app';
import { api, withQuery, type OfferCollection, type OfferCounts, type OfferFeature } from '../api';
import { byId, fill, h } from '../dom';
import { formatCount, formatDate } from '../format';
import { t, type MessageKey } from '../i18n';
import { barrierFree, conditionTypes, emptyFilter, householdTypes, inventoryQuery, providerTypes, type InventoryFilter } from '../inventory';
import { canEdit, conditionsText, forWhom, openOffer, showOnMap, startAdd } from './editor';

const pageSize = 50;
const countRows = 15;

let layer: string | null = null;
let filter: InventoryFilter = emptyFilter();
let offset = 0;
let by: 'goal' | 'target_group' = 'goal';
let allCounts = false;

let list: OfferCollection | null = null;
let listError: string | null = null;
let listKey = '';
let counts: OfferCounts | null = null;
let countsError: string | null = null;
let countsKey = '';
const vocab = new Map<string, string[]>(); // `${layer}|${by}` → keys
let shownKey = '';
let generation = 0;
let typing: number | null = null;

/** Forgets loaded answers (after a write): the next render asks again. */
export function invalidateInventory(): void {
  listKey = '';
  countsKey = '';
  vocab.clear();
  generation++;
}

function query(): Record<string, string | number | null | undefined> {
  return inventoryQuery(filter);
}

function load(app: App): void {
  if (!layer) return;
  const q = query();
  const lk = JSON.stringify([layer, q, offset, generation]);
  if (lk !== listKey) {
    listKey = lk;
    list = null;
    listError = null;
    void api
      .offers(layer, { ...q, limit: pageSize, offset })
      .then((r) => {
        if (listKey === lk) list = r;
      })
      .catch((e: Error & { detail?: string }) => {
        if (listKey === lk) listError = e.detail ?? e.message;
      })
      .finally(() => renderInventory(app));
  }
  const level = app.state.level;
  const ck = JSON.stringify([level, layer, q, by, generation]);
  if (level && ck !== countsKey) {
    countsKey = ck;
    counts = null;
    countsError = null;
    void api
      .offerCounts(level, { ...q, layer, by })
      .then((r) => {
        if (countsKey === ck) counts = r;
      })
      .catch((e: Error & { detail?: string }) => {
        if (countsKey === ck) countsError = e.detail ?? e.message;
      })
      .finally(() => renderInventory(app));
  }
  // The filters' values: the keys the top level's counts know for this layer.
  const top = app.levels[0]?.id;
  for (const b of ['category', 'provider_type', 'goal', 'target_group'] as const) {
    const vk = `${layer}|${b}`;
    if (!top || vocab.has(vk)) continue;
    vocab.set(vk, []);
    void api
      .offerCounts(top, { layer, by: b })
      .then((r) => vocab.set(vk, r.keys.filter((k) => k !== '(none)')))
      .catch(() => undefined)
      .finally(() => {
        shownKey = '';
        renderInventory(app);
      });
  }
}

export function renderInventory(app: App): void {
  if (app.state.tab !== 'inventory' || !app.layers.length) return;
  if (!layer || !app.layers.some((l) => l.id === layer)) layer = app.state.offers[0] ?? app.layers[0]!.id;
  load(app);
  const tab = byId('tab-inventory');
  tab.dataset['loaded'] = list && counts ? 'true' : 'false';
  const view = [listKey, countsKey, list ? 1 : 0, counts ? 1 : 0, listError, countsError, app.state.lang, app.state.level, canEdit(app), allCounts, app.state.unit, [...vocab.values()].map((v) => v.length).join(',')].join('|');
  if (view === shownKey) return;
  shownKey = view;
  fill(
    tab,
    h('h2', {}, t('inv.title')),
    h('p', { className: 'muted small' }, t('inv.help')),
    h(
      'div',
      { className: 'inv-top' },
      h(
        'div',
        { className: 'field' },
        h('label', { for: 'inv-layer' }, t('inv.layer')),
        h(
          'select',
          {
            id: 'inv-layer',
            onchange: (e: Event) => {
              layer = (e.target as HTMLSelectElement).value;
              byId<HTMLInputElement>('inv-q').value = '';
              filter = emptyFilter();
              offset = 0;
              renderInventory(app);
            },
          },
          app.layers.map((l) => h('option', { value: l.id, selected: l.id === layer }, `${l.name} (${formatCount(l.offers, app.state.lang)})`)),
        ),
      ),
      canEdit(app) ? h('button', { type: 'button', id: 'offer-add', onclick: () => startAdd(app, layer!) }, t('edit.add')) : null,
    ),
    filterForm(app),
    results(app),
    countsSection(app),
  );
}

function filterForm(app: App): HTMLElement {
  const apply = () => {
    const form = byId<HTMLFormElement>('inv-filter');
    const val = (k: keyof InventoryFilter) => (form.elements.namedItem(k) as HTMLInputElement | HTMLSelectElement | null)?.value ?? '';
    filter = {
      q: val('q'),
      category: val('category'),
      provider_type: val('provider_type'),
      goal: val('goal'),
      target_group: val('target_group'),
      household_type: val('household_type'),
      condition: val('condition'),
      age: val('age'),
      barrier_free: val('barrier_free'),
      date: val('date'),
    };
    offset = 0;
    renderInventory(app);
  };
  const keys = (b: string) => vocab.get(`${layer}|${b}`) ?? [];
  const select = (k: keyof InventoryFilter, values: readonly string[], label: (v: string) => string = (v) => v) =>
    h(
      'div',
      { className: 'form-row' },
      h('label', { for: `inv-${k}` }, t(`inv.f.${k}` as MessageKey)),
      h(
        'select',
        { id: `inv-${k}`, name: k, onchange: apply },
        h('option', { value: '', selected: !filter[k] }, t('offers.all')),
        [...new Set([...values, ...(filter[k] ? [filter[k]] : [])])].map((v) => h('option', { value: v, selected: v === filter[k] }, label(v))),
      ),
    );
  const provider = (v: string) => ((providerTypes as readonly string[]).includes(v) ? t(`provider.${v}` as MessageKey) : v);
  return h(
    'form',
    {
      id: 'inv-filter',
      className: 'inv-filter',
      role: 'search',
      'aria-label': t('inv.filterLabel'),
      onsubmit: (e: Event) => {
        e.preventDefault();
        apply();
      },
    },
    h(
      'div',
      { className: 'form-row wide' },
      h('label', { for: 'inv-q' }, t('inv.f.q')),
      h('input', {
        type: 'search',
        id: 'inv-q',
        name: 'q',
        // What is being typed survives a redraw (answers arrive while typing).
        value: document.querySelector<HTMLInputElement>('#inv-q')?.value ?? filter.q,
        maxlength: 200,
        autocomplete: 'off',
        placeholder: t('inv.qPlaceholder'),
        oninput: () => {
          if (typing !== null) window.clearTimeout(typing);
          typing = window.setTimeout(apply, 400);
        },
      }),
    ),
    select('category', keys('category')),
    select('provider_type', keys('provider_type'), provider),
    select('goal', keys('goal')),
    select('target_group', keys('target_group')),
    select('household_type', householdTypes, (v) => t(`household.${v}` as MessageKey)),
    select('condition', conditionTypes, (v) => t(`condition.${v}` as MessageKey)),
    select('barrier_free', barrierFree, (v) => t(`inv.bf.${v}` as MessageKey)),
    h(
      'div',
      { className: 'form-row' },
      h('label', { for: 'inv-age' }, t('inv.f.age')),
      h('input', { type: 'number', id: 'inv-age', name: 'age', min: 0, max: 130, step: 1, value: filter.age, onchange: apply }),
    ),
    h(
      'div',
      { className: 'form-row' },
      h('label', { for: 'inv-date' }, t('inv.f.date')),
      h('input', { type: 'date', id: 'inv-date', name: 'date', value: filter.date, onchange: apply }),
    ),
    h(
      'div',
      { className: 'panel-actions wide' },
      h('button', { type: 'submit', id: 'inv-search' }, t('inv.search')),
      h(
        'button',
        {
          type: 'button',
          id: 'inv-reset',
          onclick: () => {
            byId<HTMLInputElement>('inv-q').value = '';
            filter = emptyFilter();
            offset = 0;
            renderInventory(app);
          },
        },
        t('inv.reset'),
      ),
    ),
  );
}

/** The server's exports of the same selection; a signed-in person's downloads carry the token (data-auth). */
function downloads(): HTMLElement {
  const base = `/api/v1/layers/${encodeURIComponent(layer!)}/offers`;
  const q = query();
  const link = (id: string, format: string, label: MessageKey) =>
    h('a', { className: 'button', id, href: withQuery(base, { ...q, format }), download: '', 'data-auth': '' }, t(label));
  return h('p', { className: 'downloads' }, link('inv-csv', 'csv', 'ranking.csv'), link('inv-csv-excel', 'csv-excel', 'ranking.csvExcel'), link('inv-xlsx', 'xlsx', 'ranking.xlsx'));
}

function results(app: App): HTMLElement {
  const lang = app.state.lang;
  const parts: (HTMLElement | null)[] = [downloads()];
  if (listError) parts.push(h('p', { className: 'error', role: 'alert' }, t('error.api', { detail: listError })));
  if (!list && !listError) parts.push(h('p', { className: 'muted' }, t('status.loading')));
  if (list) {
    const from = list.numberMatched ? offset + 1 : 0;
    const to = offset + list.numberReturned;
    parts.push(
      h('p', { id: 'inv-count', 'aria-live': 'polite', className: 'small' }, t('inv.count', { n: formatCount(list.numberMatched, lang), from: formatCount(from, lang), to: formatCount(to, lang) })),
      list.features.length ? table(app, list.features) : h('p', {}, t('inv.noneFound')),
      h(
        'div',
        { className: 'panel-actions' },
        h('button', { type: 'button', id: 'inv-prev', disabled: offset === 0, onclick: () => page(app, -1) }, t('inv.prev')),
        h('button', { type: 'button', id: 'inv-next', disabled: to >= list.numberMatched, onclick: () => page(app, 1) }, t('inv.next')),
      ),
    );
  }
  return h('section', { className: 'inv-results', 'aria-label': t('inv.results') }, parts);
}

function page(app: App, dir: number): void {
  offset = Math.max(0, offset + dir * pageSize);
  renderInventory(app);
}

function table(app: App, features: OfferFeature[]): HTMLElement {
  const lang = app.state.lang;
  const provider = (v: string | null | undefined) => (v ? ((providerTypes as readonly string[]).includes(v) ? t(`provider.${v}` as MessageKey) : v) : '');
  const col = (key: MessageKey) => h('th', { scope: 'col' }, t(key));
  return h(
    'div',
    { className: 'table-scroll tall' },
    h(
      'table',
      { className: 'inventory', id: 'inv-table', 'aria-label': t('inv.title') },
      h('thead', {}, h('tr', {}, col('inv.what'), col('inv.who'), col('inv.where'), col('offer.forWhom'), col('offer.f.conditions'), col('offer.f.goals'))),
      h(
        'tbody',
        {},
        features.map((f) => {
          const o = f.properties;
          const at = f.geometry.coordinates;
          return h(
            'tr',
            { 'data-offer': o.id },
            h(
              'td',
              {},
              h('button', { type: 'button', className: 'link', 'data-fk': `inv-${o.id}`, onclick: () => void openOffer(app, layer!, o.id, at, o) }, o.name),
              h('span', { className: 'block muted small' }, [o.category, o.subcategory].filter(Boolean).join(' · ')),
              o.valid_to ? h('span', { className: 'block small status-chip behind' }, t('offer.closedOn', { date: formatDate(o.valid_to, lang) })) : null,
            ),
            h('td', {}, o.provider ?? '', o.provider_type ? h('span', { className: 'block muted small' }, provider(o.provider_type)) : null),
            h(
              'td',
              {},
              o.address ?? '',
              h('button', { type: 'button', className: 'link block small', 'aria-label': t('inv.showNamed', { name: o.name }), onclick: () => showOnMap(app, layer!, at) }, t('inv.show')),
            ),
            h('td', {}, forWhom(o, lang)),
            h('td', {}, conditionsText(o)),
            h('td', {}, (o.goals ?? []).join(', ')),
          );
        }),
      ),
    ),
  );
}

function countsSection(app: App): HTMLElement {
  const lang = app.state.lang;
  const levelName = app.levelById(app.state.level)?.name ?? app.state.level ?? '';
  const head = [
    h('h3', { id: 'inv-counts-title' }, t('inv.countsTitle', { level: levelName })),
    h(
      'div',
      { className: 'field' },
      h('label', { for: 'inv-by' }, t('inv.by')),
      h(
        'select',
        {
          id: 'inv-by',
          onchange: (e: Event) => {
            by = (e.target as HTMLSelectElement).value as typeof by;
            renderInventory(app);
          },
        },
        h('option', { value: 'goal', selected: by === 'goal' }, t('inv.byGoal')),
        h('option', { value: 'target_group', selected: by === 'target_group' }, t('inv.byTargetGroup')),
      ),
    ),
  ];
  if (countsError) return h('section', { className: 'panel-section' }, head, h('p', { className: 'error' }, t('error.api', { detail: countsError })));
  if (!counts) return h('section', { className: 'panel-section' }, head, h('p', { className: 'muted' }, t('status.loading')));
  const c = counts;
  const keyLabel = (k: string) => (k === '(none)' ? t('inv.noKey') : k);
  const rows = [...c.units].sort((a, b) => b.offers - a.offers || a.name.localeCompare(b.name, 'de'));
  const shown = allCounts ? rows : rows.slice(0, countRows);
  return h(
    'section',
    { className: 'panel-section' },
    head,
    h('p', { className: 'muted small' }, t('inv.countsHelp', { n: formatCount(c.total.offers, lang), date: formatDate(c.date, lang), outside: formatCount(c.outside, lang) })),
    h(
      'div',
      { className: 'table-scroll' },
      h(
        'table',
        { className: 'inv-counts', id: 'inv-counts', 'aria-labelledby': 'inv-counts-title' },
        h(
          'thead',
          {},
          h('tr', {}, h('th', { scope: 'col' }, t('ranking.name')), h('th', { scope: 'col', className: 'num' }, t('inv.offers')), c.keys.map((k) => h('th', { scope: 'col', className: 'num' }, keyLabel(k)))),
        ),
        h(
          'tbody',
          {},
          shown.map((u) =>
            h(
              'tr',
              { className: u.code === app.state.unit ? 'current' : '' },
              h('th', { scope: 'row' }, h('button', { type: 'button', className: 'link', 'data-fk': `invc-${u.code}`, 'data-code': u.code, onclick: () => app.selectUnit(u.code, true) }, u.name)),
              h('td', { className: 'num' }, formatCount(u.offers, lang)),
              c.keys.map((k) => h('td', { className: 'num' }, formatCount(u.counts[k] ?? 0, lang))),
            ),
          ),
          h(
            'tr',
            { className: 'city' },
            h('th', { scope: 'row' }, t('inv.total')),
            h('td', { className: 'num' }, formatCount(c.total.offers, lang)),
            c.keys.map((k) => h('td', { className: 'num' }, formatCount(c.total.counts[k] ?? 0, lang))),
          ),
        ),
      ),
    ),
    rows.length > countRows
      ? h(
          'button',
          {
            type: 'button',
            id: 'inv-counts-all',
            'aria-expanded': String(allCounts),
            onclick: () => {
              allCounts = !allCounts;
              renderInventory(app);
            },
          },
          allCounts ? t('inv.fewer') : t('inv.all', { n: formatCount(rows.length, lang) }),
        )
      : null,
  );
}
