// The app: the view state (mirrored in the URL), the data of the current
// indicator, level and date, and the map. Every change goes through
// update(), which works out what changed and loads or redraws only that:
// a new indicator, date or classification loads values (never geometry)
// and sets feature states; a new level swaps the geometry source. The gap
// view paints the /gaps classes by the same feature states. Inventory,
// gaps, profiles and targets load only when their tab or panel opens.

import { api, ApiError, clearCache, type Breaks, type GapAnalysis, type Indicator, type IndicatorValues, type Level, type Lisa, type OfferLayer, type TileJSON, type ValueRow } from './api';
import { getToken, probe, setToken, type Session } from './auth';
import { classColor, crossColor, crossOf, lisaColors } from './classes';
import { byId } from './dom';
import { gapPaints, gapQuery } from './gaps';
import { bboxOf } from './geo';
import type { Lang } from './format';
import { setLang, t, type MessageKey } from './i18n';
import { AtlasMap, offerColors, type UnitPaint } from './map';
import { parseState, serializeState, type ViewState } from './state';
import { renderAnalysis } from './ui/analysis';
import { renderCompare } from './ui/compare';
import { initEditor, openOffer, renderSession } from './ui/editor';
import { renderGaps } from './ui/gaps';
import { renderInventory } from './ui/inventory';
import { initIndicators, renderIndicators, renderTargets } from './ui/indicators';
import { renderLegend } from './ui/legend';
import { renderOffers, updateOfferCounts } from './ui/offers';
import { renderPanel } from './ui/panel';
import { renderRanking } from './ui/ranking';
import { initSearch } from './ui/search';
import { initTabs, renderTabs } from './ui/tabs';
import { initTooltip } from './ui/tooltip';
import { initTopbar, renderTopbar, updatePdfLink } from './ui/topbar';

/** The values on the map: one indicator at one level on one date, classified. */
export interface Current {
  key: string;
  ind: Indicator;
  level: string;
  date: string;
  values: IndicatorValues;
  breaks: Breaks;
  lisa: Lisa | null;
  /** The gap view's classes (mode gap), or null with gapError saying why. */
  gap: GapAnalysis | null;
  gapError: string | null;
  byCode: Map<string, ValueRow>;
}

/** What the end-to-end tests and a person measuring read: when values were painted. */
export interface PaintLog {
  paints: number;
  /** performance.now() (ms since navigation) when the first values were drawn. */
  firstPaint: number | null;
  lastPaint: number | null;
  /** performance.now() when the last values were set as feature states (drawn at the next idle). */
  lastApplied?: number;
  /** indicator|level|date|method|k|scheme|mode of the last values drawn. */
  lastKey: string | null;
  /** Screen position of a coordinate, for tests that click a unit. */
  project?: (lng: number, lat: number) => { x: number; y: number };
}

declare global {
  interface Window {
    __atlas: PaintLog;
  }
}

const defaultIndicator = 'mss-status-index';

export class App {
  state: ViewState;
  levels: Level[] = [];
  indicators: Indicator[] = [];
  layers: OfferLayer[] = [];
  tiles = new Map<string, TileJSON>();
  amap!: AtlasMap;
  current: Current | null = null;
  loading = false;
  error: string | null = null;
  /** The signed-in person (a token in sessionStorage), or null. */
  session: Session | null = null;
  private seq = 0;
  /** Settles when the map shows the state's level (its TileJSON may have to be fetched). */
  private levelReady: Promise<void> = Promise.resolve();

  constructor() {
    this.state = parseState(location.search);
    setLang(this.state.lang);
    window.__atlas = { paints: 0, firstPaint: null, lastPaint: null, lastKey: null };
  }

