// The offer inventory without the page: the filters of the offers list as
// a query, and the editor's form as the API's OfferInput (a new offer's
// body, or a JSON merge patch of what changed). The server checks
// everything again; the checks here only catch typing slips early.

import type { OfferProps, Query } from './api';

export const householdTypes = ['single', 'couple', 'family', 'single_parent'] as const;
export const conditionTypes = ['sgb2_receipt', 'residence_in_area', 'referral_needed', 'free_of_charge', 'fee'] as const;
export const providerTypes = ['municipal', 'non_profit', 'private'] as const;
export const barrierFree = ['true', 'false', 'unknown'] as const;

/** What the inventory's search and filters say; '' is "any". */
export interface InventoryFilter {
  q: string;
  category: string;
  provider_type: string;
  goal: string;
  target_group: string;
  household_type: string;
  condition: string;
  age: string;
  barrier_free: string;
  date: string;
}

export function emptyFilter(): InventoryFilter {
  return { q: '', category: '', provider_type: '', goal: '', target_group: '', household_type: '', condition: '', age: '', barrier_free: '', date: '' };
}

/**
 * The query of the offers list, its exports and the counts for a filter:
 * empty filters left out, the search trimmed and cut to the API's 200
 * characters, an age only when it is a whole number from 0 to 130, a date
 * only as YYYY-MM-DD.
 */
export function inventoryQuery(f: InventoryFilter): Query {
  const q: Query = {};
  const text = f.q.trim().slice(0, 200);
  if (text) q['q'] = text;
  for (const k of ['category', 'provider_type', 'goal', 'target_group', 'household_type', 'condition'] as const) {
    if (f[k]) q[k] = f[k];
  }
  const age = f.age.trim();
  if (/^\d{1,3}$/.test(age) && Number(age) <= 130) q['age'] = Number(age);
  if ((barrierFree as readonly string[]).includes(f.barrier_free)) q['barrier_free'] = f.barrier_free;
  if (/^\d{4}-\d{2}-\d{2}$/.test(f.date)) q['date'] = f.date;
  return q;
}

/** The editor's form: every field as typed (lists as checkboxes or comma-separated text). */
export interface OfferDraft {
  name: string;
  category: string;
  subcategory: string;
  provider: string;
  provider_type: string;
  capacity: string;
  address: string;
  target_groups: string;
  age_min: string;
  age_max: string;
  household_types: string[];
  conditions: string[];
  conditions_note: string;
  goals: string[];
  languages: string;
  barrier_free: '' | 'true' | 'false';
  opening_hours: string;
  contact: string;
  valid_from: string;
  valid_to: string;
  lon: string;
  lat: string;
}

/** The fields the API takes (OfferInput), null where a field is empty. */
export interface OfferInput {
  name: string | null;
  category: string | null;
  subcategory: string | null;
  provider: string | null;
  provider_type: string | null;
  capacity: number | null;
  address: string | null;
  target_groups: string[] | null;
  age_min: number | null;
  age_max: number | null;
  household_types: string[] | null;
  conditions: string[] | null;
  conditions_note: string | null;
  goals: string[] | null;
  languages: string[] | null;
  barrier_free: boolean | null;
  opening_hours: string | null;
  contact: string | null;
  valid_from: string | null;
  valid_to: string | null;
  lon: number | null;
  lat: number | null;
}

const listFields = ['target_groups', 'household_types', 'conditions', 'goals', 'languages'] as const;

/**
 * An offer of the offers list with its lists as arrays: the list's GeoJSON
 * (and its exports) write them comma-separated, a write's answer as arrays.
 */
