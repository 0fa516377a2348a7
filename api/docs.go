package api

import (
	"embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// The interactive API reference: Redoc's standalone bundle, vendored from
// npm's redoc 2.5.1 (MIT) so that /docs works offline.
//
//go:embed docs/index.html docs/redoc.standalone.js docs/redoc.LICENSE
var docsFS embed.FS

func (s *Server) routesDocs(e *echo.Echo) {
	serve := func(name, contentType string) echo.HandlerFunc {
		b, err := docsFS.ReadFile(name)
		if err != nil {
			panic(err) // embedded above: cannot happen
		}
		return func(c echo.Context) error { return c.Blob(http.StatusOK, contentType, b) }
	}
	e.GET("/docs", serve("docs/index.html", "text/html; charset=utf-8"))
	e.GET("/docs/redoc.standalone.js", serve("docs/redoc.standalone.js", "text/javascript; charset=utf-8"))
	e.GET("/docs/redoc.LICENSE", serve("docs/redoc.LICENSE", "text/plain; charset=utf-8"))
}
