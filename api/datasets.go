package api

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// offersPrefix marks an offer layer among the datasets: offers-kitas.
const offersPrefix = "offers-"

// dataset is a level or an offer layer, as OGC collections and tilesets
// name them.
type dataset struct {
	ID, Name, Description string
	Attribution, Licence  string
	Level, Layer          string // exactly one is set
	// Visibility is the layer's (levels are public): who may see the
	// dataset, by auth.Role.Sees.
	Visibility atlas.Visibility
}

// datasets lists the levels (parents first), then the offer layers as
// offers-<layer>. A layer whose id a level already has is left out, so
// that every id names one dataset.
func (s *Server) datasets(ctx context.Context) ([]dataset, error) {
	levels, err := s.store.Levels(ctx)
	if err != nil {
		return nil, err
	}
	layers, err := s.store.OfferLayers(ctx)
	if err != nil {
		return nil, err
	}
	var out []dataset
	ids := map[string]bool{}
	for _, l := range levels {
		out = append(out, dataset{ID: l.ID, Name: l.Name, Description: l.Description, Attribution: l.Attribution, Licence: l.Licence, Level: l.ID,
			Visibility: atlas.Public})
		ids[l.ID] = true
	}
	for _, l := range layers {
		if id := offersPrefix + l.ID; !ids[id] {
			out = append(out, dataset{ID: id, Name: l.Name, Description: l.Description, Attribution: l.Attribution, Licence: l.Licence, Layer: l.ID,
				Visibility: layerVisibility(l)})
		}
	}
	return out, nil
}

// visibleDatasets are the datasets the caller may see.
func (s *Server) visibleDatasets(c echo.Context) ([]dataset, error) {
	all, err := s.datasets(c.Request().Context())
	if err != nil {
		return nil, err
	}
	role := principal(c).Role
	out := all[:0]
	for _, d := range all {
		if role.Sees(d.Visibility) {
			out = append(out, d)
		}
	}
	return out, nil
}
