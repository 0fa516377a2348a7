package api

import (
	"context"
	"fmt"
	"html"
	"math"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/tiles"
	"github.com/sozialatlas/sozialatlas/pkg/topo"
)

// Vector tiles under /tiles: every level (areas) and every offer layer
// (points, as offers-<layer>, the ids of the OGC collections) as Mapbox
// Vector Tiles and GeoJSON tiles, with a TileJSON document each. Tiles are
// cut from a snapshot in memory, never from a query per request: per data
// version, a tileset's geometry is read once, projected to Web Mercator
// and (areas) simplified once per zoom by pkg/topo, so that neighbours
// keep their common border; encoded tiles are kept gzipped in an LRU
// cache keyed by the data version. Indicator values come from readTable,
// as every other answer.

const (
	// A level starts at the zoom where a tile holds about unitsPerTile
	// units (Berlin's 542 Planungsräume: zoom 0; the synthetic city's
	// 100,000 blocks: 12), so that no tile grows beyond a few hundred KB.
	unitsPerTile  = 5000
	offersPerTile = 20000
	// maxValueTables bounds the value tables a snapshot keeps (one per
	// indicator, date and classification asked for).
	maxValueTables   = 256
	mediaMVT         = "application/vnd.mapbox-vector-tile"
	tileCacheControl = "max-age=60"
)

// tileQuery is what a tile's query may say.
var tileQuery = []string{"indicator", "date", "method", "k", "scheme"}

type tileAPI struct {
	*Server
	cache   *tiles.Cache
	prepare bool // each snapshot in the background (Config.PrepareTiles)
	mu      sync.Mutex
	snap    *tileSnapshot
	// hits and misses count tile requests answered from the cache and
	// those cut and encoded (/metrics).
	hits, misses prometheus.Counter
}

func (s *Server) routesTiles(e *echo.Echo, cacheSize int64, prepare bool) {
	ta := &tileAPI{Server: s, cache: tiles.NewCache(cacheSize), prepare: prepare}
	answers := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sozialatlas_tile_cache_answers_total",
		Help: "Tile requests answered from the tile cache (hit) or cut and encoded (miss).",
	}, []string{"result"})
	ta.hits, ta.misses = answers.WithLabelValues("hit"), answers.WithLabelValues("miss")
	s.metrics.registry.MustRegister(answers, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "sozialatlas_tile_cache_bytes", Help: "Memory the tiles kept in the tile cache take.",
	}, func() float64 { return float64(ta.cache.Bytes()) }))
	s.tiles = ta
	e.GET("/tiles/:tilejson", ta.tileJSON)
	e.GET(tileRoute, ta.tile)
	if prepare {
		go func() {
			if _, err := ta.snapshot(context.Background()); err != nil {
				ta.log.Warn("tiles: not prepared at start", "error", err)
			}
		}()
	}
}

// tileRoute is the route of tiles. Tiles are kept gzipped and sent as
// they are kept, with Content-Encoding: gzip, to a client that takes gzip,
// so the server-wide gzip middleware skips this route.
const tileRoute = "/tiles/:tileset/:z/:x/:yext"

// acceptsGzip reads an Accept-Encoding header: gzip (or *) without q=0.
func acceptsGzip(h string) bool {
	for rest := h; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "gzip" && name != "x-gzip" && name != "*" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.TrimSpace(k) == "q" {
				q, _ = strconv.ParseFloat(strings.TrimSpace(v), 64)
			}
		}
		return q > 0
	}
	return false
}

// tileSnapshot is what one data version's tiles are cut from.
type tileSnapshot struct {
	version  int64
	prepared atomic.Bool // every tileset loaded and its zooms prepared

	mu     sync.Mutex
	sets   map[string]*tileSet // by tileset id, each loaded on first use; nil until listed
	values map[string]*tileValues
}

