package importer

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/crs"
	"github.com/sozialatlas/sozialatlas/pkg/geomcheck"
)

// chooseCRS decides a file's coordinate system: what the file says, else
// what the manifest says, else EPSG:4326 as RFC 7946 prescribes for GeoJSON.
// A file and a manifest that disagree are an error, not a choice.
func chooseCRS(fromFile, fromManifest string) (*crs.CRS, error) {
	var file, manifest *crs.CRS
	var err error
	if fromFile != "" {
		if file, err = crs.Parse(fromFile); err != nil {
			return nil, fmt.Errorf("the file's coordinate system: %v", err)
		}
	}
	if fromManifest != "" {
		if manifest, err = crs.Parse(fromManifest); err != nil {
			return nil, fmt.Errorf("crs: %v", err)
		}
	}
	switch {
	case file != nil && manifest != nil && file.EPSG != manifest.EPSG:
		return nil, fmt.Errorf("the file says its coordinates are in %s but the manifest says %s", file, manifest)
	case file != nil:
		return file, nil
	case manifest != nil:
		return manifest, nil
	}
	return crs.ByEPSG(4326)
}

// checkPlausible catches the commonest coordinate mistake before thousands
// of per-feature errors do: projected metres read as degrees, or degrees
// declared as metres. It looks at the bounding box of all raw coordinates.
func checkPlausible(ff *featureFile, c *crs.CRS, declared bool) error {
	var b orb.Bound
	first := true
	for _, f := range ff.features {
		if f.geom == nil {
			continue
		}
		if first {
			b, first = f.geom.Bound(), false
		} else {
			b = b.Union(f.geom.Bound())
		}
	}
	if first {
		return nil
	}
	lonLat := b.Min[0] >= -180 && b.Max[0] <= 180 && b.Min[1] >= -90 && b.Max[1] <= 90
	corner := fmt.Sprintf("(%.2f, %.2f)", b.Max[0], b.Max[1])
	switch {
	case c.Geographic && !lonLat && !declared:
		return fmt.Errorf("coordinates such as %s are not longitude/latitude; the file does not name its coordinate system, so it is read as EPSG:4326 (RFC 7946): say which it is with crs:%s", corner, guessCRS(b))
	case c.Geographic && !lonLat:
		return fmt.Errorf("coordinates such as %s are not longitude/latitude, but the coordinate system is %s%s", corner, c, guessCRS(b))
	case !c.Geographic && lonLat:
		return fmt.Errorf("coordinates such as %s look like longitude/latitude, but the coordinate system is %s (metres); is it EPSG:4326?", corner, c)
	}
	return nil
}

// guessCRS names the German coordinate systems a box of metres fits.
func guessCRS(b orb.Bound) string {
	x, y := b.Center()[0], b.Center()[1]
	switch {
	case x > 32e6 && x < 34e6:
		return " (these look like UTM with zone prefix, EPSG:4647 or EPSG:5650)"
	case x > 100e3 && x < 900e3 && y > 5.2e6 && y < 6.2e6:
		return " (these look like ETRS89 / UTM, e.g. EPSG:25832 or EPSG:25833)"
	case x > 2.3e6 && x < 5.7e6 && y > 5.2e6 && y < 6.2e6:
		return " (these look like Gauss-Krüger, EPSG:31466 to EPSG:31469)"
	case x > 0.5e6 && x < 1.8e6 && y > 5.9e6 && y < 7.5e6:
		return " (these look like Web Mercator, EPSG:3857)"
	}
	return ""
}

// toWGS84 reprojects every position of g.
func toWGS84(g orb.Geometry, c *crs.CRS) (orb.Geometry, error) {
	if c.EPSG == 4326 {
		return g, nil
	}
	var err error
	tr := func(p orb.Point) orb.Point {
		lon, lat, e := c.ToWGS84(p[0], p[1])
		if e != nil && err == nil {
			err = fmt.Errorf("cannot transform (%g, %g) from %s: %v", p[0], p[1], c, e)
		}
		return orb.Point{lon, lat}
	}
	ring := func(r orb.Ring) orb.Ring {
		out := make(orb.Ring, len(r))
		for i, p := range r {
			out[i] = tr(p)
		}
		return out
	}
	poly := func(p orb.Polygon) orb.Polygon {
		out := make(orb.Polygon, len(p))
		for i, r := range p {
			out[i] = ring(r)
		}
		return out
	}
	var out orb.Geometry
	switch g := g.(type) {
	case orb.Point:
		out = tr(g)
	case orb.MultiPoint:
		out = orb.MultiPoint(ring(orb.Ring(g)))
	case orb.Polygon:
		out = poly(g)
	case orb.MultiPolygon:
		mp := make(orb.MultiPolygon, len(g))
		for i, p := range g {
			mp[i] = poly(p)
		}
		out = mp
	default:
		return nil, fmt.Errorf("%s cannot be reprojected", g.GeoJSONType())
	}
	return out, err
}

