// The map: MapLibre GL JS with one vector source per level (the server's
// geometry tiles without parameters) and one per offer layer. Indicator
// values never travel in tiles: they are joined by feature-state, keyed by
// the unit's code (the tiles' `code` property, promoted to the feature id),
// so switching indicator, date or classification sets states and loads no
// geometry tile. The tiles' own MVT id (the unit's position in the level's
// units ordered by code) would need the level's full code list, which the
// API serves only with geometry; the code is in every tile already.

import maplibregl, {
  type ExpressionSpecification,
  type LngLat,
  type Marker,
  type RequestParameters,
  type VectorTileSource,
  type FilterSpecification,
  type LngLatBoundsLike,
  type Map as MLMap,
  type MapGeoJSONFeature,
  type StyleSpecification,
} from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { Status, TileJSON } from './api';
import { authHeaders } from './auth';
import { hatchColor, noDataColor, suppressedColor } from './classes';

export interface UnitPaint {
  fill: string | null;
  st: Status;
}

export interface UnitFeature {
  code: string;
  name: string;
  parent: string | null;
}

export interface OfferFeature {
  layer: string;
  props: Record<string, unknown>;
  /** The point's position (from the tile), to find the offer's full record. */
  lngLat?: [number, number];
}

export const offerColors = ['#1b7837', '#2166ac', '#b2182b', '#762a83', '#8c510a', '#01665e', '#c51b7d', '#4d4d4d'];

const unitLayers = ['units-fill', 'units-hatch', 'units-line', 'units-hi'] as const;

const neutralStyle: StyleSpecification = {
  version: 8,
  sources: {},
  layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#eef0ee' } }],
};

export interface MapOptions {
  container: HTMLElement;
  basemapStyle: string | null;
  center: [number, number];
  zoom: number;
  locale: Record<string, string>;
}

export class AtlasMap {
  readonly map: MLMap;
  private ready: Promise<void>;
  private level: string | null = null;
  private source = '';
  private states = new Map<string, UnitPaint>();
  private hovered: string | null = null;
  private selected: string | null = null;
  private compared = new Set<string>();
  private offerSources = new Set<string>();
  /** Offer layers changed by an edit in this page: their tiles are revalidated (the ETag follows the data version). */
  private changedOffers = new Set<string>();
  private placing: ((at: LngLat) => void) | null = null;
  private marker: Marker | null = null;
  onUnitHover: (f: UnitFeature | null, point: { x: number; y: number }) => void = () => {};
  onUnitClick: (f: UnitFeature) => void = () => {};
  onOfferHover: (f: OfferFeature | null, point: { x: number; y: number }) => void = () => {};
  onOfferClick: (f: OfferFeature) => void = () => {};

