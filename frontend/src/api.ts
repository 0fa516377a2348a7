// The sozialatlas REST API (openapi.yaml), typed as far as the app reads it.
// GET answers are kept for a few minutes per URL, so that going back to an
// indicator, date or classification costs no request; the server answers
// repeated requests from its own cache as well. A signed-in person's token
// goes with every request (src/auth.ts); signing in or out, and every
// write, empties the kept answers.

import { authHeaders } from './auth';
import { normalizeOffer } from './inventory';

export type Status = 'ok' | 'suppressed' | 'missing';
export type Polarity = 'higher_worse' | 'higher_better' | 'neutral';

export interface Level {
  id: string;
  name: string;
  parent?: string;
  description?: string;
  source?: string;
  licence?: string;
  attribution?: string;
  units: number;
}

export interface Classification {
  method: string;
  k?: number;
  cutoffs?: number[];
  labels?: string[];
  scheme: string;
}

export interface Indicator {
  id: string;
  name: string;
  unit: string;
  description?: string;
  topic?: string;
  source?: string;
  licence?: string;
  attribution?: string;
  polarity: Polarity;
  precision: number;
  visibility: string;
  interval?: string;
  computed: boolean;
  levels: string[];
  dates: string[];
  classification: Classification;
}

export interface Legend {
  method: string;
  breaks: number[];
  counts: number[];
  labels: string[];
  colors: string[];
  scheme: string;
  min: number;
  max: number;
}

export interface ValueRow {
  code: string;
  name: string;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  status: Status;
  class: string | null;
}

export interface IndicatorValues {
  indicator: string;
  level: string;
  date: string;
  unit: string;
  classification: Legend | null;
  values: ValueRow[];
}

export interface Breaks {
  indicator: string;
  level: string;
  date: string;
  unit: string;
  n: number;
  classification: Legend | null;
  note?: string;
}

export interface CityValue {
  value: number | null;
  source: 'sum' | 'top_level' | 'none';
  note: string;
}

export interface Statistics {
  indicator: string;
  level: string;
  date: string;
  unit: string;
  n: number;
  suppressed: number;
  missing: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  median: number | null;
  city: CityValue;
}

export interface RankedUnit {
  rank: number | null;
  code: string;
  name: string;
  value: number | null;
  status: Status;
}

export interface Ranking {
  indicator: string;
  level: string;
  date: string;
  unit: string;
  order: 'desc' | 'asc';
  ranked: number;
  unranked: number;
  units: RankedUnit[];
}

export interface Comparison {
  indicator: string;
  level: string;
  date: string;
  unit: string;
  ranked: number;
  city: CityValue;
  units: { code: string; name: string; value: number | null; status: Status; rank: number | null; difference: number | null }[];
}

export interface DatedValue {
  value: number | null;
  status: Status;
}

export interface Change {
  indicator: string;
  level: string;
  from: string;
  to: string;
  unit: string;
  relative: 'percentage_points' | 'percent';
  units: { code: string; name: string; from: DatedValue; to: DatedValue; absolute: number | null; relative: number | null }[];
}

export interface Inference {
  variance: number | null;
  z: number | null;
  p: number | null;
}

export interface Moran {
  indicator: string;
  level: string;
  date: string;
  n: number;
  excluded: number;
  islands: number;
  i: number;
  expected: number;
  normality: Inference;
  randomisation: Inference;
  permutations: number;
  permutation: { mean: number | null; variance: number | null; z: number | null; p: number | null } | null;
  note: string;
}

export interface Lisa {
  indicator: string;
  level: string;
  date: string;
  n: number;
  islands: number;
  permutations: number;
  alpha: number;
  clusters: Record<'HH' | 'LL' | 'HL' | 'LH' | 'not_significant', number>;
  units: { code: string; name: string; value: number; cluster: 'HH' | 'LL' | 'HL' | 'LH' | 'not_significant'; p: number | null }[];
  excluded: { code: string; status: Status }[];
  note: string;
}

export interface SeriesValue {
  date: string;
  value: number | null;
  status: Status;
}

export interface UnitSeries {
  level: string;
  code: string;
  name: string;
  indicators: { id: string; name: string; unit: string; values: SeriesValue[] }[];
}

export interface OfferLayer {
  id: string;
  name: string;
  description?: string;
  source?: string;
  licence?: string;
  attribution?: string;
  offers: number;
}

/** An offer of the inventory as the offers list gives it (GeoJSON feature properties). */
export interface OfferProps {
  id: string;
  name: string;
  category?: string | null;
  subcategory?: string | null;
  provider?: string | null;
  provider_type?: string | null;
  capacity?: number | null;
  address?: string | null;
  target_groups?: string[] | null;
  age_min?: number | null;
  age_max?: number | null;
  household_types?: string[] | null;
  conditions?: string[] | null;
  conditions_note?: string | null;
  goals?: string[] | null;
  languages?: string[] | null;
  barrier_free?: boolean | null;
  opening_hours?: string | null;
  contact?: string | null;
  valid_from?: string | null;
  valid_to?: string | null;
  [k: string]: unknown;
}

