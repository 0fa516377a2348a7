package api

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// OGC API - Features, Part 1 (Core, GeoJSON) under /ogc: every level and
// every offer layer is a collection of features, so that GIS clients (QGIS,
// GDAL/ogr2ogr, ArcGIS) read them without knowing the rest of the API.
// Indicator values come only from readTable, like every other answer.

const (
	confCore    = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
	confGeoJSON = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
	crs84       = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

	// The spec's default page is 10 features; the maximum is the API's.
	ogcDefaultLimit = 10
	// maxOGCIndicators bounds the work (one value table each) of one page.
	maxOGCIndicators = 20

	mediaJSON    = "application/json"
	mediaGeoJSON = "application/geo+json"
)

// ogcAPI serves /ogc. It keeps the collections' extents, which take
// reading every geometry of a level, until the next import.
type ogcAPI struct {
	*Server
	extents extentCache
}

func (s *Server) routesOGC(g *echo.Group) {
	o := &ogcAPI{Server: s}
	g.GET("", o.landing)
	g.GET("/conformance", o.conformance)
	g.GET("/collections", o.collections)
	g.GET("/collections/:collectionId", o.collection)
	g.GET("/collections/:collectionId/items", o.items)
	g.GET("/collections/:collectionId/items/:featureId", o.item)
}

// ogcLink is a link of OGC API documents (RFC 8288 fields).
type ogcLink struct {
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
	Href  string `json:"href"`
}

// Query parameters. GDAL forwards the query of the URL it was given to
// every request (OAPIF:https://…/ogc?indicators=a,b), so every /ogc
// resource accepts indicators and date; only feature lists use them.
var (
	metaParams = []string{"f", "indicators", "date"}
	itemParams = []string{"f", "indicators", "date", "bbox", "limit", "offset", "datetime"}
)

// checkOGCQuery refuses parameters the resource does not know (the spec
// asks for 400 rather than silently ignoring them) and formats other
// than JSON.
func checkOGCQuery(c echo.Context, allowed []string) error {
	query := c.QueryParams()
	for _, k := range slices.Sorted(maps.Keys(query)) { // the same answer to the same request
		vs := query[k]
		if !slices.Contains(allowed, k) {
			return atlas.Errorf(atlas.EINVALID, "query parameter %q is not known here; known: %s", k, strings.Join(allowed, ", "))
		}
		// Repeats of the same value are harmless: GDAL adds its forwarded
		// query to next links that carry it already.
		for _, v := range vs[1:] {
			if v != vs[0] {
				return atlas.Errorf(atlas.EINVALID, "query parameter %q is given twice with different values (%q, %q); give it once", k, vs[0], v)
			}
		}
		if k == "f" && vs[0] != "json" {
			return atlas.Errorf(atlas.EINVALID, "f %q: want json (the only format served)", vs[0])
		}
	}
	return nil
}

// requestBase is the scheme and host the client used, for absolute links.
func requestBase(c echo.Context) string { return c.Scheme() + "://" + c.Request().Host }

func (o *ogcAPI) landing(c echo.Context) error {
	if err := checkOGCQuery(c, metaParams); err != nil {
		return err
	}
	b := requestBase(c)
	return c.JSON(http.StatusOK, map[string]any{
		"title":       "sozialatlas",
		"description": "Levels of areas with indicator values, and help offers, as OGC API - Features collections.",
		"links": []ogcLink{
			{Rel: "self", Type: mediaJSON, Title: "This document", Href: b + "/ogc"},
			// The definition is OpenAPI 3.1 (see conformance): say so.
			{Rel: "service-desc", Type: "application/vnd.oai.openapi;version=3.1", Title: "The API definition (OpenAPI 3.1, YAML)", Href: b + "/openapi.yaml"},
			{Rel: "service-desc", Type: "application/yaml", Title: "The API definition (OpenAPI 3.1, YAML)", Href: b + "/openapi.yaml"},
			{Rel: "conformance", Type: mediaJSON, Title: "Conformance classes", Href: b + "/ogc/conformance"},
			{Rel: "data", Type: mediaJSON, Title: "Collections", Href: b + "/ogc/collections"},
		},
	})
}

// conformance declares Core and GeoJSON. Not OpenAPI 3.0: the definition
// served is OpenAPI 3.1, and a 3.0 client would misread it.
func (o *ogcAPI) conformance(c echo.Context) error {
	if err := checkOGCQuery(c, metaParams); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string][]string{"conformsTo": {confCore, confGeoJSON}})
}

