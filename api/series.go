package api

import (
	"context"
	"sync"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// seriesCache keeps the store's value series (which indicator has values
// at which level on which dates) for the data version (see version):
// reading them scans the value table.
type seriesCache struct {
	mu         sync.Mutex
	lastImport int64
	series     []atlas.Series
}

func (s *Server) series(ctx context.Context) ([]atlas.Series, error) {
	id, err := s.version(ctx)
	if err != nil {
		return nil, err
	}
	s.seriesCache.mu.Lock()
	defer s.seriesCache.mu.Unlock()
	if s.seriesCache.series != nil && s.seriesCache.lastImport == id {
		return s.seriesCache.series, nil
	}
	sr, err := s.store.Series(ctx)
	if err != nil {
		return nil, err
	}
	if sr == nil {
		sr = []atlas.Series{}
	}
	s.seriesCache.series, s.seriesCache.lastImport = sr, id
	return sr, nil
}
