package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/auth"
	"github.com/sozialatlas/sozialatlas/pkg/engine"
	"github.com/sozialatlas/sozialatlas/pkg/geo"
	"github.com/sozialatlas/sozialatlas/pkg/importer"
)

// routesInventory registers the offer inventory (editing offers, a
// provider's list, counts per area), the gap analysis, area profiles and
// the targets of an action plan. Editors and admins change offers; every
// change is an entry of the import log, so the audit log lists it and
// the data version (and with it every cached answer and tile) moves on.
func (s *Server) routesInventory(g *echo.Group, e *echo.Echo) {
	editor := require(auth.Editor)
	g.POST("/layers/:layer/offers", s.createOffer, editor)
	g.POST("/layers/:layer/offers/import", s.importOffers, editor)
	g.PATCH("/layers/:layer/offers/:offerId", s.updateOffer, editor)
	g.POST("/layers/:layer/offers/:offerId/close", s.closeOffer, editor)
	g.GET("/levels/:level/offer-counts", s.offerCounts)
	g.GET("/gaps", s.gaps)
	g.GET("/levels/:level/units/:code/profile", s.profile)
	g.GET("/indicators/:id/targets", s.targets)
	e.GET("/profiles/:level/:code", s.profilePage)
}

// offerInput is an offer as an editor writes it (POST) or changes it
// (PATCH): the offer's fields, and its place as lon and lat (WGS84) or as
// the interior point of a unit (level and area_code).
type offerInput struct {
	ID             string         `json:"id"`
	Name           string         `json:"name"`
	Category       string         `json:"category"`
	Subcategory    string         `json:"subcategory"`
	Provider       string         `json:"provider"`
	ProviderType   string         `json:"provider_type"`
	Capacity       *int           `json:"capacity"`
	Address        string         `json:"address"`
	TargetGroups   []string       `json:"target_groups"`
	AgeMin         *int           `json:"age_min"`
	AgeMax         *int           `json:"age_max"`
	HouseholdTypes []string       `json:"household_types"`
	Conditions     []string       `json:"conditions"`
	ConditionsNote string         `json:"conditions_note"`
	Goals          []string       `json:"goals"`
	Languages      []string       `json:"languages"`
	BarrierFree    *bool          `json:"barrier_free"`
	OpeningHours   string         `json:"opening_hours"`
	Contact        string         `json:"contact"`
	ValidFrom      atlas.Date     `json:"valid_from"`
	ValidTo        atlas.Date     `json:"valid_to"`
	Attributes     map[string]any `json:"attributes"`
	Lon            *float64       `json:"lon"`
	Lat            *float64       `json:"lat"`
	Level          string         `json:"level"`
	AreaCode       string         `json:"area_code"`
}

// placeKeys are the input's keys that say where an offer is, not what.
var placeKeys = []string{"lon", "lat", "level", "area_code"}

// inputOf is the input that would write the offer as it is. Lists and
// attributes are copies: a patch decoded into the input must not change
// the offer it started from.
func inputOf(o atlas.Offer) offerInput {
	lon, lat := o.Geometry[0], o.Geometry[1]
	return offerInput{ID: o.ID, Name: o.Name, Category: o.Category, Subcategory: o.Subcategory, Provider: o.Provider,
		ProviderType: o.ProviderType, Capacity: o.Capacity, Address: o.Address, TargetGroups: slices.Clone(o.TargetGroups),
		AgeMin: o.AgeMin, AgeMax: o.AgeMax, HouseholdTypes: slices.Clone(o.HouseholdTypes), Conditions: slices.Clone(o.Conditions),
		ConditionsNote: o.ConditionsNote, Goals: slices.Clone(o.Goals), Languages: slices.Clone(o.Languages), BarrierFree: o.BarrierFree,
		OpeningHours: o.OpeningHours, Contact: o.Contact, ValidFrom: o.From, ValidTo: o.To, Attributes: maps.Clone(o.Attributes),
		Lon: &lon, Lat: &lat}
}