  async start(): Promise<void> {
    performance.mark('atlas:start');
    this.applyStaticTexts();
    const url = this.state;
    const positioned = url.center !== null && url.zoom !== null;
    // A token kept in this tab's session is checked before the catalog is
    // read (the catalog depends on who asks); a refused one is dropped.
    const token = getToken();
    if (token) this.session = await probe(token).catch(() => (setToken(null), null));
    const data = Promise.all([api.levels(), api.indicators(), api.layers()]);
    let tj: TileJSON;
    try {
      // The map starts (WebGL, style, worker) while the catalog loads,
      // unless a basemap must wait for the level's extent to know where to
      // start asking for its tiles.
      const basemap = (await api.config()).basemap_style;
      if (positioned || !basemap) this.createMap(basemap);
      const [levels, indicators, layers] = await data;
      this.levels = levels;
      this.indicators = indicators;
      this.layers = layers;
      this.normalize();
      // The values load while the map starts; other levels' tiles are
      // described (TileJSON) when a level is chosen.
      this.prefetch();
      tj = await this.tileJSON(this.state.level!);
      if (!this.amap) this.createMap(basemap);
      if (!positioned) this.amap.map.fitBounds([tj.bounds[0], tj.bounds[1], tj.bounds[2], tj.bounds[3]], { padding: 20, animate: false });
    } catch (e) {
      this.showError(e);
      return;
    }
    performance.mark('atlas:described');
    initTopbar(this);
    initTabs(this);
    initIndicators(this);
    initSearch(this);
    initTooltip(this);
    this.amap.onUnitClick = (f) => this.update({ unit: f.code });
    this.amap.onOfferClick = (f) => openOffer(this, f.layer, String(f.props['id'] ?? ''), f.lngLat ?? null);
    initEditor(this);
    window.__atlas.project = (lng, lat) => {
      const p = this.amap.map.project([lng, lat]);
      return { x: p.x, y: p.y };
    };
    this.amap.map.on('moveend', () => this.onMove());
    this.amap.map.on('zoom', () => this.renderZoomHint());
    this.amap.map.on('idle', () => updateOfferCounts(this));
    window.addEventListener('popstate', () => this.restore(parseState(location.search)));
    this.layoutSidebar();
    this.renderAll();
    await this.amap.whenReady();
    performance.mark('atlas:map-ready');
    this.amap.setLevel(this.state.level!, tj);
    this.amap.setSelected(this.state.unit);
    this.amap.setCompared(this.state.compare);
    this.syncOffers();
    this.renderZoomHint();
    this.onMove(); // the resolved position goes into the URL
    await this.loadData();
  }

  private createMap(basemap: string | null): void {
    const s = this.state;
    this.amap = new AtlasMap({
      container: byId('map'),
      basemapStyle: basemap,
      // Without a position in the URL the level's extent follows (fitBounds).
      center: s.center ?? [0, 0],
      zoom: s.zoom ?? 1,
      locale: this.mapLocale(),
    });
  }

  /** A level's TileJSON (zoom range, bounds, attribution), fetched once. */
  async tileJSON(level: string): Promise<TileJSON> {
    const have = this.tiles.get(level);
    if (have) return have;
    const tj = await api.tileJSON(level);
    this.tiles.set(level, tj);
    return tj;
  }

  /** Starts the requests loadData will make, so that they run while the map starts. */
  private prefetch(): void {
    const s = this.state;
    const q = { level: s.level, date: s.date, ...this.classQuery() };
    const soft = (p: Promise<unknown>) => void p.catch(() => undefined); // loadData reports errors
    soft(api.values(s.indicator!, q));
    soft(api.breaks(s.indicator!, q));
    if (s.mode === 'lisa') soft(api.lisa(s.indicator!, { level: s.level, date: s.date }));
    if (s.mode === 'gap') soft(api.gaps(gapQuery(s)));
  }

  indicator(): Indicator {
    return this.indicators.find((i) => i.id === this.state.indicator)!;
  }

  levelById(id: string | null): Level | undefined {
    return this.levels.find((l) => l.id === id);
  }

  /** Makes the state consistent with the data: a known indicator, a level it has values at. */
  private normalize(): void {
    const s = this.state;
    if (!this.indicators.some((i) => i.id === s.indicator)) {
      s.indicator = (this.indicators.find((i) => i.id === defaultIndicator) ?? this.indicators[0])?.id ?? null;
    }
    const ind = this.indicator();
    if (!ind) throw new ApiError(404, t('error.noIndicators'));
    if (!s.level || !ind.levels.includes(s.level) || !this.levelById(s.level)) {
      s.level = ind.levels[ind.levels.length - 1] ?? this.levels[this.levels.length - 1]?.id ?? null;
    }
    if (s.date && !ind.dates.includes(s.date)) s.date = null;
    if (!s.method) s.k = null;
    const known = new Set(this.layers.map((l) => l.id));
    s.offers = s.offers.filter((o) => known.has(o));
    const inds = new Set(this.indicators.map((i) => i.id));
    if (s.gapNeed && !inds.has(s.gapNeed)) s.gapNeed = null;
    if (s.gapSupply && !inds.has(s.gapSupply)) s.gapSupply = null;
  }

