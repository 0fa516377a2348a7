// The top bar: level switcher, date slider with play, exports, shared link
// and language.

import type { App } from '../app';
import { withQuery, type Query } from '../api';
import { byId, fill, h } from '../dom';
import { formatDate } from '../format';
import { t } from '../i18n';
import { exportPNG, setGapMapLink, viewBBox } from './export';

let timer: number | null = null;
const playStep = 1500;

export function initTopbar(app: App): void {
  const slider = byId<HTMLInputElement>('date-slider');
  slider.addEventListener('input', () => {
    const dates = app.indicator().dates;
    const d = dates[Number(slider.value)];
    if (d && d !== app.state.date) app.update({ date: d });
  });
  byId('play').addEventListener('click', () => (timer === null ? play(app) : stop()));
  byId('export-png').addEventListener('click', () => void exportPNG(app));
  byId('copy-link').addEventListener('click', () => void copyLink(app));
  byId('lang-switch').addEventListener('click', () => app.setLanguage(app.state.lang === 'de' ? 'en' : 'de'));
  const menu = byId('menu-toggle');
  menu.addEventListener('click', () => {
    const open = !document.body.classList.contains('sidebar-open');
    document.body.classList.toggle('sidebar-open', open);
    menu.setAttribute('aria-expanded', String(open));
    if (open) byId('sidebar').focus();
  });
  // Escape closes the drawer (narrow screens), else the unit's panel.
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || e.defaultPrevented) return;
    if (document.body.classList.contains('sidebar-open')) {
      document.body.classList.remove('sidebar-open');
      menu.setAttribute('aria-expanded', 'false');
      menu.focus();
    } else if (app.state.unit && byId('panel').contains(document.activeElement)) {
      app.update({ unit: null });
      byId('map').focus();
    }
  });
  // Arrow keys move within the level radio group (one tab stop).
  byId('levels').addEventListener('keydown', (e) => {
    if (!['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End'].includes(e.key)) return;
    const buttons = [...byId('levels').querySelectorAll<HTMLButtonElement>('button:not([disabled])')];
    const i = buttons.findIndex((b) => b.getAttribute('aria-checked') === 'true');
    let j = e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? i - 1 : i + 1;
    if (e.key === 'Home') j = 0;
    if (e.key === 'End') j = buttons.length - 1;
    const b = buttons[(j + buttons.length) % buttons.length];
    if (b) {
      e.preventDefault();
      const id = b.dataset['level'] ?? '';
      b.click();
      byId('levels').querySelector<HTMLElement>(`[data-level="${CSS.escape(id)}"]`)?.focus();
    }
  });
}

function play(app: App): void {
  const dates = app.indicator().dates;
  if (dates.length < 2) return;
  // From the end, playing starts over.
  if (dates.indexOf(app.state.date ?? '') === dates.length - 1) app.update({ date: dates[0]! }, 'replace');
  timer = window.setInterval(() => {
    const ds = app.indicator().dates;
    const i = ds.indexOf(app.state.date ?? '');
    if (i < 0 || i >= ds.length - 1) {
      stop();
      return;
    }
    app.update({ date: ds[i + 1]! }, 'replace');
  }, playStep);
  renderPlay();
}

function stop(): void {
  if (timer !== null) window.clearInterval(timer);
  timer = null;
  renderPlay();
}

function renderPlay(): void {
  const b = byId('play');
  const on = timer !== null;
  b.setAttribute('aria-pressed', String(on));
  b.textContent = on ? '❚❚' : '▶';
  b.setAttribute('aria-label', t(on ? 'date.pause' : 'date.play'));
  b.title = t(on ? 'date.pause' : 'date.play');
}

export function renderTopbar(app: App): void {
  const s = app.state;
  const ind = app.indicator();
  fill(
    byId('levels'),
    app.levels.map((l) => {
      const has = ind.levels.includes(l.id);
      const on = l.id === s.level;
      return h(
        'button',
        {
          type: 'button',
          role: 'radio',
          'aria-checked': String(on),
          tabindex: on ? 0 : -1,
          disabled: !has,
          title: has ? `${l.name} (${l.units})` : t('level.noValues', { indicator: ind.name }),
          'data-level': l.id,
          'data-fk': `level-${l.id}`,
          onclick: () => app.update({ level: l.id }),
        },
        l.name,
      );
    }),
  );
  const slider = byId<HTMLInputElement>('date-slider');
  const dates = ind.dates;
  const date = s.date ?? dates[dates.length - 1] ?? null;
  slider.max = String(Math.max(0, dates.length - 1));
  slider.value = String(Math.max(0, dates.indexOf(date ?? '')));
  slider.disabled = dates.length < 2;
  slider.setAttribute('aria-valuetext', formatDate(date, s.lang));
  slider.setAttribute('aria-label', t('date.label'));
  const out = byId('date-output');
  out.textContent = formatDate(date, s.lang) + (dates.length < 2 ? '' : ` (${dates.indexOf(date ?? '') + 1}/${dates.length})`);
  out.title = dates.length < 2 ? t('date.single') : '';
  const playB = byId<HTMLButtonElement>('play');
  playB.disabled = dates.length < 2;
  if (dates.length < 2 && timer !== null) stop();
  renderPlay();
  updatePdfLink(app);
  const lang = byId('lang-switch');
  lang.textContent = s.lang === 'de' ? 'English' : 'Deutsch';
  lang.setAttribute('lang', s.lang === 'de' ? 'en' : 'de');
  lang.setAttribute('aria-label', s.lang === 'de' ? 'Switch to English' : 'Auf Deutsch umschalten');
}

/**
 * The server's map of this view (/maps/{level}/{indicator}.pdf): date,
 * classification, language, the part of the city in view and the first
 * offer layer shown, so that the PDF is the map on the screen.
 */
export function updatePdfLink(app: App): void {
  const s = app.state;
  const ind = app.indicators.find((i) => i.id === s.indicator);
  if (!ind || !s.level) return;
  const link = byId<HTMLAnchorElement>('export-pdf');
  // The gap view has its own server map: the gap classes (/maps/{level}/_gap.pdf).
  if (s.mode === 'gap') {
    setGapMapLink(app, link);
    return;
  }
  link.removeAttribute('aria-disabled');
  link.title = t('tools.pdfTitle');
  const q: Query = { date: app.current?.date ?? s.date, ...app.classQuery(), lang: s.lang, offers: s.offers[0] ?? null, bbox: viewBBox(app) };
  byId<HTMLAnchorElement>('export-pdf').href = withQuery(`/maps/${encodeURIComponent(s.level)}/${encodeURIComponent(ind.id)}.pdf`, q);
}

async function copyLink(app: App): Promise<void> {
  const url = location.href;
  try {
    await navigator.clipboard.writeText(url);
    app.announce(t('tools.linkCopied'));
    const b = byId('copy-link');
    b.textContent = t('tools.linkCopied');
    window.setTimeout(() => (b.textContent = t('tools.link')), 2000);
  } catch {
    // No clipboard (an insecure origin): show the link to copy by hand.
    window.prompt(t('tools.link'), url);
  }
}
