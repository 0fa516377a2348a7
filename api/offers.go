package api

import (
	"bytes"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/export"
)

// layers lists the offer layers the caller may see, with their offer
// counts.
func (s *Server) layers(c echo.Context) error {
	ls, err := s.visibleLayers(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ls)
}

// visibleLayers are the offer layers the caller may see, by the one rule
// of indicators (auth.Role.Sees): a layer the caller may not see does not
// exist for them.
func (s *Server) visibleLayers(c echo.Context) ([]atlas.OfferLayer, error) {
	all, err := s.store.OfferLayers(c.Request().Context())
	if err != nil {
		return nil, err
	}
	role := principal(c).Role
	out := []atlas.OfferLayer{}
	for _, l := range all {
		if role.Sees(layerVisibility(l)) {
			out = append(out, l)
		}
	}
	return out, nil
}

// layerVisibility reads a layer without a visibility as public, as the
// stores do.
func layerVisibility(l atlas.OfferLayer) atlas.Visibility {
	if l.Visibility == "" {
		return atlas.Public
	}
	return l.Visibility
}

// layerOf is an offer layer the caller may see, or ENOTFOUND (never 403:
// its existence does not leak).
func (s *Server) layerOf(c echo.Context, id string) (atlas.OfferLayer, error) {
	ls, err := s.visibleLayers(c)
	if err != nil {
		return atlas.OfferLayer{}, err
	}
	for _, l := range ls {
		if l.ID == id {
			return l, nil
		}
	}
	names := make([]string, len(ls))
	for i, l := range ls {
		names[i] = l.ID
	}
	return atlas.OfferLayer{}, atlas.Errorf(atlas.ENOTFOUND, "offer layer %q does not exist; layers: %s", id, strings.Join(names, ", "))
}

// offers returns a page of a layer's offers as GeoJSON points, searched
// (q) and filtered by bbox, category, provider type, target group,
// household type, age, goal, condition, language, barrier-free access and
// the date they are valid on; or the whole filtered list as a file
// (format=csv, csv-excel, xlsx, gpkg) with the columns a provider's list
// is imported with.
func (s *Server) offers(c echo.Context) error {
	f, err := tableFormatOf(c)
	if err != nil {
		return err
	}
	p, err := pageQuery(c)
	if err != nil {
		return err
	}
	bbox, err := parseBBox(c.QueryParam("bbox"))
	if err != nil {
		return err
	}
	filter, err := offerFilterOf(c)
	if err != nil {
		return err
	}
	layer, err := s.layerOf(c, c.Param("layer"))
	if err != nil {
		return err
	}
	all, err := s.store.Offers(c.Request().Context(), layer.ID, atlas.OfferQuery{BBox: bbox})
	if err != nil {
		return err
	}
	var matched []atlas.Offer
	for i := range all {
		if filter.Match(&all[i]) {
			matched = append(matched, all[i])
		}
	}
	if f != nil && f.name != "geojson" {
		return s.exportOffers(c, f, layer, matched)
	}
	pg := pageSlice(matched, p)
	fw := startFeatures(c)
	for _, o := range pg {
		fw.add(appendInventoryFeature(fw.buf[:0], o))
	}
	return fw.finish(len(matched), pageLinks(c, p, len(pg), len(matched)))
}

// offerFilterOf reads the inventory's filters from the query.
func offerFilterOf(c echo.Context) (atlas.OfferFilter, error) {
	f := atlas.OfferFilter{Query: c.QueryParam("q"), Categories: splitList(c.QueryParam("category")),
		ProviderTypes: splitList(c.QueryParam("provider_type")), TargetGroups: splitList(c.QueryParam("target_group")),
		HouseholdTypes: splitList(c.QueryParam("household_type")), Goals: splitList(c.QueryParam("goal")),
		Conditions: splitList(c.QueryParam("condition")), Languages: splitList(c.QueryParam("language")),
		BarrierFree: c.QueryParam("barrier_free")}
	if len(f.Query) > 200 {
		return f, atlas.Errorf(atlas.EINVALID, "q is longer than 200 characters")
	}
	switch f.BarrierFree {
	case "", "true", "false", "unknown":
	default:
		return f, atlas.Errorf(atlas.EINVALID, "barrier_free %q: want true, false or unknown", f.BarrierFree)
	}
	for _, cond := range f.Conditions {
		if !slices.Contains(atlas.Conditions(), cond) {
			return f, atlas.Errorf(atlas.EINVALID, "condition %q: want one of %s", cond, strings.Join(atlas.Conditions(), ", "))
		}
	}
	for _, h := range f.HouseholdTypes {
		if !slices.Contains(atlas.HouseholdTypes(), h) {
			return f, atlas.Errorf(atlas.EINVALID, "household_type %q: want one of %s", h, strings.Join(atlas.HouseholdTypes(), ", "))
		}
	}
	if v := c.QueryParam("age"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 130 {
			return f, atlas.Errorf(atlas.EINVALID, "age %q: want whole years from 0 to 130", v)
		}
		f.Age = &n
	}
	if v := c.QueryParam("date"); v != "" {
		d, err := atlas.ParseDate(v)
		if err != nil {
			return f, atlas.Errorf(atlas.EINVALID, "date %q: want YYYY-MM-DD", v)
		}
		f.Date = d
	}
	return f, nil
}