func (in *offerInput) offer(layer string) atlas.Offer {
	nilIfEmpty := func(l []string) []string {
		if len(l) == 0 {
			return nil
		}
		return l
	}
	o := atlas.Offer{Layer: layer, ID: in.ID, Name: in.Name, Category: in.Category, Subcategory: in.Subcategory,
		Provider: in.Provider, ProviderType: in.ProviderType, Capacity: in.Capacity, Address: in.Address,
		TargetGroups: nilIfEmpty(in.TargetGroups), AgeMin: in.AgeMin, AgeMax: in.AgeMax,
		HouseholdTypes: nilIfEmpty(in.HouseholdTypes), Conditions: nilIfEmpty(in.Conditions), ConditionsNote: in.ConditionsNote,
		Goals: nilIfEmpty(in.Goals), Languages: nilIfEmpty(in.Languages), BarrierFree: in.BarrierFree,
		OpeningHours: in.OpeningHours, Contact: in.Contact, Validity: atlas.Validity{From: in.ValidFrom, To: in.ValidTo},
		Attributes: in.Attributes}
	if len(o.Attributes) == 0 {
		o.Attributes = nil
	}
	return o
}

// offerDoc is an offer as the inventory's answers show it: its fields,
// with the point as lon and lat.
type offerDoc struct {
	atlas.Offer
	Lon float64 `json:"lon"`
	Lat float64 `json:"lat"`
}

func docOf(o atlas.Offer) offerDoc { return offerDoc{Offer: o, Lon: o.Geometry[0], Lat: o.Geometry[1]} }

// offerChangeDoc answers a change of an offer.
type offerChangeDoc struct {
	Offer    offerDoc `json:"offer"`
	Action   string   `json:"action"`
	Changed  []string `json:"changed"`
	ImportID int64    `json:"import_id"`
	// Compute is what the engine computed again (the indicators of the
	// offer's layer); absent when nothing depends on it.
	Compute *engine.Report `json:"compute,omitempty"`
}

// editableLayer is a layer the caller may see (404 otherwise, never 403).
func (s *Server) editableLayer(c echo.Context) (atlas.OfferLayer, []atlas.Offer, error) {
	layer, err := s.layerOf(c, c.Param("layer"))
	if err != nil {
		return layer, nil, err
	}
	offers, err := s.store.Offers(c.Request().Context(), layer.ID, atlas.OfferQuery{})
	return layer, offers, err
}

// createOffer adds an offer to a layer. Without an id one is made.
func (s *Server) createOffer(c echo.Context) error {
	layer, offers, err := s.editableLayer(c)
	if err != nil {
		return err
	}
	var in offerInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.ID == "" {
		in.ID = newOfferID()
	}
	if slices.ContainsFunc(offers, func(o atlas.Offer) bool { return o.ID == in.ID }) {
		return atlas.Errorf(atlas.ECONFLICT, "offer %q exists already in layer %s: change it with PATCH /api/v1/layers/%s/offers/%s", in.ID, layer.ID, layer.ID, url.PathEscape(in.ID))
	}
	o := in.offer(layer.ID)
	if err := s.place(c.Request().Context(), &o, &in, true); err != nil {
		return err
	}
	if err := s.checkOffer(&o, allFields()); err != nil {
		return err
	}
	src := atlas.Source{Name: "offer " + layer.ID + "/" + o.ID, Action: atlas.OfferCreate, Note: o.Name}
	return s.writeOffer(c, o, src, http.StatusCreated, nil)
}

