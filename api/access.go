package api

import (
	"github.com/labstack/echo/v4"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/auth"
)

// principalKey is where the authentication middleware leaves the caller.
const principalKey = "principal"

// principal is the caller of a request; anonymous when no credentials
// were given.
func principal(c echo.Context) auth.Principal {
	p, _ := c.Get(principalKey).(auth.Principal)
	return p
}

// visible lists the indicators the caller may see, by id, following the
// one rule (auth.Role.Sees). Every handler that serves an indicator or its
// values gets it from here or from indicator: what the caller may not see
// answers 404, so that its existence does not leak.
func (s *Server) visible(c echo.Context) (map[string]atlas.Indicator, error) {
	all, err := s.store.Indicators(c.Request().Context())
	if err != nil {
		return nil, err
	}
	role := principal(c).Role
	out := make(map[string]atlas.Indicator, len(all))
	for _, ind := range all {
		if role.Sees(ind.Visibility) {
			out[ind.ID] = ind
		}
	}
	return out, nil
}

// indicator is one indicator the caller may see, or ENOTFOUND.
func (s *Server) indicator(c echo.Context, id string) (atlas.Indicator, error) {
	vis, err := s.visible(c)
	if err != nil {
		return atlas.Indicator{}, err
	}
	ind, found := vis[id]
	if !found {
		return atlas.Indicator{}, atlas.Errorf(atlas.ENOTFOUND, "indicator %q does not exist", id)
	}
	return ind, nil
}
