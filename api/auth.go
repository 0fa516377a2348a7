package api

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/auth"
)

// authenticate finds the caller: no Authorization header is an anonymous
// caller; a Bearer credential must be a valid API token or, when OIDC is
// configured, a valid JWT. Wrong credentials are an error rather than
// anonymous access, so a client notices an expired token at once.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		if h == "" {
			return next(c)
		}
		scheme, cred, _ := strings.Cut(h, " ")
		cred = strings.TrimSpace(cred)
		if !strings.EqualFold(scheme, "Bearer") || cred == "" {
			return atlas.Errorf(atlas.EUNAUTHORIZED, "Authorization: want \"Bearer <token>\"")
		}
		var p auth.Principal
		switch {
		case auth.IsAPIToken(cred):
			tok, err := s.store.TokenByHash(c.Request().Context(), auth.HashToken(cred))
			if atlas.ErrorCode(err) == atlas.ENOTFOUND {
				return atlas.Errorf(atlas.EUNAUTHORIZED, "the token is unknown or revoked")
			} else if err != nil {
				return err
			}
			p = auth.Principal{Name: tok.Name, Role: auth.Role(tok.Role)}
		case s.oidc != nil:
			var err error
			if p, err = s.oidc.Verify(c.Request().Context(), cred); err != nil {
				return atlas.Errorf(atlas.EUNAUTHORIZED, "the token was refused: %v", err)
			}
		default:
			return atlas.Errorf(atlas.EUNAUTHORIZED, "not a sozialatlas API token (they start with sat_), and no OIDC provider is configured")
		}
		c.Set(principalKey, p)
		return next(c)
	}
}

// require lets through callers with at least the given role: anonymous
// callers get 401, others 403 (these are actions, not data whose
// existence could leak).
func require(role auth.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p := principal(c)
			if !p.Role.Valid() {
				return atlas.Errorf(atlas.EUNAUTHORIZED, "this needs a token with the role %s or higher", role)
			}
			if !p.Role.AtLeast(role) {
				return atlas.Errorf(atlas.EFORBIDDEN, "this needs the role %s or higher; your token has %s", role, p.Role)
			}
			return next(c)
		}
	}
}
