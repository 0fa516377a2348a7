package api

import (
	"context"
	"sync"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// seriesCache keeps the store's value series (which indicator has values
// at which level on which dates) until the next import or computation:
// reading them scans the value table.
type seriesCache struct {
	mu         sync.Mutex
	lastImport int64
	series     []atlas.Series
}

func (s *Server) series(ctx context.Context) ([]atlas.Series, error) {
	last, err := s.store.Imports(ctx, 1)
	if err != nil {
		return nil, err
	}
	var id int64
	if len(last) > 0 {
		id = last[0].ID
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
