// Signing in and editing offers. A person signs in with an API token (kept
// in sessionStorage only, src/auth.ts); editors and admins then see the
// edit controls: "add offer" (a click on the map places the point, a form
// takes the inventory's fields, POST /layers/{layer}/offers), and in an
// offer's dialog "edit" (PATCH, a merge patch of what changed) and "close"
// (POST …/close). Every write shows the server's answer; the offer layer's
// tiles, the inventory and the values are read again after it.

import type { LngLat } from 'maplibre-gl';
import type { App } from '../app';
import { api, ApiError, type OfferChange, type OfferProps } from '../api';
import { authHeaders, getToken } from '../auth';
import { byId, fill, h } from '../dom';
import { formatCount, formatDate } from '../format';
import { t, type MessageKey } from '../i18n';
import {
  conditionTypes,
  createBody,
  draftOf,
  householdTypes,
  offerPatch,
  providerTypes,
  validateOffer,
  type FieldError,
  type OfferDraft,
} from '../inventory';
import { forgetTargets } from './indicators';
import { invalidateInventory, renderInventory } from './inventory';

let signinDialog: HTMLDialogElement;
let offerDialog: HTMLDialogElement;
let signinError: string | null = null;
let signinBusy = false;

export function initEditor(app: App): void {
  signinDialog = h('dialog', { id: 'signin-dialog', className: 'dialog', 'aria-labelledby': 'signin-title' });
  offerDialog = h('dialog', { id: 'offer-dialog', className: 'dialog wide', 'aria-labelledby': 'offer-title' });
  offerDialog.addEventListener('close', () => {
    app.amap.setMarker(null);
    app.amap.stopPlacing();
  });
  document.body.append(signinDialog, offerDialog);
  byId('sign-in').addEventListener('click', () => {
    signinError = null;
    drawSignin(app);
    signinDialog.showModal();
    (signinDialog.querySelector<HTMLElement>('#token-input') ?? signinDialog.querySelector<HTMLElement>('#sign-out'))?.focus();
  });
  byId('place-cancel').addEventListener('click', () => stopAdd(app));
  byId('place-center').addEventListener('click', () => {
    const c = app.amap.map.getCenter();
    placed(app, c);
  });
  // A link to a file of the API (exports) cannot carry a header: signed
  // in, it is fetched with the token and saved from memory.
  document.addEventListener('click', (e) => {
    const a = (e.target as Element | null)?.closest?.('a[data-auth]') as HTMLAnchorElement | null;
    if (!a || !getToken()) return;
    e.preventDefault();
    void download(app, a.href);
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && app.amap.isPlacing()) {
      e.preventDefault();
      stopAdd(app);
    }
  });
  renderSession(app);
}

async function download(app: App, href: string): Promise<void> {
  try {
    const res = await fetch(href, { headers: authHeaders() });
    if (!res.ok) {
      let detail = res.statusText;
      try {
        detail = ((await res.json()) as { detail?: string }).detail ?? detail;
      } catch {
        // not a problem document
      }
      throw new Error(detail);
    }
    const cd = res.headers.get('Content-Disposition') ?? '';
    const name = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd)?.[1] ?? 'export';
    const blob = await res.blob();
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = decodeURIComponent(name);
    document.body.append(a);
    a.click();
    a.remove();
    window.setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  } catch (err) {
    app.showError(err);
  }
}

export function canEdit(app: App): boolean {
  return !!app.session?.canEdit;
}

/** The top bar's button: "sign in", or who is signed in. */
export function renderSession(app: App): void {
  const b = document.getElementById('sign-in');
  if (!b) return;
  const s = app.session;
  b.textContent = s ? t('auth.signedInShort') : t('auth.signIn');
  b.title = s ? sessionText(app) : t('auth.signInTitle');
  b.setAttribute('aria-label', b.title);
  b.dataset['role'] = s ? (s.canEdit ? 'editor' : (s.role ?? 'signed-in')) : '';
}

function sessionText(app: App): string {
  const s = app.session;
  if (!s) return t('auth.signedOut');
  if (s.canEdit) return t('auth.asEditor');
  if (s.role) return t('auth.asRole', { role: s.role });
  return t('auth.signedIn');
}