export interface OfferFeature {
  type: 'Feature';
  id: string;
  properties: OfferProps;
  geometry: { type: 'Point'; coordinates: [number, number] };
}

export interface OfferCollection {
  type: 'FeatureCollection';
  features: OfferFeature[];
  numberMatched: number;
  numberReturned: number;
}

/** The answer to a write of an offer (create, update, close). */
export interface OfferChange {
  offer: OfferProps & { layer: string; lon: number; lat: number };
  action: 'offer_create' | 'offer_update' | 'offer_close';
  changed: string[];
  import_id: number;
}

export interface OfferCounts {
  level: string;
  by: string;
  date: string;
  layers: string[];
  keys: string[];
  note: string;
  units: { code: string; name: string; offers: number; counts: Record<string, number> }[];
  total: { offers: number; counts: Record<string, number> };
  outside: number;
}

export type GapLevel = 'low' | 'mid' | 'high';

export interface GapClass {
  key: string;
  need?: GapLevel;
  supply?: GapLevel;
  color: string;
  label: { de: string; en: string };
  count: number;
}

export interface GapSide {
  indicator: string;
  name: string;
  unit: string;
  polarity: Polarity;
  date: string;
  end: 'high' | 'low';
  reading: string;
  breaks: [number, number];
  breaks_from: 'request' | 'catalog' | 'terciles';
  n: number;
  suppressed: number;
  missing: number;
}

export interface GapValue {
  value: number | null;
  status: Status;
}

export interface GapAnalysis {
  pair?: string;
  level: string;
  need: GapSide;
  supply: GapSide;
  legend: { scheme: string; classes: GapClass[]; no_data: GapClass; suppressed: GapClass };
  areas: { code: string; name: string; need: GapValue; supply: GapValue; class: string }[];
  gaps: { rank: number; code: string; name: string; need: number; supply: number }[];
  note: string;
}

export interface UnitRef {
  level: string;
  code: string;
  name: string;
}

export interface ProfileIndicator {
  id: string;
  name: string;
  unit: string;
  topic?: string;
  polarity: Polarity;
  precision: number;
  date: string;
  value: number | null;
  status: Status;
  class: string | null;
  rank: number | null;
  ranked: number;
  city: CityValue;
  previous: { date: string; value: number | null; status: Status } | null;
  change: number | null;
  assessment: '' | 'better' | 'worse' | 'unchanged';
}

export interface UnitProfile {
  level: { id: string; name: string };
  code: string;
  name: string;
  parent: UnitRef | null;
  neighbours: UnitRef[];
  date: string | null;
  indicators: ProfileIndicator[];
  offers: {
    date: string;
    offers: number;
    by_goal: Record<string, number>;
    by_target_group: Record<string, number>;
    layers: { layer: string; name: string; offers: number; by_goal: Record<string, number>; by_target_group: Record<string, number>; by_category: Record<string, number> }[];
    note: string;
  };
  gaps: {
    pair: string;
    name?: string;
    need: string;
    supply: string;
    class: string;
    need_level?: GapLevel;
    supply_level?: GapLevel;
    gap: boolean;
    color?: string;
    label: { de: string; en: string };
    note?: string;
  }[];
  note: string;
}

export interface TargetPoint {
  date: string;
  value: number;
}

export interface Target {
  name?: string;
  value: number;
  date: string;
  direction: 'at_least' | 'at_most';
  level: string;
  code?: string;
  unit_name?: string;
  from?: string;
  series: SeriesValue[];
  progress: {
    status: 'reached' | 'on_track' | 'behind' | 'no_data';
    baseline: TargetPoint | null;
    latest: TargetPoint | null;
    expected: number | null;
    share: number | null;
  };
  note?: string;
}

export interface IndicatorTargets {
  indicator: string;
  name: string;
  unit: string;
  polarity: Polarity;
  city_level?: string;
  rule: string;
  targets: Target[];
}

export interface TileJSON {
  name: string;
  attribution?: string;
  minzoom: number;
  maxzoom: number;
  bounds: [number, number, number, number];
  center: [number, number, number];
}

export interface AppConfig {
  basemap_style: string | null;
}

/** A problem document (RFC 9457) the API answered, or a failed request. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

export type Query = Record<string, string | number | null | undefined>;

/** A path with its query; parameters that are null, undefined or "" are left out. */
export function withQuery(path: string, q: Query = {}): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    if (v !== null && v !== undefined && v !== '') parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `${path}?${parts.join('&')}` : path;
}

/** Forgets every kept answer: after signing in or out (what one sees changes) and after a write. */
export function clearCache(): void {
  cache.clear();
}

const ttl = 5 * 60 * 1000;
const maxEntries = 300;
const cache = new Map<string, { at: number; p: Promise<unknown> }>();

/** GET a JSON answer; failures are ApiErrors with the problem's detail. */
export function getJSON<T>(path: string, q: Query = {}): Promise<T> {
  const url = withQuery(path, q);
  const hit = cache.get(url);
  if (hit && Date.now() - hit.at < ttl) return hit.p as Promise<T>;
  const p = fetchJSON<T>(url);
  cache.set(url, { at: Date.now(), p });
  p.catch(() => cache.delete(url)); // a failure is not kept
  if (cache.size > maxEntries) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return p;
}

