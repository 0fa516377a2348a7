package api

import "github.com/labstack/echo/v4"

// routesAnalysis registers the analysis resources under /api/v1.
func (s *Server) routesAnalysis(g *echo.Group) {}