// snapshot is the current data version's snapshot. A newer version
// replaces it and empties the tile cache (whose keys carry the version
// anyway, so that a tile cut from older data is never served for newer).
func (ta *tileAPI) snapshot(ctx context.Context) (*tileSnapshot, error) {
	v, err := ta.version(ctx)
	if err != nil {
		return nil, err
	}
	ta.mu.Lock()
	defer ta.mu.Unlock()
	if ta.snap == nil || v > ta.snap.version {
		ta.snap = &tileSnapshot{version: v, values: map[string]*tileValues{}}
		ta.cache.Clear()
		if ta.prepare {
			go ta.prepareSnapshot(ta.snap)
		}
	}
	return ta.snap, nil
}

// prepareSnapshot loads every tileset of a snapshot and prepares each
// zoom of its areas (simplified, snapped, encoded; see tiles.Areas), the
// work a tile of a zoom would otherwise wait for: about a second per
// 100,000 areas and zoom. Zoom by zoom over all tilesets, low zooms
// first, so that the views a map opens with are ready first. It stops
// when a newer snapshot replaces this one.
func (ta *tileAPI) prepareSnapshot(sn *tileSnapshot) {
	start, ctx := time.Now(), context.Background()
	current := func() bool {
		ta.mu.Lock()
		defer ta.mu.Unlock()
		return ta.snap == sn
	}
	list, err := ta.datasets(ctx)
	if err != nil {
		ta.log.Warn("tiles: not prepared", "version", sn.version, "error", err)
		return
	}
	var sets []*tileSet
	for _, d := range list {
		if !current() {
			return
		}
		set, err := ta.tileSetOf(ctx, sn, d.ID)
		if err != nil {
			ta.log.Warn("tiles: not prepared", "tileset", d.ID, "error", err)
			return
		}
		if set.areas != nil {
			sets = append(sets, set)
		}
	}
	for z := 0; z <= tiles.MaxZoom; z++ {
		for _, set := range sets {
			if !current() {
				return
			}
			if z >= set.minZoom {
				set.areas.Prepare(z)
			}
		}
	}
	// The preparation's garbage (about a third of what it allocated) is
	// collected now, while nothing waits for it, not by the first tiles'
	// allocations.
	runtime.GC()
	sn.prepared.Store(true)
	ta.log.Info("tiles prepared", "version", sn.version, "tilesets", len(list), "ms", time.Since(start).Milliseconds())
}

// tilesPrepared says whether the current snapshot is prepared (false
// before the first one).
func (ta *tileAPI) tilesPrepared() bool {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	return ta.snap != nil && ta.snap.prepared.Load()
}

// tileSet is a level or an offer layer as tiles.
type tileSet struct {
	id          string
	name        string
	description string
	attribution string
	level       string // exactly one of level and layer is set
	layer       string
	visibility  atlas.Visibility // the offer layer's (levels are public)

	mu      sync.Mutex // held while loading
	loaded  atomic.Bool
	areas   *tiles.Areas
	points  *tiles.Points
	units   []atlas.Unit // by code, without geometry: feature i is units[i]
	offers  []atlas.Offer
	props   *tiles.Columns // the features' own properties
	minZoom int
	bounds  [4]float64 // WGS84
	// simplifier names what simplifies the areas: "topo" (neighbours keep
	// their common border) or "douglas-peucker" (each area on its own,
	// when the topology could not be built).
	simplifier string
}

// tileSetOf is the tileset the path names, loaded; ENOTFOUND otherwise.
func (ta *tileAPI) tileSetOf(ctx context.Context, sn *tileSnapshot, id string) (*tileSet, error) {
	sn.mu.Lock()
	if sn.sets == nil {
		sets, err := ta.listTileSets(ctx)
		if err != nil {
			sn.mu.Unlock()
			return nil, err
		}
		sn.sets = sets
	}
	set, found := sn.sets[id]
	sn.mu.Unlock()
	if !found {
		return nil, tileSetNotFound(id)
	}
	// Loaded once per data version (a failed load is tried again by the
	// next request), not under the request's context: a client that gives
	// up must not fail the others waiting for the load.
	if set.loaded.Load() {
		return set, nil
	}
	set.mu.Lock()
	defer set.mu.Unlock()
	if !set.loaded.Load() {
		if err := ta.load(context.WithoutCancel(ctx), set); err != nil {
			return nil, err
		}
		set.loaded.Store(true)
	}
	return set, nil
}

