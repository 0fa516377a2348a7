package api

import "github.com/labstack/echo/v4"

// routesOGC registers OGC API Features under /ogc.
func (s *Server) routesOGC(g *echo.Group) {}