async function fetchJSON<T>(url: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { Accept: 'application/json', ...authHeaders() } });
  } catch (e) {
    throw new ApiError(0, e instanceof Error ? e.message : String(e));
  }
  if (!res.ok) throw await problem(res);
  return (await res.json()) as T;
}

/** The ApiError of a failed answer: the problem document's detail (RFC 9457), else the status text. */
async function problem(res: Response): Promise<ApiError> {
  let detail = res.statusText || String(res.status);
  try {
    const p = (await res.json()) as { detail?: string; title?: string };
    detail = p.detail ?? p.title ?? detail;
  } catch {
    // not a problem document: keep the status text
  }
  return new ApiError(res.status, detail);
}

/** A write (POST, PATCH) with a JSON body and the signed-in person's token; kept answers are dropped. */
export async function send<T>(method: 'POST' | 'PATCH', path: string, body: unknown, contentType = 'application/json'): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { Accept: 'application/json', 'Content-Type': contentType, ...authHeaders() },
      body: JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, e instanceof Error ? e.message : String(e));
  }
  if (!res.ok) throw await problem(res);
  clearCache();
  return (await res.json()) as T;
}

const layerPath = (layer: string) => `/api/v1/layers/${encodeURIComponent(layer)}/offers`;

export const api = {
  config: () => getJSON<AppConfig>('/app/config.json'),
  levels: () => getJSON<Level[]>('/api/v1/levels'),
  indicators: () => getJSON<Indicator[]>('/api/v1/indicators'),
  layers: () => getJSON<OfferLayer[]>('/api/v1/layers'),
  tileJSON: (tileset: string) => getJSON<TileJSON>(`/tiles/${encodeURIComponent(tileset)}.json`),
  values: (id: string, q: Query) => getJSON<IndicatorValues>(`/api/v1/indicators/${encodeURIComponent(id)}/values`, q),
  breaks: (id: string, q: Query) => getJSON<Breaks>(`/api/v1/indicators/${encodeURIComponent(id)}/breaks`, q),
  statistics: (id: string, q: Query) => getJSON<Statistics>(`/api/v1/indicators/${encodeURIComponent(id)}/statistics`, q),
  ranking: (id: string, q: Query) => getJSON<Ranking>(`/api/v1/indicators/${encodeURIComponent(id)}/ranking`, { limit: 10000, ...q }),
  compare: (id: string, q: Query) => getJSON<Comparison>(`/api/v1/indicators/${encodeURIComponent(id)}/compare`, q),
  change: (id: string, q: Query) => getJSON<Change>(`/api/v1/indicators/${encodeURIComponent(id)}/change`, q),
  moran: (id: string, q: Query) => getJSON<Moran>(`/api/v1/indicators/${encodeURIComponent(id)}/moran`, q),
  lisa: (id: string, q: Query) => getJSON<Lisa>(`/api/v1/indicators/${encodeURIComponent(id)}/lisa`, q),
  series: (level: string, code: string, q: Query = {}) =>
    getJSON<UnitSeries>(`/api/v1/levels/${encodeURIComponent(level)}/units/${encodeURIComponent(code)}/series`, q),
  /** A layer's offers; list fields (goals, target groups, …) come comma-separated and are made arrays. */
  offers: (layer: string, q: Query) =>
    getJSON<OfferCollection>(layerPath(layer), q).then((c) => ({
      ...c,
      features: c.features.map((f) => ({ ...f, properties: normalizeOffer(f.properties) })),
    })),
  offerCounts: (level: string, q: Query) => getJSON<OfferCounts>(`/api/v1/levels/${encodeURIComponent(level)}/offer-counts`, q),
  gaps: (q: Query) => getJSON<GapAnalysis>('/api/v1/gaps', q),
  profile: (level: string, code: string, q: Query = {}) =>
    getJSON<UnitProfile>(`/api/v1/levels/${encodeURIComponent(level)}/units/${encodeURIComponent(code)}/profile`, q),
  targets: (id: string) => getJSON<IndicatorTargets>(`/api/v1/indicators/${encodeURIComponent(id)}/targets`),
  createOffer: (layer: string, body: unknown) => send<OfferChange>('POST', layerPath(layer), body),
  updateOffer: (layer: string, id: string, patch: unknown) =>
    send<OfferChange>('PATCH', `${layerPath(layer)}/${encodeURIComponent(id)}`, patch, 'application/merge-patch+json'),
  closeOffer: (layer: string, id: string, body: unknown) => send<OfferChange>('POST', `${layerPath(layer)}/${encodeURIComponent(id)}/close`, body),
  /** One unit with its geometry (OGC API Features), to zoom to it. */
  unitFeature: (level: string, code: string) =>
    getJSON<{ geometry: { type: string; coordinates: unknown } }>(
      `/ogc/collections/${encodeURIComponent(level)}/items/${encodeURIComponent(code)}`,
    ),
};