// visibleTileSet is tileSetOf for the caller: a tileset the caller may
// not see (an internal offer layer) is not found, as one that does not
// exist.
func (ta *tileAPI) visibleTileSet(c echo.Context, sn *tileSnapshot, id string) (*tileSet, error) {
	set, err := ta.tileSetOf(c.Request().Context(), sn, id)
	if err == nil && !principal(c).Role.Sees(set.visibility) {
		return nil, tileSetNotFound(id)
	}
	return set, err
}

func tileSetNotFound(id string) error {
	return atlas.Errorf(atlas.ENOTFOUND, "tileset %q does not exist: tilesets are the level ids of /api/v1/levels and offers-<layer> for the offer layers of /api/v1/layers", id)
}

// listTileSets names the datasets as tilesets.
func (ta *tileAPI) listTileSets(ctx context.Context) (map[string]*tileSet, error) {
	list, err := ta.datasets(ctx)
	if err != nil {
		return nil, err
	}
	sets := make(map[string]*tileSet, len(list))
	for _, d := range list {
		sets[d.ID] = &tileSet{id: d.ID, name: d.Name, description: d.Description, level: d.Level, layer: d.Layer,
			visibility: d.Visibility, attribution: attributionOf(d.Attribution, d.Licence)}
	}
	return sets, nil
}

// attributionOf is TileJSON's attribution (HTML): the source and licence.
func attributionOf(attribution, licence string) string {
	var parts []string
	for _, s := range []string{attribution, licence} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, html.EscapeString(s))
		}
	}
	return strings.Join(parts, ", ")
}

// load reads a tileset's geometry and builds its layer.
func (ta *tileAPI) load(ctx context.Context, set *tileSet) error {
	start := time.Now()
	var bound orb.Bound
	n := 0
	if set.layer != "" {
		offers, err := ta.store.Offers(ctx, set.layer, atlas.OfferQuery{})
		if err != nil {
			return err
		}
		pts := make([]orb.Point, len(offers))
		for i, o := range offers {
			pts[i] = tiles.ProjectPoint(o.Geometry)
		}
		set.offers, set.points = offers, tiles.NewPoints(pts)
		bound, n = set.points.Bound(), len(pts)
		props, err := tiles.NewColumns(offerKeys, n, func(i, k int) any { return offerProp(offers[i], k) })
		if err != nil {
			return err
		}
		set.props = props
		set.minZoom = tiles.MinZoom(n, bound, offersPerTile)
	} else {
		units, err := ta.store.Units(ctx, set.level, atlas.UnitQuery{})
		if err != nil {
			return err
		}
		slices.SortFunc(units, func(a, b atlas.Unit) int { return strings.Compare(a.Code, b.Code) })
		geom := make([]orb.MultiPolygon, len(units))
		for i := range units {
			geom[i] = tiles.Project(units[i].Geometry)
			units[i].Geometry = nil
		}
		simplify, name := ta.simplifierOf(set.id, geom)
		set.units, set.simplifier = units, name
		set.areas = tiles.NewAreas(geom, simplify, tiles.Tolerance)
		bound, n = set.areas.Bound(), len(units)
		props, err := tiles.NewColumns([]string{"code", "name", "parent"}, n, func(i, k int) any {
			switch k {
			case 0:
				return units[i].Code
			case 1:
				return units[i].Name
			}
			return orNull(units[i].Parent)
		})
		if err != nil {
			return err
		}
		set.props = props
		set.minZoom = tiles.MinZoom(n, bound, unitsPerTile)
	}
	set.bounds = [4]float64{-180, -85.0511, 180, 85.0511}
	if n > 0 {
		sw, ne := tiles.Unproject(bound.Min), tiles.Unproject(bound.Max)
		set.bounds = [4]float64{sw[0], sw[1], ne[0], ne[1]}
	}
	ta.log.Info("tileset loaded", "tileset", set.id, "features", n, "minzoom", set.minZoom,
		"simplifier", set.simplifier, "ms", time.Since(start).Milliseconds())
	return nil
}

