package api

import (
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

// units returns a page of a level's units as a GeoJSON FeatureCollection,
// optionally with indicator values as properties (indicators=a,b&date=),
// written by the same feature writer as OGC API Features. The matching
// codes are read without geometry first: their number is numberMatched,
// and only the page's units are read with geometry.
func (s *Server) units(c echo.Context) error {
	q, err := pageQuery(c)
	if err != nil {
		return err
	}
	bbox, err := parseBBox(c.QueryParam("bbox"))
	if err != nil {
		return err
	}
	ctx, level := c.Request().Context(), c.Param("level")
	all, err := s.store.Units(ctx, level, atlas.UnitQuery{BBox: bbox, NoGeometry: true})
	if err != nil {
		return err
	}
	cols, err := s.indicatorColumns(c, level)
	if err != nil {
		return err
	}
	codes := make([]string, len(all))
	for i, u := range all {
		codes[i] = u.Code
	}
	var units []atlas.Unit
	if pg := pageSlice(codes, q); len(pg) > 0 {
		if units, err = s.store.Units(ctx, level, atlas.UnitQuery{Codes: pg}); err != nil {
			return err
		}
	}
	fw := startFeatures(c)
	for _, u := range units {
		fw.add(appendUnitFeature(fw.buf[:0], u, cols))
	}
	return fw.finish(len(codes), pageLinks(c, q, len(units), len(codes)))
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