// updateOffer changes the fields a JSON merge patch (RFC 7396) names:
// a field given replaces the stored one, null clears it. The id cannot
// change; the place changes with lon and lat, or level and area_code.
func (s *Server) updateOffer(c echo.Context) error {
	layer, offers, err := s.editableLayer(c)
	if err != nil {
		return err
	}
	old, err := findOffer(offers, layer.ID, c.Param("offerId"))
	if err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, 1<<20))
	if err != nil {
		return atlas.Errorf(atlas.EINVALID, "request body: %v", err)
	}
	var patch map[string]json.RawMessage
	if err := json.Unmarshal(body, &patch); err != nil || patch == nil {
		return atlas.Errorf(atlas.EINVALID, "request body: want a JSON object with the fields to change (RFC 7396 merge patch)")
	}
	in, before := inputOf(old), inputOf(old)
	if err := jsonDecoder(bytes.NewReader(body)).Decode(&in); err != nil {
		return atlas.Errorf(atlas.EINVALID, "request body: %v", err)
	}
	for key, raw := range patch {
		if string(raw) == "null" {
			clearField(&in, key)
		}
	}
	if in.ID != old.ID {
		return atlas.Errorf(atlas.EINVALID, "id: an offer's id cannot change (it is %q); close this offer and create another", old.ID)
	}
	o := in.offer(layer.ID)
	o.Geometry = old.Geometry
	given := func(k string) bool { _, ok := patch[k]; return ok }
	moved := slices.ContainsFunc(placeKeys, given)
	if given("lon") != given("lat") {
		return atlas.Errorf(atlas.EINVALID, "give both lon and lat to move the offer")
	}
	if moved && !given("lon") && !given("lat") {
		in.Lon, in.Lat = nil, nil // placed by its area instead
	}
	if moved {
		if err := s.place(c.Request().Context(), &o, &in, false); err != nil {
			return err
		}
	}
	changed := changedFields(before, in)
	if moved && o.Geometry != old.Geometry {
		changed = append(changed, "location")
	}
	if err := s.checkOffer(&o, changed); err != nil {
		return err
	}
	if len(changed) == 0 {
		return c.JSON(http.StatusOK, offerChangeDoc{Offer: docOf(old), Action: atlas.OfferUpdate, Changed: []string{}})
	}
	src := atlas.Source{Name: "offer " + layer.ID + "/" + o.ID, Action: atlas.OfferUpdate, Note: o.Name + ": " + strings.Join(changed, ", ")}
	return s.writeOffer(c, o, src, http.StatusOK, changed)
}

type closeRequest struct {
	ValidTo atlas.Date `json:"valid_to"`
	Reason  string     `json:"reason"`
}

// closeOffer ends an offer: its valid_to is set (the last day it ran,
// today by default). Nothing is deleted, so the inventory of any earlier
// day still shows it.
func (s *Server) closeOffer(c echo.Context) error {
	layer, offers, err := s.editableLayer(c)
	if err != nil {
		return err
	}
	o, err := findOffer(offers, layer.ID, c.Param("offerId"))
	if err != nil {
		return err
	}
	var req closeRequest
	if c.Request().ContentLength != 0 {
		if err := decodeJSON(c, &req); err != nil && !strings.Contains(err.Error(), "EOF") {
			return err
		}
	}
	if len(req.Reason) > 500 {
		return atlas.Errorf(atlas.EINVALID, "reason is longer than 500 characters")
	}
	day := req.ValidTo
	if day == 0 {
		day = atlas.DateOf(time.Now())
	}
	if o.To != 0 && o.To <= day {
		return atlas.Errorf(atlas.ECONFLICT, "offer %s is closed already: it ran until %s", o.ID, o.To)
	}
	if o.From != 0 && day < o.From {
		return atlas.Errorf(atlas.EINVALID, "valid_to %s is before the offer began (%s)", day, o.From)
	}
	o.To = day
	note := o.Name + ": valid_to " + day.String()
	if req.Reason != "" {
		note += " (" + req.Reason + ")"
	}
	src := atlas.Source{Name: "offer " + layer.ID + "/" + o.ID, Action: atlas.OfferClose, Note: note}
	return s.writeOffer(c, o, src, http.StatusOK, []string{"valid_to"})
}

func findOffer(offers []atlas.Offer, layer, id string) (atlas.Offer, error) {
	for _, o := range offers {
		if o.ID == id {
			return o, nil
		}
	}
	return atlas.Offer{}, atlas.Errorf(atlas.ENOTFOUND, "offer %q does not exist in layer %s", id, layer)
}

// writeOffer writes one offer as an entry of the import log by the
// caller, and computes again what depends on the layer.
func (s *Server) writeOffer(c echo.Context, o atlas.Offer, src atlas.Source, status int, changed []string) error {
	src.User = principal(c).Name
	b := &atlas.Batch{Source: src, Offers: []atlas.Offer{o}}
	defer s.dataChanged()
	ch, err := s.store.Apply(c.Request().Context(), b, atlas.ApplyOptions{})
	if err != nil {
		return err
	}
	doc := offerChangeDoc{Offer: docOf(o), Action: src.Action, Changed: changed, ImportID: ch.ImportID}
	if doc.Changed == nil {
		doc.Changed = allFields()
	}
	if doc.Compute, err = s.recompute(c, b.Touched(), src.User); err != nil {
		return err
	}
	if status == http.StatusCreated {
		c.Response().Header().Set(echo.HeaderLocation, "/ogc/collections/offers-"+url.PathEscape(o.Layer)+"/items/"+url.PathEscape(o.ID))
	}
	return c.JSON(status, doc)
}