// simplifierOf is pkg/topo's simplification of a level's units, which
// keeps neighbours' common borders; Douglas-Peucker per area when the
// topology cannot be built (which stored, valid geometry does not cause).
func (ta *tileAPI) simplifierOf(id string, geom []orb.MultiPolygon) (tiles.Simplifier, string) {
	if len(geom) == 0 {
		return tiles.DouglasPeucker(geom), "douglas-peucker"
	}
	t, err := topo.Build(geom)
	if err != nil {
		ta.log.Warn("tileset: no topology, simplifying each area on its own", "tileset", id, "error", err)
		return tiles.DouglasPeucker(geom), "douglas-peucker"
	}
	return t.Simplify, "topo"
}

// tileValues are an indicator's values at a level as a tile carries them:
// value, status and class of each unit of the tileset.
type tileValues struct {
	ind  atlas.Indicator
	date atlas.Date
	cols *tiles.Columns
}

// valuesOf reads the indicator the query names (indicator, date, method,
// k, scheme) for a tileset: nil when it names none. The indicator comes
// from s.indicator and its values from readTable, so a hidden indicator
// answers 404 and a value that is not ok has no number; the classes are
// those of the values endpoint (legendOptions, classify.Classify). Tables
// are kept in the snapshot per caller class (whether the caller sees
// internal indicators) and query, as the response cache keys its answers.
func (ta *tileAPI) valuesOf(c echo.Context, sn *tileSnapshot, set *tileSet) (*tileValues, string, error) {
	q := c.QueryParams()
	for k, vs := range q {
		if !slices.Contains(tileQuery, k) {
			return nil, "", atlas.Errorf(atlas.EINVALID, "query parameter %q is not known here; known: %s", k, strings.Join(tileQuery, ", "))
		}
		if len(vs) > 1 {
			return nil, "", atlas.Errorf(atlas.EINVALID, "query parameter %q is given %d times; give it once", k, len(vs))
		}
	}
	id := q.Get("indicator")
	if id == "" {
		for _, k := range tileQuery[1:] {
			if q.Get(k) != "" {
				return nil, "", atlas.Errorf(atlas.EINVALID, "%s applies to an indicator's values: say indicator=<id> too", k)
			}
		}
		return nil, "", nil
	}
	if set.level == "" {
		return nil, "", atlas.Errorf(atlas.EINVALID, "tileset %s holds offers, which carry no indicator values; indicators go with a level", set.id)
	}
	key := fmt.Sprintf("%t\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s", principal(c).Role.Sees(atlas.Internal),
		set.level, id, q.Get("date"), q.Get("method"), q.Get("k"), q.Get("scheme"))
	sn.mu.Lock()
	tv := sn.values[key]
	sn.mu.Unlock()
	if tv != nil {
		return tv, key, nil
	}
	tv, err := ta.readValues(c, set, id)
	if err != nil {
		return nil, "", err
	}
	sn.mu.Lock()
	if len(sn.values) >= maxValueTables {
		clear(sn.values)
	}
	sn.values[key] = tv
	sn.mu.Unlock()
	return tv, key, nil
}