function drawSignin(app: App): void {
  const s = app.session;
  const close = h('button', { type: 'button', onclick: () => signinDialog.close() }, t('dialog.close'));
  if (s) {
    fill(
      signinDialog,
      h('h2', { id: 'signin-title' }, t('auth.title')),
      h('p', { id: 'signin-status', role: 'status' }, sessionText(app)),
      h(
        'div',
        { className: 'panel-actions' },
        h(
          'button',
          {
            type: 'button',
            id: 'sign-out',
            onclick: () => {
              app.signOut();
              drawSignin(app);
              signinDialog.querySelector<HTMLElement>('#token-input')?.focus();
            },
          },
          t('auth.signOut'),
        ),
        close,
      ),
    );
    return;
  }
  const submit = async (e: Event) => {
    e.preventDefault();
    const token = byId<HTMLInputElement>('token-input').value.trim();
    if (!token) {
      signinError = t('auth.empty');
      drawSignin(app);
      return;
    }
    signinBusy = true;
    drawSignin(app);
    try {
      await app.signIn(token);
      signinError = null;
    } catch (err) {
      signinError = err instanceof Error ? err.message : String(err);
    }
    signinBusy = false;
    drawSignin(app);
    renderInventory(app);
    (signinDialog.querySelector<HTMLElement>('#signin-status') ?? signinDialog.querySelector<HTMLElement>('#token-input'))?.focus();
  };
  fill(
    signinDialog,
    h('h2', { id: 'signin-title' }, t('auth.title')),
    h('p', { className: 'small' }, t('auth.help')),
    h(
      'form',
      { onsubmit: (e: Event) => void submit(e) },
      h('label', { for: 'token-input', className: 'field-label' }, t('auth.token')),
      h('input', { type: 'password', id: 'token-input', autocomplete: 'off', spellcheck: 'false', className: 'wide-input', 'aria-describedby': signinError ? 'signin-error' : null }),
      signinError ? h('p', { className: 'error', id: 'signin-error', role: 'alert' }, t('error.api', { detail: signinError })) : null,
      h(
        'div',
        { className: 'panel-actions' },
        h('button', { type: 'submit', id: 'token-submit', disabled: signinBusy }, signinBusy ? t('status.loading') : t('auth.signIn')),
        close,
      ),
    ),
  );
}

// ---- Adding an offer: a click on the map places it ----

let addLayer: string | null = null;

export function startAdd(app: App, layer: string): void {
  if (!canEdit(app)) return;
  addLayer = layer;
  const hint = byId('place-hint');
  byId('place-text').textContent = t('edit.placeHint', { layer: app.layers.find((l) => l.id === layer)?.name ?? layer });
  hint.hidden = false;
  app.amap.startPlacing((at) => placed(app, at));
  byId('place-center').focus();
  app.announce(t('edit.placeHint', { layer: app.layers.find((l) => l.id === layer)?.name ?? layer }));
}

function stopAdd(app: App): void {
  app.amap.stopPlacing();
  byId('place-hint').hidden = true;
}

function placed(app: App, at: LngLat): void {
  const layer = addLayer;
  stopAdd(app);
  if (!layer) return;
  const lon = Math.round(at.lng * 1e6) / 1e6;
  const lat = Math.round(at.lat * 1e6) / 1e6;
  app.amap.setMarker([lon, lat], t('edit.marker'));
  void openForm(app, layer, null, draftOf(null, lon, lat));
}

// ---- The offer dialog: details, form, close, the server's answer ----

interface Shown {
  layer: string;
  offer: OfferProps | null;
  lngLat: [number, number] | null;
}

/** Opens an offer's details (from a click on its point or the inventory), with its full record from the offers list. */
export async function openOffer(app: App, layer: string, id: string, lngLat: [number, number] | null, known: OfferProps | null = null): Promise<void> {
  let offer = known;
  let at = lngLat;
  if (!offer && id && lngLat) {
    // The API has no route for one offer with every inventory field (the
    // OGC item lacks them): the offers list around its point gives it.
    // A tile's point is rounded to its grid (about 0.0002° at zoom 9): look around it.
    const d = 0.001;
    const [x, y] = lngLat;
    try {
      const c = await api.offers(layer, { bbox: [x - d, y - d, x + d, y + d].map((v) => v.toFixed(6)).join(','), limit: 1000 });
      const f = c.features.find((f) => f.id === id || f.properties.id === id);
      if (f) {
        offer = f.properties;
        at = f.geometry.coordinates;
      }
    } catch {
      // fall back to what the tile holds
    }
  }
  drawDetails(app, { layer, offer: offer ?? ({ id, name: id } as OfferProps), lngLat: at });
  if (!offerDialog.open) offerDialog.showModal();
  offerDialog.querySelector<HTMLElement>('#offer-title')?.focus();
}

