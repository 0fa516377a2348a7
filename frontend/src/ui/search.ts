// Search for a unit of the current level by name or code (combobox with a
// list box: arrow keys move, Enter selects and zooms, Escape closes). The
// level's units come with the current values (every unit with a stored
// value; the API has no lighter list of a level's units than the GeoJSON
// with geometry).

import type { App } from '../app';
import { byId, fill, h } from '../dom';
import { t } from '../i18n';
import { fold } from './indicators';

const maxResults = 12;
let active = -1;
let results: { code: string; name: string }[] = [];

export function searchUnits(units: { code: string; name: string }[], q: string, max = maxResults): { code: string; name: string }[] {
  const f = fold(q.trim());
  if (!f) return [];
  const starts: typeof units = [];
  const contains: typeof units = [];
  for (const u of units) {
    const name = fold(u.name);
    if (u.code.startsWith(q.trim()) || name.startsWith(f)) starts.push(u);
    else if (name.includes(f) || u.code.includes(q.trim())) contains.push(u);
  }
  return [...starts, ...contains].slice(0, max);
}

export function initSearch(app: App): void {
  const input = byId<HTMLInputElement>('unit-search');
  const list = byId('unit-results');
  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const choose = (i: number) => {
    const u = results[i];
    if (!u) return;
    close();
    input.value = u.name;
    app.selectUnit(u.code, true);
  };
  const draw = () => {
    const q = input.value;
    const units = app.current?.values.values ?? [];
    results = searchUnits(units, q);
    if (!q.trim()) {
      close();
      return;
    }
    fill(
      list,
      results.length
        ? results.map((u, i) =>
            h(
              'li',
              {
                id: `unit-result-${i}`,
                role: 'option',
                'aria-selected': String(i === active),
                onmousedown: (e: Event) => {
                  e.preventDefault();
                  choose(i);
                },
              },
              u.name,
              h('span', { className: 'muted' }, ` ${u.code}`),
            ),
          )
        : h('li', { role: 'option', 'aria-disabled': 'true', className: 'muted' }, t('search.none')),
    );
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    if (active >= 0) input.setAttribute('aria-activedescendant', `unit-result-${active}`);
    else input.removeAttribute('aria-activedescendant');
  };
  input.addEventListener('input', () => {
    active = -1;
    draw();
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!results.length) return;
      active = e.key === 'ArrowDown' ? (active + 1) % results.length : (active - 1 + results.length) % results.length;
      draw();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      choose(active >= 0 ? active : 0);
    } else if (e.key === 'Escape' && !list.hidden) {
      e.preventDefault();
      close();
    }
  });
  input.addEventListener('blur', () => window.setTimeout(close, 150));
}