// ogcCollection is a level or an offer layer seen as a collection.
type ogcCollection struct {
	ID, Title, Description string
	Level, Layer           string // exactly one is set
}

// collectionList lists the datasets as collections.
// Only those the caller may see: a hidden offer layer is not found.
func (o *ogcAPI) collectionList(c echo.Context) ([]ogcCollection, error) {
	sets, err := o.visibleDatasets(c)
	if err != nil {
		return nil, err
	}
	out := make([]ogcCollection, len(sets))
	for i, d := range sets {
		desc := d.Description
		if d.Level != "" {
			if desc == "" {
				desc = "The units of the level " + d.Name + "."
			}
			desc = fullStop(desc) + " Add indicators=<id>,… (ids from /api/v1/indicators) and date=YYYY-MM-DD to the items' query for indicator values as properties."
		}
		out[i] = ogcCollection{ID: d.ID, Title: d.Name, Description: withSource(desc, d.Attribution, d.Licence), Level: d.Level, Layer: d.Layer}
	}
	return out, nil
}

// withSource names the attribution and licence the data ask for.
func withSource(desc, attribution, licence string) string {
	for _, s := range []struct{ label, v string }{{"Source", attribution}, {"Licence", licence}} {
		if s.v != "" {
			desc = strings.TrimSpace(fullStop(desc) + " " + fullStop(s.label+": "+s.v))
		}
	}
	return desc
}

// fullStop ends s with a full stop, for descriptions joined from parts.
func fullStop(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}

// collectionOf is the collection the path names, or ENOTFOUND.
func (o *ogcAPI) collectionOf(c echo.Context) (ogcCollection, error) {
	id := c.Param("collectionId")
	list, err := o.collectionList(c)
	if err != nil {
		return ogcCollection{}, err
	}
	for _, col := range list {
		if col.ID == id {
			return col, nil
		}
	}
	return ogcCollection{}, atlas.Errorf(atlas.ENOTFOUND, "collection %q does not exist; /ogc/collections lists them", id)
}

type collectionDoc struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Description string     `json:"description,omitempty"`
	Links       []ogcLink  `json:"links"`
	Extent      *extentDoc `json:"extent,omitempty"`
	ItemType    string     `json:"itemType"`
	CRS         []string   `json:"crs"`
}

type extentDoc struct {
	Spatial struct {
		BBox [][4]float64 `json:"bbox"`
		CRS  string       `json:"crs"`
	} `json:"spatial"`
}

func (o *ogcAPI) collectionDoc(c echo.Context, col ogcCollection) (collectionDoc, error) {
	href := requestBase(c) + "/ogc/collections/" + url.PathEscape(col.ID)
	d := collectionDoc{ID: col.ID, Title: col.Title, Description: col.Description, ItemType: "feature", CRS: []string{crs84},
		Links: []ogcLink{
			{Rel: "self", Type: mediaJSON, Title: "This collection", Href: href},
			{Rel: "items", Type: mediaGeoJSON, Title: col.Title + " as GeoJSON features", Href: href + "/items"},
		}}
	bound, err := o.extent(c.Request().Context(), col)
	if err != nil || bound == nil {
		return d, err
	}
	d.Extent = &extentDoc{}
	d.Extent.Spatial.BBox = [][4]float64{{bound.Min[0], bound.Min[1], bound.Max[0], bound.Max[1]}}
	d.Extent.Spatial.CRS = crs84
	return d, nil
}

func (o *ogcAPI) collections(c echo.Context) error {
	if err := checkOGCQuery(c, metaParams); err != nil {
		return err
	}
	list, err := o.collectionList(c)
	if err != nil {
		return err
	}
	docs := make([]collectionDoc, 0, len(list))
	for _, col := range list {
		d, err := o.collectionDoc(c, col)
		if err != nil {
			return err
		}
		docs = append(docs, d)
	}
	self := ogcLink{Rel: "self", Type: mediaJSON, Title: "This document", Href: requestBase(c) + "/ogc/collections"}
	return c.JSON(http.StatusOK, map[string]any{"links": []ogcLink{self}, "collections": docs})
}