  /**
   * Changes the view. Only what a change touches is reloaded: values for
   * indicator, date, classification or mode; geometry only for the level.
   */
  update(patch: Partial<ViewState>, how: 'push' | 'replace' = 'push'): void {
    const prev = this.state;
    const next: ViewState = { ...prev, ...patch };
    this.state = next;
    if (patch.indicator && patch.indicator !== prev.indicator) {
      const ind = this.indicator();
      // Keep level and date where the new indicator has them.
      if (!patch.level && !ind.levels.includes(next.level ?? '')) next.level = ind.levels[ind.levels.length - 1] ?? next.level;
      if (!('date' in patch) && next.date && !ind.dates.includes(next.date)) next.date = null;
      if (!('method' in patch)) {
        next.method = null;
        next.k = null;
        next.scheme = null;
      }
    }
    if (next.level !== prev.level) {
      next.unit = 'unit' in patch ? next.unit : null;
      next.compare = 'compare' in patch ? next.compare : [];
    }
    if (!next.method) next.k = null;
    const changed = (...keys: (keyof ViewState)[]) => keys.some((k) => JSON.stringify(prev[k]) !== JSON.stringify(next[k]));

    if (changed('lang')) {
      setLang(next.lang);
      this.applyStaticTexts();
    }
    if (changed('level') && next.level) {
      const level = next.level;
      this.levelReady = this.tileJSON(level)
        .then((tj) => {
          if (this.state.level === level) this.amap.setLevel(level, tj);
          this.renderZoomHint();
        })
        .catch((e) => this.showError(e));
    }
    if (changed('unit', 'level')) this.amap.setSelected(next.unit);
    if (changed('compare', 'level')) this.amap.setCompared(next.compare);
    if (changed('offers', 'category', 'provider')) this.syncOffers();
    if (changed('tab')) this.layoutSidebar();
    this.writeURL(how);
    const data =
      changed('indicator', 'level', 'date', 'method', 'k', 'scheme', 'mode') ||
      (next.mode === 'gap' && changed('gapNeed', 'gapSupply', 'gapNeedBreaks', 'gapSupplyBreaks'));
    if (data && !changed('lang', 'tab')) {
      // The controls answer at once; legend, panel and tables with the values.
      renderTopbar(this);
      renderIndicators(this);
      if (next.tab === 'gaps') renderGaps(this);
      void this.loadData();
    } else {
      this.renderAll();
      if (data) void this.loadData();
    }
  }

  /** The inventory's table needs room: its tab widens the sidebar (the map keeps the rest). */
  layoutSidebar(): void {
    document.body.classList.toggle('wide-sidebar', this.state.tab === 'inventory');
  }

  /** Signs in with an API token (checked by the API first); the catalog is read again, as the token sees it. */
  async signIn(token: string): Promise<Session> {
    const session = await probe(token);
    setToken(token);
    this.session = session;
    await this.reloadCatalog();
    return session;
  }

  signOut(): void {
    setToken(null);
    this.session = null;
    void this.reloadCatalog();
  }

  /** Reads indicators and layers again (after signing in or out, or an edit) and redraws the view. */
  async reloadCatalog(): Promise<void> {
    clearCache();
    try {
      const [indicators, layers] = await Promise.all([api.indicators(), api.layers()]);
      this.indicators = indicators;
      this.layers = layers;
      this.normalize(); // an indicator or layer no longer visible leaves the view
      this.writeURL('replace');
    } catch (e) {
      this.showError(e);
    }
    this.amap.reloadOfferSources();
    this.syncOffers();
    renderSession(this);
    await this.loadData();
  }

  /** Back and forward: the URL's view, including the map position. */
  private restore(s: ViewState): void {
    const pos = s.center && s.zoom !== null ? { center: s.center, zoom: s.zoom } : null;
    this.state = { ...this.state, center: s.center, zoom: s.zoom };
    this.update({ ...s }, 'replace');
    if (pos) this.amap.map.jumpTo(pos);
  }

  private onMove(): void {
    const c = this.amap.map.getCenter();
    this.state = { ...this.state, center: [c.lng, c.lat], zoom: this.amap.map.getZoom() };
    this.writeURL('replace');
    updateOfferCounts(this);
    updatePdfLink(this);
  }

  writeURL(how: 'push' | 'replace'): void {
    const url = location.pathname + serializeState(this.state);
    if (url === location.pathname + location.search) return;
    if (how === 'push') history.pushState(null, '', url);
    else history.replaceState(null, '', url);
  }

  /** The classification of the request: the reader's choice or the indicator's default. */
  classQuery(): Record<string, string | number | null> {
    const s = this.state;
    return { method: s.method, k: s.method ? s.k : null, scheme: s.scheme };
  }

