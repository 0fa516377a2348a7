// Offer layers (Kitas, youth centres, care, schools …) as points from the
// server's tiles, with filters by category and provider type, and how many
// of each layer's offers the current view shows.

import type { App } from '../app';
import { byId, fill, h } from '../dom';
import { formatCount } from '../format';
import { t } from '../i18n';

let shownKey = '';
const seen = { category: new Set<string>(), provider_type: new Set<string>() };

export function renderOffers(app: App): void {
  if (app.state.tab !== 'offers') return;
  const s = app.state;
  const el = byId('tab-offers');
  const cats = options(app, 'category');
  const provs = options(app, 'provider_type');
  const key = [s.lang, s.offers.join(','), s.category, s.provider, cats.join('\u0001'), provs.join('\u0001')].join('|');
  if (key === shownKey) {
    updateOfferCounts(app);
    return;
  }
  shownKey = key;
  const lang = s.lang;
  const select = (id: string, label: string, values: string[], value: string | null, set: (v: string | null) => void) =>
    h(
      'div',
      { className: 'field' },
      h('label', { for: id }, label),
      h(
        'select',
        { id, disabled: !s.offers.length, onchange: (e: Event) => set((e.target as HTMLSelectElement).value || null) },
        h('option', { value: '', selected: !value }, t('offers.all')),
        // A filter from a shared link is kept even before its tiles are loaded.
        [...new Set([...values, ...(value ? [value] : [])])].map((v) => h('option', { value: v, selected: v === value }, v)),
      ),
    );
  fill(
    el,
    h('h2', {}, t('offers.title')),
    h('p', { className: 'muted small' }, t('offers.help')),
    h(
      'ul',
      { className: 'offer-layers' },
      app.layers.map((l) => {
        const on = s.offers.includes(l.id);
        return h(
          'li',
          {},
          h(
            'label',
            {},
            h('input', {
              type: 'checkbox',
              id: `offer-${l.id}`,
              checked: on,
              onchange: () => app.update({ offers: on ? s.offers.filter((o) => o !== l.id) : [...s.offers, l.id] }, 'replace'),
            }),
            h('span', { className: 'dot', style: `background:${app.offerColor(l.id)}`, 'aria-hidden': 'true' }),
            h('span', {}, l.name),
          ),
          h('span', { className: 'offer-count', id: `offer-count-${l.id}`, 'aria-live': 'polite' }, on ? '' : t('offers.total', { n: formatCount(l.offers, lang) })),
          l.attribution ? h('small', { className: 'muted block' }, `${l.attribution}, ${l.licence ?? ''}`) : null,
        );
      }),
    ),
    select('offer-category', t('offers.category'), cats, s.category, (v) => app.update({ category: v }, 'replace')),
    select('offer-provider', t('offers.provider'), provs, s.provider, (v) => app.update({ provider: v }, 'replace')),
  );
  updateOfferCounts(app);
}

function options(app: App, prop: 'category' | 'provider_type'): string[] {
  if (!app.amap) return [];
  for (const v of app.amap.offerValues(app.state.offers, prop)) seen[prop].add(v);
  return [...seen[prop]].sort((a, b) => a.localeCompare(b, 'de'));
}

/** Counts in view, after each move and when tiles arrive. */
export function updateOfferCounts(app: App): void {
  if (!app.amap || app.state.tab !== 'offers') return;
  const lang = app.state.lang;
  for (const id of app.state.offers) {
    const el = document.getElementById(`offer-count-${id}`);
    if (el) el.textContent = t('offers.inView', { n: formatCount(app.amap.offersInView(id), lang) });
  }
  // New categories may have arrived with the tiles.
  const before = seen.category.size + seen.provider_type.size;
  options(app, 'category');
  options(app, 'provider_type');
  if (seen.category.size + seen.provider_type.size !== before) renderOffers(app);
}