  constructor(opts: MapOptions) {
    this.map = new maplibregl.Map({
      container: opts.container,
      style: opts.basemapStyle ?? neutralStyle,
      center: opts.center,
      zoom: opts.zoom,
      attributionControl: { compact: true },
      // The PNG export reads the canvas after it was drawn.
      canvasContextAttributes: { preserveDrawingBuffer: true },
      dragRotate: false,
      pitchWithRotate: false,
      touchPitch: false,
      maxPitch: 0,
      locale: opts.locale,
      cancelPendingTileRequestsWhileZooming: true,
      // No labels fade in (the map has no symbols): without a fade, the map
      // is idle right after the frame that draws new values, not 300 ms later.
      fadeDuration: 0,
      transformRequest: (url) => this.transformRequest(url),
    });
    this.map.touchZoomRotate.disableRotation();
    this.map.keyboard.disableRotation();
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    this.map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-right');
    this.ready = new Promise((resolve) => {
      this.map.once('load', () => {
        this.map.addImage('hatch', hatchImage(), { pixelRatio: 2 });
        resolve();
      });
    });
    this.bindEvents();
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  /**
   * The server's own tiles go with the signed-in person's token (an
   * editor sees internal offer layers); an offer layer changed here is
   * revalidated instead of read from the browser's cache (max-age=60).
   */
  private transformRequest(url: string): RequestParameters | undefined {
    if (!url.startsWith(`${location.origin}/tiles/`)) return undefined;
    const headers = authHeaders();
    const m = /\/tiles\/offers-([a-z][a-z0-9_-]*)\//.exec(url);
    const revalidate = m !== null && this.changedOffers.has(m[1]!);
    if (!headers['Authorization'] && !revalidate) return undefined;
    return { url, headers, ...(revalidate ? { cache: 'no-cache' as RequestCache } : {}) };
  }

  /** Reloads an offer layer's tiles after an edit (the server's tiles carry the new data version). */
  refreshOffers(id: string): void {
    this.changedOffers.add(id);
    const src = this.map.getSource(`offers-${id}`) as VectorTileSource | undefined;
    src?.setTiles([offerTiles(id)]);
  }

  /** Reloads every tile of the map's sources (after signing in or out: what the tiles hold may differ). */
  reloadOfferSources(): void {
    for (const id of this.offerSources) this.refreshOffers(id);
  }

  /** Placing mode: the next click on the map gives its position (and selects nothing). */
  startPlacing(onPlace: (at: LngLat) => void): void {
    this.placing = onPlace;
    this.map.getCanvas().style.cursor = 'crosshair';
  }

  stopPlacing(): void {
    this.placing = null;
    this.map.getCanvas().style.cursor = '';
  }

  isPlacing(): boolean {
    return this.placing !== null;
  }

  /** A marker where a new offer goes (null removes it). */
  setMarker(at: [number, number] | null, label = ''): void {
    if (!at) {
      this.marker?.remove();
      this.marker = null;
      return;
    }
    if (!this.marker) this.marker = new maplibregl.Marker({ color: '#d35400' });
    this.marker.setLngLat(at).addTo(this.map);
    this.marker.getElement().setAttribute('aria-label', label);
  }

  /** Resolves after the next frame that leaves the map settled: states drawn, tiles loaded. */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => this.map.once('idle', () => resolve()));
  }

  /** Shows a level: its geometry tiles from the TileJSON's zoom range, no values yet. */
  setLevel(level: string, tj: TileJSON): void {
    if (this.level === level) return;
    const m = this.map;
    for (const id of unitLayers) if (m.getLayer(id)) m.removeLayer(id);
    if (this.source && m.getSource(this.source)) m.removeSource(this.source);
    this.level = level;
    this.source = `units-${level}`;
    this.states.clear();
    this.hovered = null;
    m.addSource(this.source, {
      type: 'vector',
      tiles: [`${location.origin}/tiles/${encodeURIComponent(level)}/{z}/{x}/{y}.mvt`],
      minzoom: tj.minzoom,
      maxzoom: tj.maxzoom,
      bounds: tj.bounds,
      promoteId: 'code',
      ...(tj.attribution ? { attribution: tj.attribution } : {}),
    });
    const before = this.firstOverlayLayer();
    const st: ExpressionSpecification = ['feature-state', 'st'];
    const common = { source: this.source, 'source-layer': level, minzoom: tj.minzoom };
    m.addLayer(
      {
        id: 'units-fill',
        type: 'fill',
        ...common,
        paint: {
          'fill-color': [
            'case',
            ['==', st, 'ok'],
            ['coalesce', ['feature-state', 'fill'], '#9e9e9e'],
            ['==', st, 'suppressed'],
            suppressedColor,
            noDataColor,
          ],
          'fill-opacity': 0.88,
        },
        // Hidden until the first values arrive: no flash of "no data".
        layout: { visibility: 'none' },
      },
      before,
    );
    m.addLayer(
      {
        id: 'units-hatch',
        type: 'fill',
        ...common,
        paint: { 'fill-pattern': 'hatch', 'fill-opacity': ['case', ['==', st, 'suppressed'], 1, 0] },
        layout: { visibility: 'none' },
      },
      before,
    );
    m.addLayer(
      {
        id: 'units-line',
        type: 'line',
        ...common,
        paint: {
          'line-color': '#ffffff',
          'line-opacity': 0.85,
          'line-width': ['interpolate', ['linear'], ['zoom'], 8, 0.3, 12, 0.8, 15, 1.6],
        },
      },
      before,
    );
    const flag = (k: string): ExpressionSpecification => ['boolean', ['feature-state', k], false];
    m.addLayer(
      {
        id: 'units-hi',
        type: 'line',
        ...common,
        paint: {
          'line-color': ['case', flag('sel'), '#000000', flag('cmp'), '#6a1b9a', flag('hover'), '#1a1a1a', 'rgba(0,0,0,0)'],
          'line-width': ['case', flag('sel'), 3.5, flag('cmp'), 3, flag('hover'), 2, 0],
        },
      },
      before,
    );
  }

  currentLevel(): string | null {
    return this.level;
  }

  /**
   * Joins values to the geometry: every unit's colour and status as feature
   * state. A unit without an entry (no stored value) is drawn as no data.
   */
  applyUnits(paints: Map<string, UnitPaint>): void {
    const m = this.map;
    const target = { source: this.source, sourceLayer: this.level ?? '' };
    if (!this.level) return;
    m.removeFeatureState(target);
    this.states = paints;
    let suppressed = false;
    for (const [code, p] of paints) {
      m.setFeatureState({ ...target, id: code }, { fill: p.fill, st: p.st });
      suppressed ||= p.st === 'suppressed';
    }
    if (m.getLayoutProperty('units-fill', 'visibility') === 'none') m.setLayoutProperty('units-fill', 'visibility', 'visible');
    // The hatching costs a pattern fill of every unit: drawn only when a value is withheld.
    const hatch = suppressed ? 'visible' : 'none';
    if (m.getLayoutProperty('units-hatch', 'visibility') !== hatch) m.setLayoutProperty('units-hatch', 'visibility', hatch);
    if (this.hovered) m.setFeatureState({ ...target, id: this.hovered }, { hover: true });
    if (this.selected) m.setFeatureState({ ...target, id: this.selected }, { sel: true });
    for (const c of this.compared) m.setFeatureState({ ...target, id: c }, { cmp: true });
  }

  setSelected(code: string | null): void {
    this.flagOne('sel', this.selected, code);
    this.selected = code;
  }

  setCompared(codes: string[]): void {
    if (!this.level) return;
    const target = { source: this.source, sourceLayer: this.level };
    for (const c of this.compared) if (!codes.includes(c)) this.map.setFeatureState({ ...target, id: c }, { cmp: false });
    for (const c of codes) this.map.setFeatureState({ ...target, id: c }, { cmp: true });
    this.compared = new Set(codes);
  }

  private flagOne(key: string, prev: string | null, next: string | null): void {
    if (!this.level) return;
    const target = { source: this.source, sourceLayer: this.level };
    if (prev && prev !== next) this.map.setFeatureState({ ...target, id: prev }, { [key]: false });
    if (next) this.map.setFeatureState({ ...target, id: next }, { [key]: true });
  }

  /** Shows the enabled offer layers (their own colours) with the filters. */
  setOffers(enabled: { id: string; color: string }[], category: string | null, provider: string | null): void {
    const m = this.map;
    const conds: ExpressionSpecification[] = [];
    if (category) conds.push(['==', ['get', 'category'], category]);
    if (provider) conds.push(['==', ['get', 'provider_type'], provider]);
    const filter: FilterSpecification = ['all', ...conds];
    const want = new Set(enabled.map((e) => e.id));
    for (const id of this.offerSources) {
      const layer = `offers-${id}`;
      if (m.getLayer(layer)) m.setLayoutProperty(layer, 'visibility', want.has(id) ? 'visible' : 'none');
    }
    for (const { id, color } of enabled) {
      const layer = `offers-${id}`;
      if (!this.offerSources.has(id)) {
        m.addSource(layer, {
          type: 'vector',
          tiles: [offerTiles(id)],
          maxzoom: 16,
          promoteId: 'id',
        });
        m.addLayer({
          id: layer,
          type: 'circle',
          source: layer,
          'source-layer': layer,
          paint: {
            'circle-color': color,
            'circle-radius': ['interpolate', ['linear'], ['zoom'], 9, 2.2, 12, 4, 15, 7],
            'circle-stroke-color': '#ffffff',
            'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 9, 0.5, 14, 1.5],
          },
        });
        this.offerSources.add(id);
      }
      m.setFilter(layer, filter);
    }
  }

  /** Offers of a layer drawn in the current view (after the filters), each counted once. */
  offersInView(id: string): number {
    const layer = `offers-${id}`;
    if (!this.map.getLayer(layer) || this.map.getLayoutProperty(layer, 'visibility') === 'none') return 0;
    const seen = new Set<unknown>();
    for (const f of this.map.queryRenderedFeatures({ layers: [layer] })) seen.add(f.properties['id'] ?? f.id);
    return seen.size;
  }

  /** Distinct values of an offer property in the loaded tiles of the enabled layers. */
  offerValues(ids: string[], prop: 'category' | 'provider_type'): string[] {
    const out = new Set<string>();
    for (const id of ids) {
      const src = `offers-${id}`;
      if (!this.map.getSource(src)) continue;
      for (const f of this.map.querySourceFeatures(src, { sourceLayer: src })) {
        const v = f.properties[prop];
        if (typeof v === 'string' && v) out.add(v);
      }
    }
    return [...out].sort((a, b) => a.localeCompare(b, 'de'));
  }

  fitTo(bounds: LngLatBoundsLike, padding: { top: number; bottom: number; left: number; right: number }): void {
    const c = this.map.getContainer();
    // A padding wider than the map leaves no room: fall back to an even one.
    const fits = padding.left + padding.right < c.clientWidth - 80 && padding.top + padding.bottom < c.clientHeight - 80;
    this.map.fitBounds(bounds, { padding: fits ? padding : 20, maxZoom: 13, duration: 600 });
  }

  private firstOverlayLayer(): string | undefined {
    // Units go under the offers and under a basemap's labels.
    const layers = this.map.getStyle().layers ?? [];
    return layers.find((l) => l.id.startsWith('offers-') || l.type === 'symbol')?.id;
  }

  private bindEvents(): void {
    const m = this.map;
    m.on('mousemove', 'units-fill', (e) => {
      const f = e.features?.[0];
      const code = f?.id === undefined ? null : String(f.id);
      if (code !== this.hovered) {
        this.flagOne('hover', this.hovered, code);
        this.hovered = code;
      }
      if (!this.placing) m.getCanvas().style.cursor = code ? 'pointer' : '';
      this.onUnitHover(f ? unitOf(f) : null, e.point);
    });
    m.on('mouseleave', 'units-fill', (e) => {
      this.flagOne('hover', this.hovered, null);
      this.hovered = null;
      if (!this.placing) m.getCanvas().style.cursor = '';
      this.onUnitHover(null, e.point);
    });
    // One click handler decides: placing a new offer, an offer point (it
    // lies over a unit and takes the click), or the unit.
    m.on('click', (e) => {
      if (this.placing) {
        this.placing(e.lngLat);
        return;
      }
      const offer = this.offerAt(e.point);
      if (offer) {
        this.onOfferClick(offer);
        return;
      }
      const f = m.getLayer('units-fill') ? m.queryRenderedFeatures(e.point, { layers: ['units-fill'] })[0] : undefined;
      if (f) this.onUnitClick(unitOf(f));
    });
    m.on('mousemove', (e) => {
      if (!this.offerSources.size) return;
      const f = this.offerAt(e.point);
      if (f && !this.placing) m.getCanvas().style.cursor = 'pointer';
      this.onOfferHover(f, e.point);
    });
  }

  private offerAt(point: { x: number; y: number }): OfferFeature | null {
    const m = this.map;
    const layers = [...this.offerSources].map((id) => `offers-${id}`).filter((l) => m.getLayer(l) && m.getLayoutProperty(l, 'visibility') !== 'none');
    if (!layers.length) return null;
    const f = m.queryRenderedFeatures([point.x, point.y], { layers })[0];
    if (!f) return null;
    const g = f.geometry;
    const lngLat = g.type === 'Point' ? ([g.coordinates[0], g.coordinates[1]] as [number, number]) : undefined;
    return { layer: f.layer.id.slice('offers-'.length), props: f.properties, ...(lngLat ? { lngLat } : {}) };
  }

  /** The paint of a unit, as the map shows it now. */
  paintOf(code: string): UnitPaint | undefined {
    return this.states.get(code);
  }
}

function offerTiles(id: string): string {
  return `${location.origin}/tiles/${encodeURIComponent(`offers-${id}`)}/{z}/{x}/{y}.mvt`;
}

function unitOf(f: MapGeoJSONFeature): UnitFeature {
  const p = f.properties;
  return {
    code: String(f.id ?? p['code']),
    name: typeof p['name'] === 'string' ? p['name'] : String(f.id),
    parent: typeof p['parent'] === 'string' ? p['parent'] : null,
  };
}

/** Diagonal hatching for withheld values: dark lines on white, 16 × 16 pixels at pixel ratio 2. */
function hatchImage(): { width: number; height: number; data: Uint8Array } {
  const n = 16;
  const data = new Uint8Array(n * n * 4);
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hatchColor.slice(i, i + 2), 16)) as [number, number, number];
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const on = (x + y) % 8 < 2;
      const o = (y * n + x) * 4;
      data[o] = on ? r : 255;
      data[o + 1] = on ? g : 255;
      data[o + 2] = on ? b : 255;
      data[o + 3] = 255;
    }
  }
  return { width: n, height: n, data };
}