// splitList reads a comma-separated parameter.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// appendInventoryFeature appends an offer as a point feature: the
// properties of the OGC offer features (api/ogc.go), then the
// inventory's, every one present, null where empty, lists as
// comma-separated text (which every GIS format can hold).
func appendInventoryFeature(b []byte, o atlas.Offer) []byte {
	b = appendOfferFeature(b, o)
	at := bytes.LastIndex(b, []byte(`},"geometry":`))
	tail := append([]byte(nil), b[at:]...)
	b = b[:at]
	for _, m := range inventoryMembers(o) {
		b = appendMember(b, m.key, m.value)
	}
	return append(b, tail...)
}

type member struct {
	key   string
	value any
}

// inventoryMembers are the inventory's fields of an offer as GeoJSON
// properties and table cells: nil where not given.
func inventoryMembers(o atlas.Offer) []member {
	list := func(l []string) any { return orNull(strings.Join(l, ",")) }
	num := func(p *int) any {
		if p == nil {
			return nil
		}
		return *p
	}
	var bf any
	if o.BarrierFree != nil {
		bf = *o.BarrierFree
	}
	return []member{{"age_min", num(o.AgeMin)}, {"age_max", num(o.AgeMax)}, {"household_types", list(o.HouseholdTypes)},
		{"conditions", list(o.Conditions)}, {"conditions_note", orNull(o.ConditionsNote)}, {"goals", list(o.Goals)},
		{"languages", list(o.Languages)}, {"barrier_free", bf}, {"opening_hours", orNull(o.OpeningHours)},
		{"contact", orNull(o.Contact)}}
}

// exportOffers writes the filtered offers as a file, one row per offer,
// with the columns of a provider's list (importer.OfferListColumns), so
// that an export can be corrected and imported again.
func (s *Server) exportOffers(c echo.Context, f *tableFormat, layer atlas.OfferLayer, offers []atlas.Offer) error {
	text := func(v string) export.Cell {
		if v == "" {
			return export.Cell{}
		}
		return export.TextCell(v)
	}
	whole := func(p *int) export.Cell {
		if p == nil {
			return export.Cell{}
		}
		return export.NumberCell(float64(*p))
	}
	et := &export.Table{Title: layer.Name, Layer: layer.ID}
	for _, col := range []struct {
		name string
		kind export.Kind
	}{{"id", export.Text}, {"name", export.Text}, {"category", export.Text}, {"subcategory", export.Text}, {"provider", export.Text},
		{"provider_type", export.Text}, {"capacity", export.Number}, {"address", export.Text}, {"target_groups", export.Text},
		{"age_min", export.Number}, {"age_max", export.Number}, {"household_types", export.Text}, {"conditions", export.Text},
		{"conditions_note", export.Text}, {"goals", export.Text}, {"languages", export.Text}, {"barrier_free", export.Text},
		{"opening_hours", export.Text}, {"contact", export.Text}, {"valid_from", export.Text}, {"valid_to", export.Text},
		{"lon", export.Number}, {"lat", export.Number}} {
		c := export.Column{Name: col.name, Kind: col.kind}
		if col.kind == export.Number && col.name != "lon" && col.name != "lat" {
			c.Format = export.Decimals(0)
		}
		et.Columns = append(et.Columns, c)
	}
	for _, o := range offers {
		bf := export.Cell{}
		if o.BarrierFree != nil {
			bf = export.TextCell(strconv.FormatBool(*o.BarrierFree))
		}
		et.Rows = append(et.Rows, []export.Cell{text(o.ID), text(o.Name), text(o.Category), text(o.Subcategory), text(o.Provider),
			text(o.ProviderType), whole(o.Capacity), text(o.Address), text(strings.Join(o.TargetGroups, ",")),
			whole(o.AgeMin), whole(o.AgeMax), text(strings.Join(o.HouseholdTypes, ",")), text(strings.Join(o.Conditions, ",")),
			text(o.ConditionsNote), text(strings.Join(o.Goals, ",")), text(strings.Join(o.Languages, ",")), bf,
			text(o.OpeningHours), text(o.Contact), text(o.From.String()), text(o.To.String()),
			export.NumberCell(o.Geometry[0]), export.NumberCell(o.Geometry[1])})
		if f.geo {
			et.Geometries = append(et.Geometries, o.Geometry)
		}
	}
	now := time.Now().UTC()
	if f.geo {
		now = time.Time{} // reproducible: no time of retrieval
	}
	et.Metadata = []export.Pair{{Key: "Angebotsebene (offer layer)", Value: layer.Name + " (" + layer.ID + ")"},
		{Key: "Angebote (offers)", Value: strconv.Itoa(len(offers))},
		{Key: "Abfrage (query)", Value: c.Request().URL.RequestURI()}}
	for _, p := range []export.Pair{{Key: "Quelle (source)", Value: layer.Source}, {Key: "Lizenz (licence)", Value: layer.Licence},
		{Key: "Namensnennung (attribution)", Value: layer.Attribution}} {
		if p.Value != "" {
			et.Metadata = append(et.Metadata, p)
		}
	}
	if !now.IsZero() {
		et.Metadata = append(et.Metadata, export.Pair{Key: "Abgerufen (retrieved)", Value: now.Format(time.RFC3339)})
	}
	var b bytes.Buffer
	if err := f.write(&b, et); err != nil {
		return atlas.Internalf(err, "export %s of offers %s", f.name, layer.ID)
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": layer.ID + "_offers." + f.ext}))
	return c.Blob(http.StatusOK, f.mediaType, b.Bytes())
}