const listText = (v: unknown, key?: string): string =>
  Array.isArray(v) ? v.map((x) => (key ? t(`${key}.${String(x)}` as MessageKey) : String(x))).join(', ') : '';

/** The "for whom" of an offer in words: ages, household types, target groups. */
export function forWhom(o: OfferProps, lang: 'de' | 'en'): string {
  const parts: string[] = [];
  if (o.age_min != null || o.age_max != null) {
    parts.push(
      o.age_min != null && o.age_max != null
        ? t('offer.ages', { from: formatCount(o.age_min, lang), to: formatCount(o.age_max, lang) })
        : o.age_min != null
          ? t('offer.agesFrom', { from: formatCount(o.age_min, lang) })
          : t('offer.agesTo', { to: formatCount(o.age_max!, lang) }),
    );
  }
  if (o.household_types?.length) parts.push(listText(o.household_types, 'household'));
  if (o.target_groups?.length) parts.push(o.target_groups.join(', '));
  return parts.join('; ');
}

export function conditionsText(o: OfferProps): string {
  return [listText(o.conditions, 'condition'), o.conditions_note ?? ''].filter(Boolean).join('; ');
}

function drawDetails(app: App, s: Shown): void {
  const o = s.offer!;
  const lang = app.state.lang;
  const layerName = app.layers.find((l) => l.id === s.layer)?.name ?? s.layer;
  const row = (key: MessageKey, v: string | null | undefined) => (v ? [h('dt', {}, t(key)), h('dd', {}, v)] : []);
  const bf = o.barrier_free === true ? t('offer.yes') : o.barrier_free === false ? t('offer.no') : null;
  const editor = canEdit(app);
  fill(
    offerDialog,
    h('h2', { id: 'offer-title', tabindex: -1 }, o.name),
    h('p', { className: 'muted' }, `${layerName} · ${o.id}`),
    o.valid_to ? h('p', { className: 'status-chip behind' }, t('offer.closedOn', { date: formatDate(o.valid_to, lang) })) : null,
    h(
      'dl',
      { className: 'facts offer-facts', id: 'offer-facts' },
      row('offer.f.category', [o.category, o.subcategory].filter(Boolean).join(' · ')),
      row('offer.f.provider', [o.provider, o.provider_type ? `(${providerLabel(o.provider_type)})` : ''].filter(Boolean).join(' ')),
      row('offer.f.address', o.address),
      row('offer.f.capacity', o.capacity != null ? formatCount(o.capacity, lang) : null),
      row('offer.forWhom', forWhom(o, lang)),
      row('offer.f.conditions', conditionsText(o)),
      row('offer.f.goals', (o.goals ?? []).join(', ')),
      row('offer.f.languages', (o.languages ?? []).join(', ')),
      row('offer.f.barrier_free', bf),
      row('offer.f.opening_hours', o.opening_hours),
      row('offer.f.contact', o.contact),
      row('offer.f.valid_from', o.valid_from ? formatDate(o.valid_from, lang) : null),
      row('offer.f.valid_to', o.valid_to ? formatDate(o.valid_to, lang) : null),
    ),
    h(
      'div',
      { className: 'panel-actions' },
      s.lngLat
        ? h(
            'button',
            {
              type: 'button',
              id: 'offer-show',
              onclick: () => {
                offerDialog.close();
                showOnMap(app, s.layer, s.lngLat!);
              },
            },
            t('offer.showOnMap'),
          )
        : null,
      editor ? h('button', { type: 'button', id: 'offer-edit', onclick: () => void openForm(app, s.layer, s, draftOf(o, s.lngLat?.[0] ?? null, s.lngLat?.[1] ?? null)) }, t('edit.edit')) : null,
      editor && !o.valid_to ? h('button', { type: 'button', id: 'offer-close-start', onclick: () => drawClose(app, s) }, t('edit.close')) : null,
      h('button', { type: 'button', onclick: () => offerDialog.close() }, t('dialog.close')),
    ),
  );
}