export function normalizeOffer(p: Record<string, unknown>): OfferProps {
  const out: Record<string, unknown> = { ...p };
  for (const k of listFields) {
    const v = p[k];
    if (typeof v === 'string') {
      const items = v.split(',').map((x) => x.trim()).filter(Boolean);
      out[k] = items.length ? items : null;
    }
  }
  return out as OfferProps;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const arr = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** A form for a new offer at a point, or for an offer as the API gave it. */
export function draftOf(o: Partial<OfferProps> | null, lon: number | null, lat: number | null): OfferDraft {
  const p = o ?? {};
  return {
    name: str(p.name),
    category: str(p.category),
    subcategory: str(p.subcategory),
    provider: str(p.provider),
    provider_type: str(p.provider_type),
    capacity: str(p.capacity),
    address: str(p.address),
    target_groups: arr(p.target_groups).join(', '),
    age_min: str(p.age_min),
    age_max: str(p.age_max),
    household_types: arr(p.household_types),
    conditions: arr(p.conditions),
    conditions_note: str(p.conditions_note),
    goals: arr(p.goals),
    languages: arr(p.languages).join(', '),
    barrier_free: p.barrier_free === true ? 'true' : p.barrier_free === false ? 'false' : '',
    opening_hours: str(p.opening_hours),
    contact: str(p.contact),
    valid_from: str(p.valid_from),
    valid_to: str(p.valid_to),
    lon: lon === null ? '' : String(lon),
    lat: lat === null ? '' : String(lat),
  };
}

const list = (s: string): string[] | null => {
  const items = s.split(/[,;]/).map((x) => x.trim()).filter(Boolean);
  return items.length ? [...new Set(items)] : null;
};
const text = (s: string): string | null => (s.trim() ? s.trim() : null);
const int = (s: string): number | null => (s.trim() === '' ? null : Number(s.trim()));
const dec = (s: string): number | null => (s.trim() === '' ? null : Number(s.trim().replace(',', '.')));

/** The form as OfferInput (what the checks and the requests use). */
export function inputOf(d: OfferDraft): OfferInput {
  return {
    name: text(d.name),
    category: text(d.category),
    subcategory: text(d.subcategory),
    provider: text(d.provider),
    provider_type: text(d.provider_type),
    capacity: int(d.capacity),
    address: text(d.address),
    target_groups: list(d.target_groups),
    age_min: int(d.age_min),
    age_max: int(d.age_max),
    household_types: d.household_types.length ? [...d.household_types] : null,
    conditions: d.conditions.length ? [...d.conditions] : null,
    conditions_note: text(d.conditions_note),
    goals: d.goals.length ? [...d.goals] : null,
    languages: list(d.languages.toLowerCase()),
    barrier_free: d.barrier_free === 'true' ? true : d.barrier_free === 'false' ? false : null,
    opening_hours: text(d.opening_hours),
    contact: text(d.contact),
    valid_from: text(d.valid_from),
    valid_to: text(d.valid_to),
    lon: dec(d.lon),
    lat: dec(d.lat),
  };
}

export type FieldError = 'required' | 'number' | 'range' | 'order' | 'exclusive' | 'language' | 'date' | 'place';

const dateRe = /^\d{4}-\d{2}-\d{2}$/;
const langRe = /^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

/** Light checks before sending: a name, numbers where numbers go, sane ranges, a place. */
export function validateOffer(d: OfferDraft): Partial<Record<keyof OfferDraft, FieldError>> {
  const e: Partial<Record<keyof OfferDraft, FieldError>> = {};
  const v = inputOf(d);
  if (!v.name) e.name = 'required';
  const whole = (k: 'capacity' | 'age_min' | 'age_max', max: number) => {
    const n = v[k];
    if (n === null) return;
    if (!Number.isInteger(n)) e[k] = 'number';
    else if (n < 0 || n > max) e[k] = 'range';
  };
  whole('capacity', 1_000_000);
  whole('age_min', 130);
  whole('age_max', 130);
  if (!e.age_min && !e.age_max && v.age_min !== null && v.age_max !== null && v.age_min > v.age_max) e.age_max = 'order';
  if (v.conditions?.includes('free_of_charge') && v.conditions.includes('fee')) e.conditions = 'exclusive';
  if (v.languages?.some((l) => !langRe.test(l))) e.languages = 'language';
  for (const k of ['valid_from', 'valid_to'] as const) if (v[k] !== null && !dateRe.test(v[k]!)) e[k] = 'date';
  if (!e.valid_from && !e.valid_to && v.valid_from && v.valid_to && v.valid_from > v.valid_to) e.valid_to = 'order';
  if (v.lon === null || v.lat === null) e.lon = 'place';
  else if (!Number.isFinite(v.lon) || !Number.isFinite(v.lat) || Math.abs(v.lon) > 180 || Math.abs(v.lat) > 90) e.lon = 'place';
  return e;
}

/** The body of a new offer: the fields given, empty ones left out. */
export function createBody(d: OfferDraft): Partial<OfferInput> {
  const out: Partial<OfferInput> = {};
  for (const [k, v] of Object.entries(inputOf(d)) as [keyof OfferInput, OfferInput[keyof OfferInput]][]) {
    if (v !== null) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * A JSON merge patch (RFC 7396) from the offer as it was to the form as it
 * is: only the fields that changed, null for a field emptied. The place is
 * sent (both coordinates) only when it moved. A publisher's own provider
 * type, which the vocabulary check would refuse, is thus sent only when an
 * editor changes it.
 */
export function offerPatch(before: OfferDraft, after: OfferDraft): Partial<OfferInput> {
  const a = inputOf(before);
  const b = inputOf(after);
  const out: Partial<OfferInput> = {};
  for (const k of Object.keys(b) as (keyof OfferInput)[]) {
    if (k === 'lon' || k === 'lat') continue;
    if (!same(a[k], b[k])) (out as Record<string, unknown>)[k] = b[k];
  }
  if (!same(a.lon, b.lon) || !same(a.lat, b.lat)) {
    out.lon = b.lon;
    out.lat = b.lat;
  }
  return out;
}