// recompute computes again what depends on a change, as after an import.
func (s *Server) recompute(c echo.Context, t atlas.Touched, user string) (*engine.Report, error) {
	if s.catalog == nil {
		return nil, nil
	}
	start := time.Now()
	rep, err := (&engine.Engine{Store: s.store, Catalog: s.catalog, Log: s.log}).Recompute(c.Request().Context(), t, user)
	if err != nil {
		return nil, err
	}
	s.metrics.computes.Observe(time.Since(start).Seconds())
	return rep, nil
}

// place sets the offer's point from lon and lat, or from the interior
// point of the unit that level and area_code name (pkg/geo, as the engine
// places population). A new offer needs one of them.
func (s *Server) place(ctx context.Context, o *atlas.Offer, in *offerInput, required bool) error {
	hasPoint := in.Lon != nil || in.Lat != nil
	hasArea := in.AreaCode != "" || in.Level != ""
	switch {
	case hasPoint && hasArea:
		return atlas.Errorf(atlas.EINVALID, "give either lon and lat or level and area_code, not both")
	case hasPoint:
		if in.Lon == nil || in.Lat == nil {
			return atlas.Errorf(atlas.EINVALID, "give both lon and lat")
		}
		o.Geometry = orb.Point{*in.Lon, *in.Lat}
	case hasArea:
		if in.AreaCode == "" || in.Level == "" {
			return atlas.Errorf(atlas.EINVALID, "give both level and area_code to place the offer at the unit's interior point")
		}
		units, err := s.store.Units(ctx, in.Level, atlas.UnitQuery{Codes: []string{in.AreaCode}})
		if err != nil {
			return err
		}
		if len(units) == 0 {
			return atlas.Errorf(atlas.EINVALID, "area_code: no unit %q at level %s", in.AreaCode, in.Level)
		}
		o.Geometry = geo.InteriorPoint(units[0].Geometry)
		in.Lon, in.Lat, in.Level, in.AreaCode = &o.Geometry[0], &o.Geometry[1], "", ""
		return nil
	case required:
		return atlas.Errorf(atlas.EINVALID, "the offer has no place: give lon and lat (WGS84, e.g. from a click on the map) or level and area_code")
	default:
		return nil
	}
	city, err := importer.CityBound(ctx, s.store)
	if err != nil {
		return err
	}
	if !importer.InCity(city, o.Geometry) {
		return atlas.Errorf(atlas.EINVALID, "lon %g, lat %g lies outside the city's areas: want longitude and latitude in WGS84 degrees, longitude first", o.Geometry[0], o.Geometry[1])
	}
	return nil
}

// checkOffer checks an offer before it is written: the provider type and
// goals against their vocabularies where the request set them (offers
// imported from a publisher's file keep the publisher's words until an
// editor changes them), and everything else as the store would.
func (s *Server) checkOffer(o *atlas.Offer, changed []string) error {
	if slices.Contains(changed, "provider_type") && o.ProviderType != "" {
		if err := atlas.CheckProviderType(o.ProviderType); err != nil {
			return err
		}
	}
	if slices.Contains(changed, "goals") {
		if err := atlas.CheckGoals(o.Goals, s.catalog.Goals()); err != nil {
			return err
		}
	}
	if errs := o.InventoryErrors(); len(errs) > 0 {
		return atlas.Errorf(atlas.EINVALID, "%s: %s", errs[0].Field, errs[0].Message)
	}
	if err := o.Validate(); err != nil {
		return atlas.Errorf(atlas.EINVALID, "%s", strings.TrimPrefix(atlas.ErrorMessage(err), "offer "+o.ID+": "))
	}
	return nil
}

// allFields are the fields of a new offer, for checks and answers.
func allFields() []string {
	var out []string
	t := reflect.TypeOf(offerInput{})
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if !slices.Contains(placeKeys, name) {
			out = append(out, name)
		}
	}
	return out
}