// property reads a property as text: strings are trimmed, integral numbers
// written without decimals (codes such as 1100101), nulls are "".
func property(props map[string]any, name string) (string, error) {
	switch v := props[name].(type) {
	case nil:
		return "", nil
	case string:
		return strings.TrimSpace(v), nil
	case json.Number:
		return v.String(), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1e15 {
			return strconv.FormatInt(int64(v), 10), nil
		}
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(v), nil
	case []byte:
		return "", fmt.Errorf("is binary, want text")
	default:
		return "", fmt.Errorf("is a %T, want text", v)
	}
}

// featureUnits turns the features of a units file into units.
func (r *run) featureUnits(file string, spec UnitsFile, ff *featureFile, c *crs.CRS) []atlas.Unit {
	var out []atlas.Unit
	for _, f := range ff.features {
		where := fmt.Sprintf("feature %d", f.index)
		if f.err != nil {
			r.problem(file, where, "", f.err.Error())
			continue
		}
		code, err := property(f.props, spec.Code)
		if err != nil {
			r.problem(file, where, spec.Code, err.Error())
			continue
		}
		if code == "" {
			r.problem(file, where, spec.Code, "unit code is missing")
			continue
		}
		where = fmt.Sprintf("feature %d (%s %s)", f.index, spec.Code, code)
		u := atlas.Unit{Level: spec.Level, Code: code, Validity: atlas.Validity{From: spec.ValidFrom, To: spec.ValidTo}}
		ok := true
		if u.Name, err = property(f.props, spec.Name); err != nil || u.Name == "" {
			r.problem(file, where, spec.Name, orText(err, "name is missing"))
			ok = false
		}
		if spec.Parent != "" {
			if u.Parent, err = property(f.props, spec.Parent); err != nil || u.Parent == "" {
				r.problem(file, where, spec.Parent, orText(err, "parent code is missing"))
				ok = false
			}
		}
		g, err := toWGS84(f.geom, c)
		if err != nil {
			r.problem(file, where, "geometry", err.Error())
			continue
		}
		mp, repairs, err := geomcheck.MultiPolygon(g)
		if err != nil {
			r.problem(file, where, "geometry", err.Error())
			continue
		}
		for _, rep := range repairs {
			if !rep.Normalised {
				r.warn(file, where, "geometry", "repaired: "+rep.String())
			}
		}
		u.Geometry = mp
		if err := u.Validate(); err != nil {
			r.problem(file, where, "", atlas.ErrorMessage(err))
			continue
		}
		if ok {
			out = append(out, u)
		}
	}
	return out
}

func orText(err error, text string) string {
	if err != nil {
		return err.Error()
	}
	return text
}

// offerFields are the fields an offer file maps, with their defaults.
func offerFieldNames(f OfferFields) map[string]string {
	return map[string]string{
		"id": orDefault(f.ID, "id"), "name": orDefault(f.Name, "name"),
		"category": orDefault(f.Category, "category"), "subcategory": orDefault(f.Subcategory, "subcategory"),
		"provider": orDefault(f.Provider, "provider"), "provider_type": orDefault(f.ProviderType, "provider_type"),
		"capacity": orDefault(f.Capacity, "capacity"), "address": orDefault(f.Address, "address"),
		"valid_from": orDefault(f.ValidFrom, "valid_from"), "valid_to": orDefault(f.ValidTo, "valid_to"),
	}
}