/** Flies to an offer and shows its layer. */
export function showOnMap(app: App, layer: string, at: [number, number]): void {
  if (!app.state.offers.includes(layer)) app.update({ offers: [...app.state.offers, layer] }, 'replace');
  app.amap.map.flyTo({ center: at, zoom: Math.max(app.amap.map.getZoom(), 15) });
}

function providerLabel(v: string): string {
  return (providerTypes as readonly string[]).includes(v) ? t(`provider.${v}` as MessageKey) : v;
}

/** The goal vocabulary: the keys the counts by goal know (the catalog's), plus the offer's own. */
async function goalVocabulary(app: App, layer: string, have: string[]): Promise<string[]> {
  const top = app.levels[0]?.id;
  let keys: string[] = [];
  if (top) {
    try {
      keys = (await api.offerCounts(top, { layer, by: 'goal' })).keys.filter((k) => k !== '(none)');
    } catch {
      // the form still takes the offer's own goals
    }
  }
  return [...new Set([...keys, ...have])];
}

async function openForm(app: App, layer: string, editing: Shown | null, draft: OfferDraft): Promise<void> {
  const goals = await goalVocabulary(app, layer, draft.goals);
  drawForm(app, layer, editing, draft, goals, {}, null);
  if (!offerDialog.open) offerDialog.showModal();
  offerDialog.querySelector<HTMLElement>('#offer-f-name')?.focus();
}

const fieldErrors: Record<FieldError, MessageKey> = {
  required: 'form.err.required',
  number: 'form.err.number',
  range: 'form.err.range',
  order: 'form.err.order',
  exclusive: 'form.err.exclusive',
  language: 'form.err.language',
  date: 'form.err.date',
  place: 'form.err.place',
};

