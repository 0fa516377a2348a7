package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// levels lists the levels, parents first, with their unit counts.
func (s *Server) levels(c echo.Context) error {
	levels, err := s.store.Levels(c.Request().Context())
	if err != nil {
		return err
	}
	if levels == nil {
		return c.JSON(http.StatusOK, []struct{}{})
	}
	return c.JSON(http.StatusOK, levels)
}