  /** Loads the values (and legend, or LISA clusters) of the view and paints them. */
  async loadData(): Promise<void> {
    const s = this.state;
    const ind = this.indicator();
    const level = s.level!;
    const seq = ++this.seq;
    const q = { level, date: s.date, ...this.classQuery() };
    this.loading = true;
    this.renderStatus();
    try {
      // The gap view's classes; a failure there (e.g. an indicator without
      // values at this level) leaves the indicator's map and says why.
      let gapError: string | null = null;
      const [values, breaks, lisa, gap] = await Promise.all([
        api.values(ind.id, q),
        api.breaks(ind.id, q),
        s.mode === 'lisa' ? api.lisa(ind.id, { level, date: s.date }) : Promise.resolve(null),
        s.mode === 'gap'
          ? api.gaps(gapQuery(s)).catch((e: unknown) => {
              gapError = e instanceof ApiError ? e.detail : String(e);
              return null;
            })
          : Promise.resolve(null),
      ]);
      await this.levelReady;
      if (seq !== this.seq) return; // a newer view was asked for meanwhile
      const gapKey = s.mode === 'gap' ? `|${s.gapNeed}|${s.gapSupply}|${s.gapNeedBreaks}|${s.gapSupplyBreaks}` : '';
      const key = `${ind.id}|${level}|${values.date}|${s.method}|${s.k}|${s.scheme}|${s.mode}${gapKey}`;
      this.current = { key, ind, level, date: values.date, values, breaks, lisa, gap, gapError, byCode: new Map(values.values.map((v) => [v.code, v])) };
      // A gap view the API refused says why over the map, which shows the indicator meanwhile.
      this.error = gapError ? t('error.gap', { detail: gapError }) : null;
      this.loading = false;
      this.amap.applyUnits(this.paints());
      window.__atlas.lastApplied = performance.now();
      void this.amap.whenIdle().then(() => this.markPainted(key));
      if (!s.date) {
        // The latest date, made explicit so that the link keeps showing it.
        this.state = { ...this.state, date: values.date };
        this.writeURL('replace');
      }
    } catch (e) {
      if (seq !== this.seq) return;
      this.loading = false;
      this.current = null;
      this.amap.applyUnits(new Map());
      this.showError(e);
    }
    this.renderAll();
  }

  /** Colours and statuses of the units: classes, the MSS cross, or LISA clusters. */
  paints(): Map<string, UnitPaint> {
    const cur = this.current;
    const out = new Map<string, UnitPaint>();
    if (!cur) return out;
    if (this.state.mode === 'gap' && cur.gap) return gapPaints(cur.gap);
    if (this.state.mode === 'lisa' && cur.lisa) {
      for (const u of cur.lisa.units) out.set(u.code, { fill: lisaColors[u.cluster], st: 'ok' });
      for (const u of cur.lisa.excluded) out.set(u.code, { fill: null, st: u.status });
      return out;
    }
    const cross = this.crossLegend();
    for (const v of cur.values.values) {
      const fill = cross ? crossColor(cross, v.value) : classColor(cur.breaks.classification, v.class);
      out.set(v.code, { fill, st: v.status });
    }
    return out;
  }

  /** The 4 × 3 legend of the MSS Gesamtindex, when the view shows it with its own classes. */
  crossLegend() {
    const cur = this.current;
    if (!cur || this.state.method || cur.breaks.classification || this.gapShown()) return null;
    return crossOf(cur.ind);
  }

  /** Whether the map shows the gap classes now. */
  gapShown(): boolean {
    return this.state.mode === 'gap' && !!this.current?.gap;
  }

  private markPainted(key: string): void {
    const log = window.__atlas;
    const now = performance.now();
    log.paints += 1;
    log.lastPaint = now;
    log.lastKey = key;
    if (log.firstPaint === null) {
      log.firstPaint = now;
      performance.mark('atlas:first-choropleth');
    }
    const cur = this.current;
    if (cur?.gap && this.state.mode === 'gap') this.announce(t('live.gap', { need: cur.gap.need.name, supply: cur.gap.supply.name, n: cur.gap.gaps.length }));
    else if (cur) this.announce(t('live.map', { indicator: cur.ind.name, level: this.levelById(cur.level)?.name ?? cur.level, date: cur.date }));
    // What waits for the map: the targets of the indicator.
    renderTargets(this);
  }

  selectUnit(code: string, fly: boolean): void {
    this.update({ unit: code });
    if (fly) void this.flyToUnit(code);
  }