function drawForm(
  app: App,
  layer: string,
  editing: Shown | null,
  draft: OfferDraft,
  goals: string[],
  errors: Partial<Record<keyof OfferDraft, FieldError>>,
  serverError: string | null,
): void {
  const layerName = app.layers.find((l) => l.id === layer)?.name ?? layer;
  const err = (k: keyof OfferDraft) => (errors[k] ? h('span', { className: 'error small block', id: `offer-f-${k}-err` }, t(fieldErrors[errors[k]!])) : null);
  const aria = (k: keyof OfferDraft) => (errors[k] ? { 'aria-invalid': 'true', 'aria-describedby': `offer-f-${k}-err` } : {});
  const input = (k: keyof OfferDraft, type = 'text', extra: Record<string, string | number | boolean> = {}) =>
    h(
      'div',
      { className: 'form-row' },
      h('label', { for: `offer-f-${k}` }, t(`offer.f.${k}` as MessageKey)),
      h('input', { type, id: `offer-f-${k}`, name: k, value: String(draft[k] ?? ''), ...aria(k), ...extra }),
      err(k),
    );
  const area = (k: keyof OfferDraft) =>
    h(
      'div',
      { className: 'form-row' },
      h('label', { for: `offer-f-${k}` }, t(`offer.f.${k}` as MessageKey)),
      h('textarea', { id: `offer-f-${k}`, name: k, rows: 2, ...aria(k) }, String(draft[k] ?? '')),
      err(k),
    );
  const checks = (k: 'household_types' | 'conditions' | 'goals', options: readonly string[], label: (v: string) => string) =>
    h(
      'fieldset',
      { className: 'checks', id: `offer-f-${k}`, ...aria(k) },
      h('legend', {}, t(`offer.f.${k}` as MessageKey)),
      options.map((v) =>
        h('label', {}, h('input', { type: 'checkbox', name: k, value: v, checked: (draft[k] as string[]).includes(v) }), ` ${label(v)}`),
      ),
      err(k),
    );
  const providerOptions = [...providerTypes, ...(draft.provider_type && !(providerTypes as readonly string[]).includes(draft.provider_type) ? [draft.provider_type] : [])];
  const submit = (e: Event) => {
    e.preventDefault();
    const next = readForm(draft);
    const errs = validateOffer(next);
    if (Object.keys(errs).length) {
      drawForm(app, layer, editing, next, goals, errs, null);
      const first = Object.keys(errs)[0];
      offerDialog.querySelector<HTMLElement>(`#offer-f-${first}`)?.focus();
      return;
    }
    void save(app, layer, editing, next, goals);
  };
  fill(
    offerDialog,
    h('h2', { id: 'offer-title', tabindex: -1 }, editing ? t('edit.editTitle', { name: editing.offer?.name ?? '' }) : t('edit.addTitle', { layer: layerName })),
    h('p', { className: 'muted small' }, t('edit.formHelp')),
    serverError ? h('p', { className: 'error', id: 'offer-server-error', role: 'alert', tabindex: -1 }, t('edit.serverError', { detail: serverError })) : null,
    h(
      'form',
      { id: 'offer-form', className: 'offer-form', novalidate: true, onsubmit: submit },
      input('name', 'text', { required: true, 'aria-required': 'true' }),
      h('div', { className: 'form-pair' }, input('category'), input('subcategory')),
      h('div', { className: 'form-pair' }, input('provider'),
        h(
          'div',
          { className: 'form-row' },
          h('label', { for: 'offer-f-provider_type' }, t('offer.f.provider_type')),
          h(
            'select',
            { id: 'offer-f-provider_type', name: 'provider_type' },
            h('option', { value: '', selected: !draft.provider_type }, t('offer.unknown')),
            providerOptions.map((v) => h('option', { value: v, selected: v === draft.provider_type }, providerLabel(v))),
          ),
        ),
      ),
      h('div', { className: 'form-pair' }, input('address'), input('capacity', 'number', { min: 0, step: 1 })),
      h('div', { className: 'form-pair' }, input('age_min', 'number', { min: 0, max: 130, step: 1 }), input('age_max', 'number', { min: 0, max: 130, step: 1 })),
      checks('household_types', householdTypes, (v) => t(`household.${v}` as MessageKey)),
      input('target_groups'),
      checks('conditions', conditionTypes, (v) => t(`condition.${v}` as MessageKey)),
      area('conditions_note'),
      checks('goals', goals, (v) => v),
      h('div', { className: 'form-pair' }, input('languages'),
        h(
          'div',
          { className: 'form-row' },
          h('label', { for: 'offer-f-barrier_free' }, t('offer.f.barrier_free')),
          h(
            'select',
            { id: 'offer-f-barrier_free', name: 'barrier_free' },
            h('option', { value: '', selected: draft.barrier_free === '' }, t('offer.unknown')),
            h('option', { value: 'true', selected: draft.barrier_free === 'true' }, t('offer.yes')),
            h('option', { value: 'false', selected: draft.barrier_free === 'false' }, t('offer.no')),
          ),
        ),
      ),
      area('opening_hours'),
      area('contact'),
      h('div', { className: 'form-pair' }, input('valid_from', 'date'), input('valid_to', 'date')),
      h('div', { className: 'form-pair' }, input('lon', 'text', { inputmode: 'decimal' }), input('lat', 'text', { inputmode: 'decimal' })),
      h(
        'div',
        { className: 'panel-actions' },
        h('button', { type: 'submit', id: 'offer-save' }, t('edit.save')),
        h('button', { type: 'button', onclick: () => (editing ? drawDetails(app, editing) : offerDialog.close()) }, t('edit.cancel')),
      ),
    ),
  );
}

/** The form's values as a draft (the place is kept when the fields were left alone). */
function readForm(before: OfferDraft): OfferDraft {
  const form = byId<HTMLFormElement>('offer-form');
  const val = (k: string) => (form.elements.namedItem(k) as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | null)?.value ?? '';
  const checked = (k: string) => [...form.querySelectorAll<HTMLInputElement>(`input[name="${k}"]:checked`)].map((i) => i.value);
  return {
    ...before,
    name: val('name'),
    category: val('category'),
    subcategory: val('subcategory'),
    provider: val('provider'),
    provider_type: val('provider_type'),
    capacity: val('capacity'),
    address: val('address'),
    target_groups: val('target_groups'),
    age_min: val('age_min'),
    age_max: val('age_max'),
    household_types: checked('household_types'),
    conditions: checked('conditions'),
    conditions_note: val('conditions_note'),
    goals: checked('goals'),
    languages: val('languages'),
    barrier_free: val('barrier_free') as OfferDraft['barrier_free'],
    opening_hours: val('opening_hours'),
    contact: val('contact'),
    valid_from: val('valid_from'),
    valid_to: val('valid_to'),
    lon: val('lon'),
    lat: val('lat'),
  };
}

