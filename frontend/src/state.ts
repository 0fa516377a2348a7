// The whole view lives in the URL's query, so that a shared link restores
// it exactly: indicator, level, date, classification, what the map shows,
// position, the selected unit, the comparison, offer layers and filters,
// the gap view (need, supply and their cut-offs), the open tab and the
// language. parseState accepts anything a person
// might paste and drops what is malformed; serializeState writes only what
// differs from the defaults, in a fixed order.

import type { Lang } from './format';

export const methods = ['quantile', 'equal_interval', 'jenks', 'stddev'] as const;
export type Method = (typeof methods)[number];
export type Mode = 'classes' | 'lisa' | 'gap';
export const tabs = ['indicators', 'offers', 'inventory', 'gaps', 'ranking', 'compare', 'analysis'] as const;
export type Tab = (typeof tabs)[number];

export interface ViewState {
  indicator: string | null;
  level: string | null;
  /** YYYY-MM-DD; null: the indicator's latest. */
  date: string | null;
  /** Classification; null: the indicator's default. */
  method: Method | null;
  k: number | null;
  scheme: string | null;
  mode: Mode;
  /** Map position; null: the level's extent. */
  center: [number, number] | null;
  zoom: number | null;
  /** Selected unit (code) at the level. */
  unit: string | null;
  /** Units to compare (codes at the level), at most 5. */
  compare: string[];
  offers: string[];
  category: string | null;
  provider: string | null;
  /** Gap view: need and supply indicators; null: the catalog's first pair. */
  gapNeed: string | null;
  gapSupply: string | null;
  /** Two cut-offs each (a < b); null: the pair's or the terciles. */
  gapNeedBreaks: [number, number] | null;
  gapSupplyBreaks: [number, number] | null;
  tab: Tab;
  lang: Lang;
}

export const maxCompare = 5;

export function defaultState(): ViewState {
  return {
    indicator: null, level: null, date: null, method: null, k: null, scheme: null, mode: 'classes',
    center: null, zoom: null, unit: null, compare: [], offers: [], category: null, provider: null,
    gapNeed: null, gapSupply: null, gapNeedBreaks: null, gapSupplyBreaks: null,
    tab: 'indicators', lang: 'de',
  };
}

const idRe = /^[a-z][a-z0-9_-]{0,62}$/;
const dateRe = /^\d{4}-\d{2}-\d{2}$/;
const schemeRe = /^[A-Za-z]{2,12}$/;
// Unit codes are the data's own (digits in Berlin, anything printable
// elsewhere); commas separate them in the URL, so they cannot hold one.
const codeRe = /^[^,\s]{1,64}$/;

function id(v: string | null): string | null {
  return v !== null && idRe.test(v) ? v : null;
}

function list(v: string | null, ok: (s: string) => boolean, max: number): string[] {
  if (!v) return [];
  const out: string[] = [];
  for (const s of v.split(',')) {
    const t = s.trim();
    if (t && ok(t) && !out.includes(t)) out.push(t);
  }
  return out.slice(0, max);
}

/** Two increasing finite cut-offs "a,b", or null. */
export function parseBreaks(v: string | null): [number, number] | null {
  if (!v) return null;
  const parts = v.split(',');
  if (parts.length !== 2 || parts.some((p) => p.trim() === '')) return null;
  const [a, b] = parts.map(Number) as [number, number];
  return Number.isFinite(a) && Number.isFinite(b) && a < b ? [a, b] : null;
}

/** Reads a view from a URL query ("?i=…&l=…"); what is missing or malformed takes its default. */
export function parseState(search: string): ViewState {
  const q = new URLSearchParams(search);
  const s = defaultState();
  s.indicator = id(q.get('i'));
  s.level = id(q.get('l'));
  const d = q.get('d');
  s.date = d && dateRe.test(d) ? d : null;
  const m = q.get('m');
  s.method = m && (methods as readonly string[]).includes(m) ? (m as Method) : null;
  const k = Number(q.get('k'));
  s.k = s.method && Number.isInteger(k) && k >= 2 && k <= 12 ? k : null;
  const sc = q.get('s');
  s.scheme = sc && schemeRe.test(sc) ? sc : null;
  const v = q.get('v');
  s.mode = v === 'lisa' || v === 'gap' ? v : 'classes';
  const p = (q.get('p') ?? '').split(',').map(Number);
  if (p.length === 3 && p.every(Number.isFinite)) {
    const [lng, lat, z] = p as [number, number, number];
    if (Math.abs(lng) <= 180 && Math.abs(lat) <= 85.06 && z >= 0 && z <= 22) {
      s.center = [lng, lat];
      s.zoom = z;
    }
  }
  const u = q.get('u');
  s.unit = u && codeRe.test(u) ? u : null;
  s.compare = list(q.get('c'), (c) => codeRe.test(c), maxCompare);
  s.offers = list(q.get('o'), (c) => idRe.test(c), 20);
  const cat = q.get('oc');
  s.category = cat && cat.length <= 200 ? cat : null;
  const prov = q.get('op');
  s.provider = prov && prov.length <= 200 ? prov : null;
  s.gapNeed = id(q.get('gn'));
  s.gapSupply = id(q.get('gs'));
  s.gapNeedBreaks = parseBreaks(q.get('gnb'));
  s.gapSupplyBreaks = parseBreaks(q.get('gsb'));
  const tab = q.get('t');
  s.tab = tab && (tabs as readonly string[]).includes(tab) ? (tab as Tab) : 'indicators';
  s.lang = q.get('lang') === 'en' ? 'en' : 'de';
  return s;
}

/** Rounds a position so that URLs stay short but restore the view to well under a pixel. */
export function roundPosition(center: [number, number], zoom: number): { center: [number, number]; zoom: number } {
  const r = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;
  return { center: [r(center[0], 5), r(center[1], 5)], zoom: r(zoom, 2) };
}

/** Writes a view as a URL query, starting with "?" (or "" for the default view). */
export function serializeState(s: ViewState): string {
  const q: [string, string][] = [];
  const add = (k: string, v: string | null | undefined) => {
    if (v !== null && v !== undefined && v !== '') q.push([k, v]);
  };
  add('i', s.indicator);
  add('l', s.level);
  add('d', s.date);
  add('m', s.method);
  if (s.method && s.k !== null) add('k', String(s.k));
  add('s', s.scheme);
  if (s.mode !== 'classes') add('v', s.mode);
  if (s.center && s.zoom !== null) {
    const p = roundPosition(s.center, s.zoom);
    add('p', `${p.center[0]},${p.center[1]},${p.zoom}`);
  }
  add('u', s.unit);
  if (s.compare.length) add('c', s.compare.join(','));
  if (s.offers.length) add('o', s.offers.join(','));
  add('oc', s.category);
  add('op', s.provider);
  add('gn', s.gapNeed);
  add('gs', s.gapSupply);
  if (s.gapNeedBreaks) add('gnb', s.gapNeedBreaks.join(','));
  if (s.gapSupplyBreaks) add('gsb', s.gapSupplyBreaks.join(','));
  if (s.tab !== 'indicators') add('t', s.tab);
  if (s.lang !== 'de') add('lang', s.lang);
  if (!q.length) return '';
  // Commas and slashes stay readable: URLSearchParams would escape them.
  return '?' + q.map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%2C/g, ',').replace(/%2F/g, '/')}`).join('&');
}