  /** Zooms to a unit, with its geometry from OGC API Features. */
  async flyToUnit(code: string): Promise<void> {
    try {
      const f = await api.unitFeature(this.state.level!, code);
      const b = bboxOf(f.geometry.coordinates);
      // Clear of the panel (right) and the legend (bottom left).
      const panel = byId('panel');
      const right = panel.hidden ? 40 : panel.offsetWidth + 40;
      if (b) this.amap.fitTo(b, { top: 50, bottom: 50, left: 40, right });
    } catch (e) {
      this.showError(e);
    }
  }

  syncOffers(): void {
    const enabled = this.state.offers.map((id) => ({ id, color: this.offerColor(id) }));
    void this.amap.whenReady().then(() => this.amap.setOffers(enabled, this.state.category, this.state.provider));
  }

  offerColor(id: string): string {
    const i = this.layers.findIndex((l) => l.id === id);
    return offerColors[(i < 0 ? 0 : i) % offerColors.length]!;
  }

  renderAll(): void {
    renderTopbar(this);
    renderTabs(this);
    renderIndicators(this);
    renderLegend(this);
    renderPanel(this);
    renderOffers(this);
    renderRanking(this);
    renderCompare(this);
    renderAnalysis(this);
    renderInventory(this);
    renderGaps(this);
    renderSession(this);
    this.renderStatus();
  }

  private renderStatus(): void {
    const el = byId('message');
    el.hidden = !this.error;
    el.textContent = this.error ?? '';
    byId('map-wrap').setAttribute('aria-busy', String(this.loading));
    const cur = this.current;
    const title = byId('map-title');
    if (cur) {
      const level = this.levelById(cur.level)?.name ?? cur.level;
      title.textContent = this.gapShown() && cur.gap ? `${t('gaps.mapTitle', { need: cur.gap.need.name, supply: cur.gap.supply.name })} · ${level}` : `${cur.ind.name} · ${level}`;
    }
  }

  renderZoomHint(): void {
    const el = byId('zoom-hint');
    const level = this.state.level;
    const tj = level ? this.tiles.get(level) : undefined;
    if (!tj || !this.amap || this.amap.map.getZoom() >= tj.minzoom) {
      el.hidden = true;
      return;
    }
    el.hidden = false;
    el.replaceChildren();
    el.append(t('zoom.hint', { level: this.levelById(level)?.name ?? level ?? '', z: tj.minzoom }), ' ');
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = t('zoom.in');
    b.addEventListener('click', () => this.amap.map.easeTo({ zoom: tj.minzoom + 0.1 }));
    el.append(b);
  }

  showError(e: unknown): void {
    this.error = e instanceof ApiError ? t('error.api', { detail: e.detail }) : t('error.api', { detail: String(e) });
    this.renderStatus();
  }

  announce(msg: string): void {
    byId('live').textContent = msg;
  }

  /** Texts of index.html's static elements: data-i18n (text), -aria, -title and -placeholder. */
  applyStaticTexts(): void {
    document.documentElement.lang = this.state.lang;
    document.title = t('app.title');
    for (const el of document.querySelectorAll<HTMLElement>('[data-i18n]')) el.textContent = t(el.dataset['i18n'] as MessageKey);
    for (const el of document.querySelectorAll<HTMLElement>('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset['i18nAria'] as MessageKey));
    for (const el of document.querySelectorAll<HTMLElement>('[data-i18n-title]')) el.title = t(el.dataset['i18nTitle'] as MessageKey);
    for (const el of document.querySelectorAll<HTMLInputElement>('[data-i18n-placeholder]')) el.placeholder = t(el.dataset['i18nPlaceholder'] as MessageKey);
    // MapLibre's own controls were labelled at creation: relabel them.
    for (const [sel, key] of [
      ['.maplibregl-ctrl-zoom-in', 'map.zoomIn'],
      ['.maplibregl-ctrl-zoom-out', 'map.zoomOut'],
    ] as const) {
      const b = document.querySelector<HTMLElement>(sel);
      if (b) {
        b.title = t(key);
        b.setAttribute('aria-label', t(key));
      }
    }
  }

  mapLocale(): Record<string, string> {
    return {
      'NavigationControl.ZoomIn': t('map.zoomIn'),
      'NavigationControl.ZoomOut': t('map.zoomOut'),
      'NavigationControl.ResetBearing': t('map.resetBearing'),
      'AttributionControl.ToggleAttribution': t('map.attribution'),
      'AttributionControl.MapFeedback': t('map.attribution'),
      'ScaleControl.Meters': 'm',
      'ScaleControl.Kilometers': 'km',
      'Map.Title': t('map.label'),
      'CanvasHelper.Canvas': t('map.label'),
    };
  }

  setLanguage(lang: Lang): void {
    this.update({ lang }, 'replace');
  }
}
