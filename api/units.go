package api

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// Paging defaults of feature lists: large levels (100,000 blocks) are read
// page by page, never sent whole by accident.
const (
	defaultLimit = 1000
	maxLimit     = 10000
)

// units returns the units of a level as a GeoJSON FeatureCollection.
func (s *Server) units(c echo.Context) error {
	q, err := pageQuery(c)
	if err != nil {
		return err
	}
	uq := atlas.UnitQuery{Limit: q.limit + 1, Offset: q.offset}
	if uq.BBox, err = parseBBox(c.QueryParam("bbox")); err != nil {
		return err
	}
	units, err := s.store.Units(c.Request().Context(), c.Param("level"), uq)
	if err != nil {
		return err
	}
	var links []link
	if len(units) > q.limit {
		units = units[:q.limit]
		links = append(links, link{Rel: "next", Type: "application/geo+json", Href: nextPage(c, q)})
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/geo+json")
	c.Response().WriteHeader(http.StatusOK)
	return writeUnits(c.Response(), units, links)
}

type page struct{ limit, offset int }

func pageQuery(c echo.Context) (page, error) {
	p := page{limit: defaultLimit}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return p, atlas.Errorf(atlas.EINVALID, "limit %q: want a whole number from 1 to %d", v, maxLimit)
		}
		p.limit = n
	}
	if v := c.QueryParam("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return p, atlas.Errorf(atlas.EINVALID, "offset %q: want a whole number, 0 or more", v)
		}
		p.offset = n
	}
	return p, nil
}

// nextPage is the request's own URL with the offset moved one page on.
func nextPage(c echo.Context, p page) string {
	u := *c.Request().URL
	q := u.Query()
	q.Set("limit", strconv.Itoa(p.limit))
	q.Set("offset", strconv.Itoa(p.offset+p.limit))
	u.RawQuery = q.Encode()
	return (&url.URL{Path: u.Path, RawQuery: u.RawQuery}).String()
}
