package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// layers lists the offer layers with their offer counts.
func (s *Server) layers(c echo.Context) error {
	ls, err := s.store.OfferLayers(c.Request().Context())
	if err != nil {
		return err
	}
	if ls == nil {
		ls = []atlas.OfferLayer{}
	}
	return c.JSON(http.StatusOK, ls)
}

// offers returns a page of a layer's offers as GeoJSON points, filtered by
// bbox, category, provider type, target group and the date they are valid
// on, written by the same feature writer as OGC API Features.
func (s *Server) offers(c echo.Context) error {
	p, err := pageQuery(c)
	if err != nil {
		return err
	}
	bbox, err := parseBBox(c.QueryParam("bbox"))
	if err != nil {
		return err
	}
	var date atlas.Date
	if v := c.QueryParam("date"); v != "" {
		if date, err = atlas.ParseDate(v); err != nil {
			return atlas.Errorf(atlas.EINVALID, "date %q: want YYYY-MM-DD", v)
		}
	}
	categories, providerTypes := splitList(c.QueryParam("category")), splitList(c.QueryParam("provider_type"))
	group := c.QueryParam("target_group")
	all, err := s.store.Offers(c.Request().Context(), c.Param("layer"), atlas.OfferQuery{BBox: bbox})
	if err != nil {
		return err
	}
	var matched []atlas.Offer
	for _, o := range all {
		switch {
		case len(categories) > 0 && !slices.Contains(categories, o.Category),
			len(providerTypes) > 0 && !slices.Contains(providerTypes, o.ProviderType),
			group != "" && !slices.Contains(o.TargetGroups, group),
			date != 0 && !o.Validity.Contains(date):
			continue
		}
		matched = append(matched, o)
	}
	pg := pageSlice(matched, p)
	fw := startFeatures(c)
	for _, o := range pg {
		fw.add(appendOfferFeature(fw.buf[:0], o))
	}
	return fw.finish(len(matched), pageLinks(c, p, len(pg), len(matched)))
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
