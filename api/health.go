package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// health answers while the process runs.
func (s *Server) health(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// ready answers 200 when the store is reachable, 503 otherwise, so that a
// load balancer sends no traffic to a server that cannot answer; it says
// too whether the tiles are prepared (a server that is preparing them
// answers tiles, the first ones more slowly).
func (s *Server) ready(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("store unreachable", "error", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "store unreachable"})
	}
	tiles := "on demand"
	if s.tiles.prepare {
		tiles = "preparing"
		if s.tiles.tilesPrepared() {
			tiles = "prepared"
		}
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready", "tiles": tiles})
}