// changedFields names the fields whose JSON differs.
func changedFields(a, b offerInput) []string {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	var ma, mb map[string]json.RawMessage
	json.Unmarshal(ja, &ma)
	json.Unmarshal(jb, &mb)
	out := []string{}
	for _, k := range allFields() {
		if !bytes.Equal(normalJSON(ma[k]), normalJSON(mb[k])) {
			out = append(out, k)
		}
	}
	return out
}

// normalJSON makes an empty list, an empty object and null one thing.
func normalJSON(b json.RawMessage) []byte {
	switch string(b) {
	case "[]", "{}", `""`:
		return []byte("null")
	}
	return b
}

// clearField sets the input's field with the JSON name key to its zero
// value: a merge patch's null.
func clearField(in *offerInput, key string) {
	v := reflect.ValueOf(in).Elem()
	for i := range v.NumField() {
		if name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ","); name == key {
			v.Field(i).SetZero()
		}
	}
}

// newOfferID makes an id for an offer entered without one.
func newOfferID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return "o-" + time.Now().Format("20060102") + "-" + hex.EncodeToString(b)
}

// importDocOffers answers a provider's list.
type offerListDoc struct {
	Report  *importer.OfferListReport `json:"report"`
	Compute *engine.Report            `json:"compute,omitempty"`
}

// importOffers reads a provider's list of offers (CSV or XLSX, as the
// request body or as the file of a multipart form) into a layer, all or
// nothing; with dry_run=true it checks and reports without writing.
func (s *Server) importOffers(c echo.Context) error {
	dryRun, err := boolParam(c, "dry_run")
	if err != nil {
		return err
	}
	layer, err := s.layerOf(c, c.Param("layer"))
	if err != nil {
		return err
	}
	format := c.QueryParam("format")
	if format != "" && format != "csv" && format != "xlsx" {
		return atlas.Errorf(atlas.EINVALID, "format %q: want csv or xlsx (or leave it out: XLSX is recognised)", format)
	}
	data, name, err := s.upload(c)
	if err != nil {
		return err
	}
	if format == "" && strings.HasSuffix(strings.ToLower(name), ".xlsx") {
		format = "xlsx"
	}
	user := principal(c).Name
	rep, err := importer.ImportOfferList(c.Request().Context(), s.store, data, importer.OfferListOptions{Name: name, Layer: layer.ID,
		Format: format, Sheet: c.QueryParam("sheet"), Level: c.QueryParam("level"), Goals: s.catalog.Goals(), User: user, DryRun: dryRun})
	if err != nil {
		return err
	}
	doc := offerListDoc{Report: rep}
	if !rep.OK() {
		return c.JSON(http.StatusUnprocessableEntity, doc)
	}
	if dryRun {
		return c.JSON(http.StatusOK, doc)
	}
	defer s.dataChanged()
	if doc.Compute, err = s.recompute(c, rep.Touched, user); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, doc)
}

// upload reads the request's file: the body, or the field "file" of a
// multipart form; and its name (the form's file name, ?name=, or
// "offers").
func (s *Server) upload(c echo.Context) ([]byte, string, error) {
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, s.maxUpload)
	tooLarge := func(err error) error {
		if errors.As(err, new(*http.MaxBytesError)) {
			return atlas.Errorf(atlas.ETOOLARGE, "the upload is larger than %d MB", s.maxUpload>>20)
		}
		return atlas.Errorf(atlas.EINVALID, "read the upload: %v", err)
	}
	name := c.QueryParam("name")
	if mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType)); mt == "multipart/form-data" {
		fh, err := c.FormFile("file")
		if err != nil {
			if errors.As(err, new(*http.MaxBytesError)) {
				return nil, "", tooLarge(err)
			}
			return nil, "", atlas.Errorf(atlas.EINVALID, "the form has no file field \"file\": %v", err)
		}
		f, err := fh.Open()
		if err != nil {
			return nil, "", tooLarge(err)
		}
		defer f.Close()
		data, err := io.ReadAll(f)
		if err != nil {
			return nil, "", tooLarge(err)
		}
		if name == "" {
			name = fh.Filename
		}
		return data, orDefault(name, "offers"), nil
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, "", tooLarge(err)
	}
	if len(data) == 0 {
		return nil, "", atlas.Errorf(atlas.EINVALID, "the request has no file: send the list as the body (text/csv or XLSX) or as the field \"file\" of a form")
	}
	return data, orDefault(name, "offers"), nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// ---- where offers are ----