func (o *ogcAPI) collection(c echo.Context) error {
	if err := checkOGCQuery(c, metaParams); err != nil {
		return err
	}
	col, err := o.collectionOf(c)
	if err != nil {
		return err
	}
	d, err := o.collectionDoc(c, col)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// extentCache holds the bounds of each collection, computed at one import.
type extentCache struct {
	mu       sync.Mutex
	importID int64
	bounds   map[string]*orb.Bound // nil: the collection has no features
}

// extent is the bounding box of a collection's geometries (WGS84), or nil
// when it has none. It is computed once per import: units change only by
// imports.
func (o *ogcAPI) extent(ctx context.Context, col ogcCollection) (*orb.Bound, error) {
	last, err := o.store.Imports(ctx, 1)
	if err != nil {
		return nil, err
	}
	var id int64
	if len(last) > 0 {
		id = last[0].ID
	}
	o.extents.mu.Lock()
	defer o.extents.mu.Unlock()
	if o.extents.bounds == nil || o.extents.importID != id {
		o.extents.bounds, o.extents.importID = map[string]*orb.Bound{}, id
	}
	if b, found := o.extents.bounds[col.ID]; found {
		return b, nil
	}
	b, err := o.computeExtent(ctx, col)
	if err != nil {
		return nil, err
	}
	o.extents.bounds[col.ID] = b
	return b, nil
}

func (o *ogcAPI) computeExtent(ctx context.Context, col ogcCollection) (*orb.Bound, error) {
	var b *orb.Bound
	grow := func(x orb.Bound) {
		if b == nil {
			b = &x
		} else {
			*b = b.Union(x)
		}
	}
	if col.Layer != "" {
		offers, err := o.store.Offers(ctx, col.Layer, atlas.OfferQuery{})
		for _, of := range offers {
			grow(of.Geometry.Bound())
		}
		return b, err
	}
	// Page by page, so that a level of 100,000 blocks is never held whole.
	const step = 2000
	for off := 0; ; off += step {
		units, err := o.store.Units(ctx, col.Level, atlas.UnitQuery{Limit: step, Offset: off})
		if err != nil {
			return nil, err
		}
		for _, u := range units {
			grow(u.Geometry.Bound())
		}
		if len(units) < step {
			return b, nil
		}
	}
}

// itemsQuery is what a feature list is asked for.
type itemsQuery struct {
	page   page
	bbox   *orb.Bound
	period validPeriod
}

func itemsQueryOf(c echo.Context) (itemsQuery, error) {
	var q itemsQuery
	if err := checkOGCQuery(c, itemParams); err != nil {
		return q, err
	}
	p, err := pageQuery(c)
	if err != nil {
		return q, err
	}
	if c.QueryParam("limit") == "" {
		p.limit = ogcDefaultLimit
	}
	q.page = p
	if q.bbox, err = parseBBox(c.QueryParam("bbox")); err != nil {
		return q, err
	}
	q.period, err = parsePeriod(c.QueryParam("datetime"))
	return q, err
}

// validPeriod is a range of days [from, to]; a zero end is open.
type validPeriod struct{ from, to atlas.Date }

// overlaps reports whether the validity of a feature meets the period.
func (p validPeriod) overlaps(v atlas.Validity) bool {
	return (p.to == 0 || v.From == 0 || v.From <= p.to) && (p.from == 0 || v.To == 0 || v.To >= p.from)
}

// parsePeriod reads the spec's datetime: an instant or an interval a/b
// with open ends "..". Units and offers are valid on days, so an instant
// with a time counts as its day (as written, in its own offset).
func parsePeriod(s string) (validPeriod, error) {
	if s == "" {
		return validPeriod{}, nil
	}
	bad := atlas.Errorf(atlas.EINVALID, "datetime %q: want a date or RFC 3339 date-time, or an interval start/end with .. for an open end", s)
	ends := strings.Split(s, "/")
	if len(ends) > 2 {
		return validPeriod{}, bad
	}
	var ds [2]atlas.Date
	for i, e := range ends {
		if e == ".." || (e == "" && len(ends) == 2) {
			continue
		}
		if len(e) == 10 {
			d, err := atlas.ParseDate(e)
			if err != nil || e[4] != '-' {
				return validPeriod{}, bad
			}
			ds[i] = d
			continue
		}
		t, err := time.Parse(time.RFC3339, e)
		if err != nil {
			return validPeriod{}, bad
		}
		ds[i] = atlas.DateOf(t)
	}
	if len(ends) == 1 {
		if ds[0] == 0 {
			return validPeriod{}, bad
		}
		return validPeriod{ds[0], ds[0]}, nil
	}
	if ds[0] != 0 && ds[1] != 0 && ds[1] < ds[0] {
		return validPeriod{}, atlas.Errorf(atlas.EINVALID, "datetime %q: the interval ends before it starts", s)
	}
	return validPeriod{ds[0], ds[1]}, nil
}

// indicatorColumn is one requested indicator's values at a level, by unit code.
type indicatorColumn struct {
	id   string
	rows map[string]row
}

// indicatorColumns reads the indicators the query names (indicators=a,b
// and date), each through readTable: hidden ones answer 404, and only OK
// rows carry numbers. Unit features of the REST API and of OGC carry them.
func (s *Server) indicatorColumns(c echo.Context, level string) ([]indicatorColumn, error) {
	ids, err := parseIndicatorList(c.QueryParam("indicators"))
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	var date atlas.Date
	if v := c.QueryParam("date"); v != "" {
		if date, err = atlas.ParseDate(v); err != nil || v[4] != '-' {
			return nil, atlas.Errorf(atlas.EINVALID, "date %q: want YYYY-MM-DD", v)
		}
	}
	cols := make([]indicatorColumn, 0, len(ids))
	for _, id := range ids {
		ind, err := s.indicator(c, id)
		if err != nil {
			return nil, err
		}
		t, err := s.readTable(c, ind, level, date)
		if err != nil {
			return nil, err
		}
		col := indicatorColumn{id: id, rows: make(map[string]row, len(t.Rows))}
		for _, r := range t.Rows {
			col.rows[r.Code] = r
		}
		cols = append(cols, col)
	}
	return cols, nil
}

// unitProps are the properties every unit feature has; indicator
// properties may not repeat them.
var unitProps = []string{"code", "name", "parent", "level", "valid_from", "valid_to"}

// parseIndicatorList reads "a,b,c": at most maxOGCIndicators ids whose
// properties (id and id_status) are all distinct.
func parseIndicatorList(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	ids := strings.Split(s, ",")
	if len(ids) > maxOGCIndicators {
		return nil, atlas.Errorf(atlas.EINVALID, "indicators: %d named, at most %d per request", len(ids), maxOGCIndicators)
	}
	used := map[string]bool{}
	for _, p := range unitProps {
		used[p] = true
	}
	for i, id := range ids {
		id = strings.TrimSpace(id)
		if !atlas.ValidID(id) {
			return nil, atlas.Errorf(atlas.EINVALID, "indicators: %q is not an indicator id; want ids separated by commas", id)
		}
		for _, p := range []string{id, id + "_status"} {
			if used[p] {
				return nil, atlas.Errorf(atlas.EINVALID, "indicators: %s would repeat the property %q; name each indicator once", id, p)
			}
			used[p] = true
		}
		ids[i] = id
	}
	return ids, nil
}

func (o *ogcAPI) items(c echo.Context) error {
	col, err := o.collectionOf(c)
	if err != nil {
		return err
	}
	q, err := itemsQueryOf(c)
	if err != nil {
		return err
	}
	if col.Layer != "" {
		return o.offerItems(c, col, q)
	}
	return o.unitItems(c, col, q)
}

// unitItems lists a page of a level's units. The codes matching the
// filters are read without geometry first: their number is numberMatched,
// and only the page's units are read with geometry.
func (o *ogcAPI) unitItems(c echo.Context, col ogcCollection, q itemsQuery) error {
	ctx := c.Request().Context()
	cols, err := o.indicatorColumns(c, col.Level)
	if err != nil {
		return err
	}
	all, err := o.store.Units(ctx, col.Level, atlas.UnitQuery{BBox: q.bbox, NoGeometry: true})
	if err != nil {
		return err
	}
	var codes []string
	for _, u := range all {
		if q.period.overlaps(u.Validity) {
			codes = append(codes, u.Code)
		}
	}
	var units []atlas.Unit
	if pg := pageSlice(codes, q.page); len(pg) > 0 {
		if units, err = o.store.Units(ctx, col.Level, atlas.UnitQuery{Codes: pg}); err != nil {
			return err
		}
	}
	fw := startFeatures(c)
	for _, u := range units {
		fw.add(appendUnitFeature(fw.buf[:0], u, cols))
	}
	return fw.finish(len(codes), pageLinks(c, q.page, len(units), len(codes)))
}

// offerItems lists a page of an offer layer. Layers hold thousands of
// points, so they are filtered whole.
func (o *ogcAPI) offerItems(c echo.Context, col ogcCollection, q itemsQuery) error {
	all, err := o.store.Offers(c.Request().Context(), col.Layer, atlas.OfferQuery{BBox: q.bbox})
	if err != nil {
		return err
	}
	var matched []atlas.Offer
	for _, of := range all {
		if q.period.overlaps(of.Validity) {
			matched = append(matched, of)
		}
	}
	pg := pageSlice(matched, q.page)
	fw := startFeatures(c)
	for _, of := range pg {
		fw.add(appendOfferFeature(fw.buf[:0], of))
	}
	return fw.finish(len(matched), pageLinks(c, q.page, len(pg), len(matched)))
}

// pageSlice is the page p of xs.
func pageSlice[T any](xs []T, p page) []T {
	if p.offset >= len(xs) {
		return nil
	}
	return xs[p.offset:min(len(xs), p.offset+p.limit)]
}

func (o *ogcAPI) item(c echo.Context) error {
	col, err := o.collectionOf(c)
	if err != nil {
		return err
	}
	if err := checkOGCQuery(c, metaParams); err != nil {
		return err
	}
	id := c.Param("featureId")
	if c.Request().URL.RawPath != "" { // echo leaves parameters of an unusual encoding escaped
		if id, err = url.PathUnescape(id); err != nil {
			return atlas.Errorf(atlas.EINVALID, "feature id %q is not a valid URL path segment", c.Param("featureId"))
		}
	}
	ctx := c.Request().Context()
	var b []byte
	if col.Layer != "" {
		offers, err := o.store.Offers(ctx, col.Layer, atlas.OfferQuery{})
		if err != nil {
			return err
		}
		if i := slices.IndexFunc(offers, func(of atlas.Offer) bool { return of.ID == id }); i >= 0 {
			b = appendOfferFeature(nil, offers[i])
		}
	} else {
		cols, err := o.indicatorColumns(c, col.Level)
		if err != nil {
			return err
		}
		units, err := o.store.Units(ctx, col.Level, atlas.UnitQuery{Codes: []string{id}})
		if err != nil {
			return err
		}
		if len(units) == 1 {
			b = appendUnitFeature(nil, units[0], cols)
		}
	}
	if b == nil {
		return atlas.Errorf(atlas.ENOTFOUND, "feature %q does not exist in collection %q", id, col.ID)
	}
	colHref := requestBase(c) + "/ogc/collections/" + url.PathEscape(col.ID)
	links, _ := json.Marshal([]ogcLink{
		{Rel: "self", Type: mediaGeoJSON, Title: "This feature", Href: colHref + "/items/" + url.PathEscape(id)},
		{Rel: "collection", Type: mediaJSON, Title: col.Title, Href: colHref},
	})
	b = append(append(append(b[:len(b)-1], `,"links":`...), links...), "}\n"...)
	return c.Blob(http.StatusOK, mediaGeoJSON, b)
}

// pageLinks are the links of a feature page: itself, and the pages before
// and after it where there are any.
func pageLinks(c echo.Context, p page, returned, matched int) []ogcLink {
	links := []ogcLink{{Rel: "self", Type: mediaGeoJSON, Title: "This page", Href: requestBase(c) + c.Request().URL.RequestURI()}}
	if p.offset+returned < matched {
		links = append(links, ogcLink{Rel: "next", Type: mediaGeoJSON, Title: "Next page", Href: pageURL(c, p.limit, p.offset+p.limit)})
	}
	if p.offset > 0 {
		links = append(links, ogcLink{Rel: "prev", Type: mediaGeoJSON, Title: "Previous page", Href: pageURL(c, p.limit, max(0, p.offset-p.limit))})
	}
	return links
}

// pageURL is the request's own URL, absolute, at another page.
func pageURL(c echo.Context, limit, offset int) string {
	u := c.Request().URL
	q := u.Query()
	q.Set("limit", strconv.Itoa(limit))
	q.Set("offset", strconv.Itoa(offset))
	return requestBase(c) + u.Path + "?" + q.Encode()
}

// featureWriter streams a FeatureCollection, one feature at a time.
type featureWriter struct {
	bw  *bufio.Writer
	buf []byte // reused for each feature
	n   int
}

func startFeatures(c echo.Context) *featureWriter {
	c.Response().Header().Set(echo.HeaderContentType, mediaGeoJSON)
	c.Response().WriteHeader(http.StatusOK)
	fw := &featureWriter{bw: bufio.NewWriterSize(c.Response(), 64<<10), buf: make([]byte, 0, 4096)}
	fw.bw.WriteString(`{"type":"FeatureCollection","features":[`)
	return fw
}

func (fw *featureWriter) add(feature []byte) {
	if fw.n > 0 {
		fw.bw.WriteByte(',')
	}
	fw.bw.Write(feature)
	fw.buf = feature // keep the grown buffer
	fw.n++
}

func (fw *featureWriter) finish(matched int, links []ogcLink) error {
	l, _ := json.Marshal(links)
	fmt.Fprintf(fw.bw, `],"timeStamp":%q,"numberMatched":%d,"numberReturned":%d,"links":%s}`+"\n",
		time.Now().UTC().Format(time.RFC3339), matched, fw.n, l)
	return fw.bw.Flush()
}

// appendUnitFeature appends a unit as a feature. Every unit has the same
// properties in the same order, null where empty (clients such as GDAL
// derive the schema from the first features): code, name, parent, level,
// valid_from, valid_to, then each indicator's value (a number only when
// its status is ok) and status.
func appendUnitFeature(b []byte, u atlas.Unit, cols []indicatorColumn) []byte {
	b = appendFeatureStart(b, u.Code)
	b = appendMember(b, "code", u.Code)
	b = appendMember(b, "name", u.Name)
	b = appendMember(b, "parent", orNull(u.Parent))
	b = appendMember(b, "level", u.Level)
	b = appendMember(b, "valid_from", orNull(u.From.String()))
	b = appendMember(b, "valid_to", orNull(u.To.String()))
	for _, col := range cols {
		r, found := col.rows[u.Code]
		var v any
		status := atlas.Missing
		if found {
			status = r.Status
			if r.Value != nil { // set only for OK rows (readTable)
				v = *r.Value
			}
		}
		b = appendMember(b, col.id, v)
		b = appendMember(b, col.id+"_status", string(status))
	}
	b = append(b, `},"geometry":`...)
	b = appendMultiPolygon(b, u.Geometry)
	return append(b, '}')
}

// appendOfferFeature appends an offer as a point feature. Target groups
// are one comma-separated text, which every GIS format can hold; the
// publisher's free attributes are left out, as they differ from offer to
// offer.
func appendOfferFeature(b []byte, of atlas.Offer) []byte {
	b = appendFeatureStart(b, of.ID)
	b = appendMember(b, "id", of.ID)
	b = appendMember(b, "name", of.Name)
	b = appendMember(b, "category", orNull(of.Category))
	b = appendMember(b, "subcategory", orNull(of.Subcategory))
	b = appendMember(b, "provider", orNull(of.Provider))
	b = appendMember(b, "provider_type", orNull(of.ProviderType))
	var capacity any
	if of.Capacity != nil {
		capacity = *of.Capacity
	}
	b = appendMember(b, "capacity", capacity)
	b = appendMember(b, "address", orNull(of.Address))
	b = appendMember(b, "target_groups", orNull(strings.Join(of.TargetGroups, ",")))
	b = appendMember(b, "valid_from", orNull(of.From.String()))
	b = appendMember(b, "valid_to", orNull(of.To.String()))
	b = append(b, `},"geometry":{"type":"Point","coordinates":[`...)
	b = strconv.AppendFloat(b, of.Geometry[0], 'f', -1, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, of.Geometry[1], 'f', -1, 64)
	return append(b, "]}}"...)
}

func appendFeatureStart(b []byte, id string) []byte {
	b = append(b, `{"type":"Feature","id":`...)
	b = appendJSON(b, id)
	return append(b, `,"properties":{`...)
}

// appendMember appends "key":value to the JSON object being written.
func appendMember(b []byte, key string, v any) []byte {
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = appendJSON(b, key)
	b = append(b, ':')
	return appendJSON(b, v)
}

func appendJSON(b []byte, v any) []byte {
	j, err := json.Marshal(v)
	if err != nil { // only non-finite numbers, which no value may be
		return append(b, "null"...)
	}
	return append(b, j...)
}

// orNull is s, or nil (JSON null) when s is empty.
func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}
