// The sozialatlas REST API (openapi.yaml), typed as far as the app reads it.
// GET answers are kept for a few minutes per URL, so that going back to an
// indicator, date or classification costs no request; the server answers
// repeated requests from its own cache as well.

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
    res = await fetch(url, { headers: { Accept: 'application/json' } });
  } catch (e) {
    throw new ApiError(0, e instanceof Error ? e.message : String(e));
  }
  if (!res.ok) {
    let detail = res.statusText;
    try {
      const p = (await res.json()) as { detail?: string; title?: string };
      detail = p.detail ?? p.title ?? detail;
    } catch {
      // not a problem document: keep the status text
    }
    throw new ApiError(res.status, detail);
  }
  return (await res.json()) as T;
}

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
  /** One unit with its geometry (OGC API Features), to zoom to it. */
  unitFeature: (level: string, code: string) =>
    getJSON<{ geometry: { type: string; coordinates: unknown } }>(
      `/ogc/collections/${encodeURIComponent(level)}/items/${encodeURIComponent(code)}`,
    ),
};