// offerAssigner assigns offers to the units of a level by the engine's
// rule (docs/indicators.md, "Offers in units"): each offer is located by
// point in polygon with pkg/geo's border rule in the finest level below
// the level, and counted in that unit's ancestor at the level.
type offerAssigner struct {
	units  []atlas.Unit // the level's units in code order, without geometry
	loc    *geo.Locator
	upward []int // finest unit → index into units (-1: none)
}

func (s *Server) offerAssigner(ctx context.Context, level string) (*offerAssigner, error) {
	units, err := s.store.Units(ctx, level, atlas.UnitQuery{NoGeometry: true})
	if err != nil {
		return nil, err
	}
	levels, err := s.store.Levels(ctx)
	if err != nil {
		return nil, err
	}
	chain := finestChain(levels, level) // finest first, level last
	fine, err := s.store.Units(ctx, chain[0], atlas.UnitQuery{})
	if err != nil {
		return nil, err
	}
	a := &offerAssigner{units: units, upward: make([]int, len(fine))}
	index := make(map[string]int, len(units))
	for i, u := range units {
		index[u.Code] = i
	}
	// parent[l][code] is the parent code of a unit of level chain[l].
	parents := make([]map[string]string, len(chain))
	for l := 1; l < len(chain)-1; l++ {
		us, err := s.store.Units(ctx, chain[l], atlas.UnitQuery{NoGeometry: true})
		if err != nil {
			return nil, err
		}
		parents[l] = make(map[string]string, len(us))
		for _, u := range us {
			parents[l][u.Code] = u.Parent
		}
	}
	geoms := make([]orb.MultiPolygon, len(fine))
	for i, u := range fine {
		geoms[i] = u.Geometry
		code := u.Code
		if len(chain) > 1 {
			code = u.Parent
			for l := 1; l < len(chain)-1 && code != ""; l++ {
				code = parents[l][code]
			}
		}
		if j, ok := index[code]; ok && code != "" {
			a.upward[i] = j
		} else {
			a.upward[i] = -1
		}
	}
	a.loc = geo.NewLocator(geoms)
	return a, nil
}

// assign returns the index of each offer's unit, -1 for offers outside
// every unit.
func (a *offerAssigner) assign(offers []atlas.Offer) []int {
	pts := make([]orb.Point, len(offers))
	for i, o := range offers {
		pts[i] = o.Geometry
	}
	at := a.loc.LocateAll(pts)
	for i, f := range at {
		if f >= 0 {
			at[i] = a.upward[f]
		}
	}
	return at
}

// finestChain is the chain of levels from the finest level below level
// (the deepest; the first in order where two are as deep) up to level.
func finestChain(levels []atlas.Level, level string) []string {
	children := map[string][]string{}
	for _, l := range levels {
		if l.Parent != "" {
			children[l.Parent] = append(children[l.Parent], l.ID)
		}
	}
	var best []string
	var walk func(id string, path []string)
	walk = func(id string, path []string) {
		path = append(path, id)
		if len(path) > len(levels) { // a cycle; the stores refuse them
			return
		}
		if len(path) > len(best) {
			best = slices.Clone(path)
		}
		for _, ch := range children[id] {
			walk(ch, path)
		}
	}
	walk(level, nil)
	slices.Reverse(best)
	return best
}

// ---- counts per area ----

// countKeys are the properties offer-counts groups by.
var countKeys = []string{"goal", "target_group", "household_type", "category", "provider_type", "condition"}

// noneKey counts offers without any value of the grouping property.
const noneKey = "(none)"

func keysOf(o *atlas.Offer, by string) []string {
	var ks []string
	switch by {
	case "goal":
		ks = o.Goals
	case "target_group":
		ks = o.TargetGroups
	case "household_type":
		ks = o.HouseholdTypes
	case "condition":
		ks = o.Conditions
	case "category":
		ks = []string{o.Category}
	case "provider_type":
		ks = []string{o.ProviderType}
	}
	if len(ks) == 0 || (len(ks) == 1 && ks[0] == "") {
		return []string{noneKey}
	}
	return ks
}