// featureOffers turns the features of an offers file into offers.
func (r *run) featureOffers(file string, spec OffersFile, ff *featureFile, c *crs.CRS) []atlas.Offer {
	names := offerFieldNames(spec.Fields)
	mapped := map[string]bool{}
	for _, n := range names {
		mapped[n] = true
	}
	for _, n := range spec.Fields.TargetGroups {
		mapped[n] = true
	}
	r.checkMappedFields(file, spec, ff)

	var out []atlas.Offer
	for _, f := range ff.features {
		where := fmt.Sprintf("feature %d", f.index)
		if f.err != nil {
			r.problem(file, where, "", f.err.Error())
			continue
		}
		text := map[string]string{}
		ok := true
		for field, prop := range names {
			v, err := property(f.props, prop)
			if err != nil {
				r.problem(file, where, prop, err.Error())
				ok = false
			}
			text[field] = v
		}
		if text["id"] != "" {
			where = fmt.Sprintf("feature %d (%s %s)", f.index, names["id"], text["id"])
		}
		if !ok {
			continue
		}
		o := atlas.Offer{Layer: spec.Layer, ID: text["id"], Name: text["name"], Category: text["category"],
			Subcategory: text["subcategory"], Provider: text["provider"], ProviderType: text["provider_type"],
			Address: text["address"], Validity: atlas.Validity{From: spec.ValidFrom, To: spec.ValidTo}}
		if o.ID == "" {
			r.problem(file, where, names["id"], "offer id is missing")
			continue
		}
		if s := text["capacity"]; s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				r.problem(file, where, names["capacity"], fmt.Sprintf("capacity %q is not a whole number", s))
				continue
			}
			o.Capacity = &n
		}
		for _, d := range []struct {
			field string
			dst   *atlas.Date
		}{{"valid_from", &o.From}, {"valid_to", &o.To}} {
			if s := text[d.field]; s != "" {
				v, err := atlas.ParseDate(s)
				if err != nil {
					r.problem(file, where, names[d.field], atlas.ErrorMessage(err))
					ok = false
				}
				*d.dst = v
			}
		}
		for _, prop := range spec.Fields.TargetGroups {
			if g, err := property(f.props, prop); err == nil && g != "" {
				o.TargetGroups = append(o.TargetGroups, g)
			}
		}
		for k, v := range f.props {
			if !mapped[k] && v != nil {
				if o.Attributes == nil {
					o.Attributes = map[string]any{}
				}
				o.Attributes[k] = attribute(v)
			}
		}
		g, err := toWGS84(f.geom, c)
		if err != nil {
			r.problem(file, where, "geometry", err.Error())
			continue
		}
		switch g := g.(type) {
		case orb.Point:
			o.Geometry = g
		case orb.MultiPoint:
			if len(g) != 1 {
				r.problem(file, where, "geometry", fmt.Sprintf("a MultiPoint with %d points; an offer is one point", len(g)))
				continue
			}
			o.Geometry = g[0]
		default:
			r.problem(file, where, "geometry", fmt.Sprintf("offers are points, this is a %s", g.GeoJSONType()))
			continue
		}
		if err := o.Validate(); err != nil {
			r.problem(file, where, "", atlas.ErrorMessage(err))
			continue
		}
		if ok {
			out = append(out, o)
		}
	}
	return out
}

// checkMappedFields refuses a mapping that names a property no feature has:
// almost always a typo that would otherwise leave a field silently empty.
func (r *run) checkMappedFields(file string, spec OffersFile, ff *featureFile) {
	explicit := map[string]string{"id": spec.Fields.ID, "name": spec.Fields.Name, "category": spec.Fields.Category,
		"subcategory": spec.Fields.Subcategory, "provider": spec.Fields.Provider, "provider_type": spec.Fields.ProviderType,
		"capacity": spec.Fields.Capacity, "address": spec.Fields.Address, "valid_from": spec.Fields.ValidFrom, "valid_to": spec.Fields.ValidTo}
	for i, g := range spec.Fields.TargetGroups {
		explicit[fmt.Sprintf("target_groups[%d]", i)] = g
	}
	seen := map[string]bool{}
	for _, f := range ff.features {
		for k := range f.props {
			seen[k] = true
		}
	}
	keys := make([]string, 0, len(explicit))
	for k := range explicit {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, field := range keys {
		if prop := explicit[field]; prop != "" && !seen[prop] && len(ff.features) > 0 {
			r.problem(file, "", prop, fmt.Sprintf("fields.%s names property %q, which no feature has", field, prop))
		}
	}
}

// attribute converts a decoded property into a plain JSON value.
func attribute(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return float64(i)
		}
		f, _ := v.Float64()
		return f
	case int64:
		return float64(v)
	case []byte:
		return nil
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = attribute(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = attribute(x)
		}
		return out
	}
	return v
}
