// The sidebar's tabs (WAI-ARIA tabs pattern: one tab stop, arrow keys move).

import type { App } from '../app';
import { byId, fill, h } from '../dom';
import { t, type MessageKey } from '../i18n';
import { tabs, type Tab } from '../state';

export function initTabs(app: App): void {
  byId('tabs').addEventListener('keydown', (e) => {
    const i = tabs.indexOf(app.state.tab);
    let j = -1;
    if (e.key === 'ArrowRight') j = (i + 1) % tabs.length;
    if (e.key === 'ArrowLeft') j = (i - 1 + tabs.length) % tabs.length;
    if (e.key === 'Home') j = 0;
    if (e.key === 'End') j = tabs.length - 1;
    if (j < 0) return;
    e.preventDefault();
    app.update({ tab: tabs[j] as Tab }, 'replace');
    document.getElementById(`tab-button-${tabs[j]}`)?.focus();
  });
}

export function renderTabs(app: App): void {
  fill(
    byId('tabs'),
    tabs.map((tab) => {
      const on = tab === app.state.tab;
      return h(
        'button',
        {
          type: 'button',
          role: 'tab',
          id: `tab-button-${tab}`,
          'aria-selected': String(on),
          'aria-controls': `tab-${tab}`,
          tabindex: on ? 0 : -1,
          onclick: () => app.update({ tab }, 'replace'),
        },
        t(`tabs.${tab}` as MessageKey),
      );
    }),
  );
  for (const tab of tabs) {
    const panel = byId(`tab-${tab}`);
    panel.hidden = tab !== app.state.tab;
    panel.setAttribute('aria-labelledby', `tab-button-${tab}`);
  }
}