async function save(app: App, layer: string, editing: Shown | null, draft: OfferDraft, goals: string[]): Promise<void> {
  const btn = byId<HTMLButtonElement>('offer-save');
  btn.disabled = true;
  btn.textContent = t('edit.saving');
  try {
    let res: OfferChange;
    if (editing) {
      const before = draftOf(editing.offer, editing.lngLat?.[0] ?? null, editing.lngLat?.[1] ?? null);
      const patch = offerPatch(before, draft);
      res = await api.updateOffer(layer, editing.offer!.id, patch);
    } else {
      res = await api.createOffer(layer, createBody(draft));
    }
    written(app, layer, res);
  } catch (e) {
    drawForm(app, layer, editing, draft, goals, {}, e instanceof ApiError ? e.detail : String(e));
    offerDialog.querySelector<HTMLElement>('#offer-server-error')?.focus();
  }
}

function drawClose(app: App, s: Shown): void {
  const today = new Date().toISOString().slice(0, 10);
  const submit = async (e: Event) => {
    e.preventDefault();
    const validTo = byId<HTMLInputElement>('close-valid-to').value;
    const reason = byId<HTMLTextAreaElement>('close-reason').value.trim();
    try {
      const res = await api.closeOffer(s.layer, s.offer!.id, { ...(validTo ? { valid_to: validTo } : {}), ...(reason ? { reason } : {}) });
      written(app, s.layer, res);
    } catch (err) {
      const el = byId('close-error');
      el.hidden = false;
      el.textContent = t('edit.serverError', { detail: err instanceof ApiError ? err.detail : String(err) });
      el.focus();
    }
  };
  fill(
    offerDialog,
    h('h2', { id: 'offer-title', tabindex: -1 }, t('edit.closeTitle', { name: s.offer?.name ?? '' })),
    h('p', { className: 'small' }, t('edit.closeHelp')),
    h(
      'form',
      { id: 'close-form', onsubmit: (e: Event) => void submit(e) },
      h('div', { className: 'form-row' }, h('label', { for: 'close-valid-to' }, t('edit.closeDate')), h('input', { type: 'date', id: 'close-valid-to', value: today })),
      h('div', { className: 'form-row' }, h('label', { for: 'close-reason' }, t('edit.closeReason')), h('textarea', { id: 'close-reason', rows: 2, maxlength: 500 })),
      h('p', { className: 'error', id: 'close-error', role: 'alert', tabindex: -1, hidden: true }),
      h(
        'div',
        { className: 'panel-actions' },
        h('button', { type: 'submit', id: 'offer-close-confirm' }, t('edit.closeConfirm')),
        h('button', { type: 'button', onclick: () => drawDetails(app, s) }, t('edit.cancel')),
      ),
    ),
  );
  byId('close-valid-to').focus();
}

/** After a write: the server's answer in the dialog, and the map, inventory and values read again. */
function written(app: App, layer: string, res: OfferChange): void {
  app.amap.setMarker(null);
  app.amap.refreshOffers(layer);
  if (!app.state.offers.includes(layer)) app.update({ offers: [...app.state.offers, layer] }, 'replace');
  forgetTargets();
  invalidateInventory();
  // The layer's offer count and indicators changed (they were computed again): read them again.
  void app.reloadCatalog().then(() => renderInventory(app));
  const o = res.offer;
  const at: [number, number] = [o.lon, o.lat];
  fill(
    offerDialog,
    h('h2', { id: 'offer-title', tabindex: -1 }, t(`edit.done.${res.action}` as MessageKey)),
    h(
      'div',
      { id: 'offer-result', role: 'status', 'data-offer-id': o.id, 'data-action': res.action },
      h('p', {}, t('edit.result', { name: o.name, id: o.id })),
      h('p', { className: 'small' }, res.changed.length ? t('edit.changed', { fields: res.changed.join(', ') }) : t('edit.unchanged')),
      res.import_id ? h('p', { className: 'small muted' }, t('edit.logged', { n: res.import_id })) : null,
    ),
    h(
      'div',
      { className: 'panel-actions' },
      h('button', { type: 'button', id: 'offer-result-details', onclick: () => drawDetails(app, { layer, offer: o, lngLat: at }) }, t('edit.details')),
      h('button', { type: 'button', id: 'offer-result-ok', onclick: () => offerDialog.close() }, t('dialog.close')),
    ),
  );
  offerDialog.querySelector<HTMLElement>('#offer-title')?.focus();
  app.announce(t('edit.result', { name: o.name, id: o.id }));
}