func (ta *tileAPI) readValues(c echo.Context, set *tileSet, id string) (*tileValues, error) {
	t, err := ta.tableAt(c, id, set.level)
	if err != nil {
		return nil, err
	}
	if err := ta.classify(c, t); err != nil {
		return nil, err
	}
	rows := make(map[string]*row, len(t.Rows))
	for i := range t.Rows {
		rows[t.Rows[i].Code] = &t.Rows[i]
	}
	// A unit with no stored value is missing; only an ok value has a
	// number (readTable) and a class.
	cols, err := tiles.NewColumns([]string{"value", "status", "class"}, len(set.units), func(i, k int) any {
		r := rows[set.units[i].Code]
		switch {
		case r == nil && k == 1:
			return string(atlas.Missing)
		case r == nil:
			return nil
		case k == 0 && r.Value != nil:
			return *r.Value
		case k == 1:
			return string(r.Status)
		case k == 2:
			if cl := t.classOf(r.Value); cl != nil {
				return *cl
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &tileValues{ind: t.Indicator, date: t.Date, cols: cols}, nil
}

// tileOf reads z, x and y.ext from the path.
func tileOf(c echo.Context) (tiles.Tile, string, error) {
	yv, ext, _ := strings.Cut(c.Param("yext"), ".")
	format := map[string]string{"mvt": "mvt", "pbf": "mvt", "geojson": "geojson"}[ext]
	if format == "" {
		return tiles.Tile{}, "", atlas.Errorf(atlas.EINVALID, "tile %q: want <y>.mvt, <y>.pbf or <y>.geojson", c.Param("yext"))
	}
	var t tiles.Tile
	for _, p := range []struct {
		name, v string
		to      *int
	}{{"z", c.Param("z"), &t.Z}, {"x", c.Param("x"), &t.X}, {"y", yv, &t.Y}} {
		n, err := strconv.Atoi(p.v)
		if err != nil || n < 0 || (p.name == "z" && n > tiles.MaxZoom) {
			return t, "", atlas.Errorf(atlas.EINVALID, "%s %q: want a whole number from 0 (z at most %d, x and y below 2^z)", p.name, p.v, tiles.MaxZoom)
		}
		*p.to = n
	}
	return t, format, nil
}

func (ta *tileAPI) tile(c echo.Context) error {
	t, format, err := tileOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	sn, err := ta.snapshot(ctx)
	if err != nil {
		return err
	}
	set, err := ta.visibleTileSet(c, sn, c.Param("tileset"))
	if err != nil {
		return err
	}
	if err := t.Check(set.minZoom, tiles.MaxZoom); err != nil {
		return atlas.Errorf(atlas.EINVALID, "%s: %v (tileset %s starts at zoom %d, see /tiles/%s.json)", t, err, set.id, set.minZoom, set.id)
	}
	vals, vkey, err := ta.valuesOf(c, sn, set)
	if err != nil {
		return err
	}
	key := strconv.FormatInt(sn.version, 10) + "\x00" + set.id + "\x00" + strconv.Itoa(t.Z) + "/" + strconv.Itoa(t.X) + "/" +
		strconv.Itoa(t.Y) + "\x00" + format + "\x00" + vkey
	body, tag, found := ta.cache.Lookup(key)
	if found {
		ta.hits.Inc()
	} else {
		ta.misses.Inc()
		var quick bool
		if body, quick, err = set.encode(t, format, vals); err != nil {
			return err
		}
		tag = ta.cache.Put(key, body, quick)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderCacheControl, cacheControl(set, vals))
	h.Set(echo.HeaderVary, echo.HeaderAcceptEncoding)
	if body == nil {
		return c.NoContent(http.StatusNoContent)
	}
	// A strong ETag over the kept (gzipped) bytes, hashed once when kept,
	// told apart for the unzipped answer; tiles skip the generic answer
	// step (see answer), which would copy and hash every tile again.
	gz := acceptsGzip(c.Request().Header.Get(echo.HeaderAcceptEncoding))
	if !gz {
		tag = tag[:len(tag)-1] + `-plain"`
	}
	h.Set("ETag", tag)
	if matchesETag(c.Request().Header.Get("If-None-Match"), tag) {
		return c.NoContent(http.StatusNotModified)
	}
	ctype := mediaMVT
	if format == "geojson" {
		ctype = mediaGeoJSON
	}
	if gz {
		h.Set(echo.HeaderContentEncoding, "gzip")
	} else if body, err = tiles.Gunzip(body); err != nil {
		return err
	}
	// The length, so that the answer goes out in one piece, not chunked.
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	return c.Blob(http.StatusOK, ctype, body)
}

// cacheControl lets shared caches keep tiles of public data only.
func cacheControl(set *tileSet, vals *tileValues) string {
	if set.visibility != atlas.Public || (vals != nil && vals.ind.Visibility != atlas.Public) {
		return "private, " + tileCacheControl
	}
	return "public, " + tileCacheControl
}

// encode cuts and encodes a tile, gzipped for its first answer (quick:
// gzipped quickly, for the cache to compress properly when it is asked
// for again; see tiles.Compress); nil when it is empty.
func (set *tileSet) encode(t tiles.Tile, format string, vals *tileValues) (body []byte, quick bool, err error) {
	cols := []*tiles.Columns{set.props}
	if vals != nil {
		cols = append(cols, vals.cols)
	}
	id := func(i int) uint64 { return uint64(i) }
	var feats []tiles.Feature
	switch {
	case set.areas != nil && format != "geojson":
		body, quick = set.areas.EncodeTile(t, set.id, id, cols...)
		return body, quick, nil
	case set.areas != nil:
		feats = set.areas.Tile(t)
	default:
		feats = set.points.Tile(t)
	}
	if len(feats) == 0 {
		return nil, false, nil
	}
	if format == "geojson" {
		body, quick = tiles.Compress(tiles.EncodeGeoJSON(t, feats, set.featureID, cols...))
	} else {
		body, quick = tiles.Compress(tiles.EncodeMVT(set.id, feats, id, cols...))
	}
	return body, quick, nil
}

// featureID is a GeoJSON feature's id: the unit's code or the offer's id.
func (set *tileSet) featureID(i int) string {
	if set.units != nil {
		return set.units[i].Code
	}
	return set.offers[i].ID
}

// offerKeys are the properties of an offer in tiles; offerProp gives
// them, nil for none.
var offerKeys = []string{"id", "name", "category", "subcategory", "provider", "provider_type",
	"capacity", "address", "target_groups", "valid_from", "valid_to"}

func offerProp(o atlas.Offer, k int) any {
	switch offerKeys[k] {
	case "id":
		return o.ID
	case "name":
		return o.Name
	case "category":
		return orNull(o.Category)
	case "subcategory":
		return orNull(o.Subcategory)
	case "provider":
		return orNull(o.Provider)
	case "provider_type":
		return orNull(o.ProviderType)
	case "capacity":
		if o.Capacity != nil {
			return int64(*o.Capacity)
		}
	case "address":
		return orNull(o.Address)
	case "target_groups":
		return orNull(strings.Join(o.TargetGroups, ","))
	case "valid_from":
		return orNull(o.From.String())
	case "valid_to":
		return orNull(o.To.String())
	}
	return nil
}

// tileJSONDoc is a TileJSON 3.0.0 document.
type tileJSONDoc struct {
	TileJSON     string           `json:"tilejson"`
	Name         string           `json:"name"`
	Description  string           `json:"description,omitempty"`
	Attribution  string           `json:"attribution,omitempty"`
	Scheme       string           `json:"scheme"`
	Tiles        []string         `json:"tiles"`
	MinZoom      int              `json:"minzoom"`
	MaxZoom      int              `json:"maxzoom"`
	Bounds       [4]float64       `json:"bounds"`
	Center       [3]float64       `json:"center"`
	VectorLayers []vectorLayerDoc `json:"vector_layers"`
}

type vectorLayerDoc struct {
	ID          string            `json:"id"`
	Description string            `json:"description,omitempty"`
	MinZoom     int               `json:"minzoom"`
	MaxZoom     int               `json:"maxzoom"`
	Fields      map[string]string `json:"fields"`
}

func (ta *tileAPI) tileJSON(c echo.Context) error {
	id, ok := strings.CutSuffix(c.Param("tilejson"), ".json")
	if !ok {
		return atlas.Errorf(atlas.ENOTFOUND, "/tiles/%s: a tileset's TileJSON is /tiles/<id>.json, its tiles /tiles/<id>/{z}/{x}/{y}.mvt", c.Param("tilejson"))
	}
	ctx := c.Request().Context()
	sn, err := ta.snapshot(ctx)
	if err != nil {
		return err
	}
	set, err := ta.visibleTileSet(c, sn, id)
	if err != nil {
		return err
	}
	vals, _, err := ta.valuesOf(c, sn, set)
	if err != nil {
		return err
	}
	tmpl := requestBase(c) + "/tiles/" + url.PathEscape(set.id) + "/{z}/{x}/{y}.mvt"
	if q := c.QueryParams().Encode(); q != "" {
		tmpl += "?" + q
	}
	desc := set.description
	fields := map[string]string{}
	if set.units != nil {
		desc = fullStop(desc) + " Areas; the MVT feature id is the unit's position in the level's units ordered by code (from 0), the GeoJSON feature id its code."
		fields["code"] = "String: the unit's code (the GeoJSON feature id)"
		fields["name"] = "String: the unit's name"
		fields["parent"] = "String: the code of the unit's parent unit, when it has one"
	} else {
		desc = fullStop(desc) + " Points; the MVT feature id is the offer's position in the layer's offers ordered by id (from 0), the GeoJSON feature id the offer's id."
		for k, v := range map[string]string{"id": "String: the offer's id", "name": "String: the offer's name",
			"category": "String", "subcategory": "String", "provider": "String: the provider (Träger)",
			"provider_type": "String", "capacity": "Number: places, when known", "address": "String",
			"target_groups": "String: target groups, comma-separated", "valid_from": "String: YYYY-MM-DD",
			"valid_to": "String: YYYY-MM-DD"} {
			fields[k] = v
		}
	}
	attribution := set.attribution
	if vals != nil {
		fields["value"] = fmt.Sprintf("Number: %s (%s) on %s; only where status is ok", vals.ind.Name, vals.ind.Unit, vals.date)
		fields["status"] = "String: ok, suppressed (withheld by disclosure control) or missing"
		fields["class"] = "String: the label of the value's class in the classification asked for (method, k, scheme; default the indicator's)"
		if a := attributionOf(vals.ind.Attribution, vals.ind.Licence); a != "" {
			attribution = strings.TrimPrefix(attribution+"; "+a, "; ")
		}
	}
	desc = strings.TrimSpace(desc + " GeoJSON tiles: the same path with .geojson.")
	w, s, e, n := set.bounds[0], set.bounds[1], set.bounds[2], set.bounds[3]
	doc := tileJSONDoc{TileJSON: "3.0.0", Name: set.name, Description: desc, Attribution: attribution, Scheme: "xyz",
		Tiles: []string{tmpl}, MinZoom: set.minZoom, MaxZoom: tiles.MaxZoom, Bounds: set.bounds,
		Center:       [3]float64{(w + e) / 2, (s + n) / 2, float64(centerZoom(set))},
		VectorLayers: []vectorLayerDoc{{ID: set.id, Description: set.name, MinZoom: set.minZoom, MaxZoom: tiles.MaxZoom, Fields: fields}}}
	c.Response().Header().Set(echo.HeaderCacheControl, cacheControl(set, vals))
	return c.JSON(http.StatusOK, doc)
}

// centerZoom is the zoom at which one tile about covers the tileset, at
// least its minzoom.
func centerZoom(set *tileSet) int {
	var b orb.Bound
	switch {
	case set.areas != nil && set.areas.Len() > 0:
		b = set.areas.Bound()
	case set.points != nil && set.points.Len() > 0:
		b = set.points.Bound()
	default:
		return set.minZoom
	}
	side := math.Max(b.Max[0]-b.Min[0], b.Max[1]-b.Min[1])
	z := int(math.Floor(math.Log2(tiles.TileSize(0) / math.Max(side, 1))))
	return min(max(z, set.minZoom), tiles.MaxZoom)
}