type countUnitDoc struct {
	Code   string         `json:"code"`
	Name   string         `json:"name"`
	Offers int            `json:"offers"`
	Counts map[string]int `json:"counts"`
}

type countTotalDoc struct {
	Offers int            `json:"offers"`
	Counts map[string]int `json:"counts"`
}

type offerCountsDoc struct {
	Level   string         `json:"level"`
	By      string         `json:"by"`
	Date    atlas.Date     `json:"date"`
	Layers  []string       `json:"layers"`
	Keys    []string       `json:"keys"`
	Note    string         `json:"note"`
	Units   []countUnitDoc `json:"units"`
	Total   countTotalDoc  `json:"total"`
	Outside int            `json:"outside"`
}

// offerCounts counts the offers of the visible layers (or those named)
// per unit of a level, grouped by goal, target group, household type,
// category, provider type or condition, with the list's filters.
func (s *Server) offerCounts(c echo.Context) error {
	by := c.QueryParam("by")
	if by == "" {
		by = "goal"
	}
	if !slices.Contains(countKeys, by) {
		return atlas.Errorf(atlas.EINVALID, "by %q: want one of %s", by, strings.Join(countKeys, ", "))
	}
	filter, err := offerFilterOf(c)
	if err != nil {
		return err
	}
	if c.QueryParam("date") == "" {
		filter.Date = atlas.DateOf(time.Now()) // the inventory as it stands
	}
	layers, err := s.countLayers(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	a, err := s.offerAssigner(ctx, c.Param("level"))
	if err != nil {
		return err
	}
	doc := offerCountsDoc{Level: c.Param("level"), By: by, Date: filter.Date, Layers: []string{}, Units: make([]countUnitDoc, len(a.units)),
		Total: countTotalDoc{Counts: map[string]int{}},
		Note: "Offers valid on the date, located by point in polygon (the engine's border rule) in the finest level and counted in its unit at this level. " +
			"An offer with several values of the property counts once under each, so the counts of a unit can add up to more than its offers; " + noneKey + " counts offers without any."}
	for i, u := range a.units {
		doc.Units[i] = countUnitDoc{Code: u.Code, Name: u.Name, Counts: map[string]int{}}
	}
	keys := map[string]bool{}
	if by == "goal" {
		for _, g := range s.catalog.Goals() {
			keys[g] = true
		}
	}
	for _, l := range layers {
		doc.Layers = append(doc.Layers, l.ID)
		offers, err := s.store.Offers(ctx, l.ID, atlas.OfferQuery{})
		if err != nil {
			return err
		}
		offers = slices.DeleteFunc(offers, func(o atlas.Offer) bool { return !filter.Match(&o) })
		for i, u := range a.assign(offers) {
			ks := keysOf(&offers[i], by)
			if u < 0 {
				doc.Outside++
				continue
			}
			doc.Units[u].Offers++
			doc.Total.Offers++
			for _, k := range ks {
				keys[k] = true
				doc.Units[u].Counts[k]++
				doc.Total.Counts[k]++
			}
		}
	}
	doc.Keys = orderKeys(keys, by, s.catalog.Goals())
	for i := range doc.Units { // every key in every unit, so tables line up
		for _, k := range doc.Keys {
			doc.Units[i].Counts[k] += 0
			doc.Total.Counts[k] += 0
		}
	}
	return c.JSON(http.StatusOK, doc)
}

// orderKeys lists the keys counted: goals in the vocabulary's order,
// anything else by name, (none) last.
func orderKeys(keys map[string]bool, by string, goals []string) []string {
	var out []string
	if by == "goal" {
		for _, g := range goals {
			if keys[g] {
				out = append(out, g)
			}
		}
	}
	var rest []string
	for k := range keys {
		if k != noneKey && !slices.Contains(out, k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	out = append(out, rest...)
	if keys[noneKey] {
		out = append(out, noneKey)
	}
	return out
}

// countLayers are the layers ?layer= names (each must be visible), or
// every visible layer.
func (s *Server) countLayers(c echo.Context) ([]atlas.OfferLayer, error) {
	names := splitList(c.QueryParam("layer"))
	if len(names) == 0 {
		return s.visibleLayers(c)
	}
	var out []atlas.OfferLayer
	for _, n := range names {
		l, err := s.layerOf(c, n)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}
