// Package api is sozialatlas's HTTP layer: thin echo handlers that parse a
// request, call the store, and render the answer. Errors are mapped to
// status codes in one place (errors.go).
package api

import (
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/auth"
	"github.com/sozialatlas/sozialatlas/pkg/indicator"
)

// Config is what the server needs besides the store.
type Config struct {
	Logger   *slog.Logger
	Frontend fs.FS  // the web app, served at / (api/app.go)
	OpenAPI  []byte // the contract, served at /openapi.yaml
	// Catalog gives computed indicators their default classification and
	// is what POST /api/v1/compute runs; nil: quantiles, no computing.
	Catalog *indicator.Catalog
	// OIDC, when set, accepts JWTs from that provider besides API tokens.
	OIDC *auth.OIDC
	// CORSOrigins may call the API from a browser on another origin
	// ("*" for any); none by default.
	CORSOrigins []string
	// MaxUpload bounds an uploaded import archive; 0 means 512 MB.
	MaxUpload int64
	// CacheSize bounds the memory of cached answers; 0 means 256 MB, less
	// than 0 keeps none.
	CacheSize int64
	// TileCacheSize bounds the memory of cached (gzipped) tiles; 0 means
	// 256 MB, less than 0 keeps none.
	TileCacheSize int64
	// PrepareTiles loads every tileset and prepares its zooms in the
	// background when the server starts and after each new data version,
	// so that the first tiles a map asks for do not wait for that; off,
	// each is prepared when a tile first needs it.
	PrepareTiles bool
	// Freshness is how long the server answers from a data version
	// without asking the store whether another process wrote since; 0
	// asks on every data request.
	Freshness time.Duration
	// BasemapStyle is a MapLibre style URL the web map draws under the
	// units; empty: a neutral background (no request to another host).
	BasemapStyle string
}

// Server serves the REST API, the contract and the frontend.
type Server struct {
	store       atlas.Store
	catalog     *indicator.Catalog
	log         *slog.Logger
	oidc        *auth.OIDC
	maxUpload   int64
	metrics     *metrics
	seriesCache seriesCache
	dataVersion dataVersion
	cache       responseCache
	tiles       *tileAPI
	echo        *echo.Echo
}

// New returns a server on the given store.
func New(store atlas.Store, cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxUpload == 0 {
		cfg.MaxUpload = 512 << 20
	}
	if cfg.CacheSize == 0 {
		cfg.CacheSize = 256 << 20
	}
	if cfg.TileCacheSize == 0 {
		cfg.TileCacheSize = 256 << 20
	}
	s := &Server{store: store, catalog: cfg.Catalog, log: cfg.Logger, oidc: cfg.OIDC, maxUpload: cfg.MaxUpload,
		metrics: newMetrics(), echo: echo.New()}
	s.dataVersion.freshness, s.cache.max = cfg.Freshness, cfg.CacheSize
	e := s.echo
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	// Outermost first: a request id for the logs and problem documents,
	// the log line and metrics (which see the final status), CORS, gzip,
	// the caller's identity, then the ETag over the uncompressed body and
	// the response cache (whose key depends on what the caller may see).
	e.Use(middleware.RequestID(), s.logRequests)
	if len(cfg.CORSOrigins) > 0 {
		e.Use(middleware.CORSWithConfig(middleware.CORSConfig{AllowOrigins: cfg.CORSOrigins,
			AllowHeaders:  []string{echo.HeaderAuthorization, echo.HeaderContentType, "If-None-Match"},
			ExposeHeaders: []string{"ETag", echo.HeaderXRequestID}}))
	}
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{MinLength: 1024,
		Skipper: skipGzip}), s.authenticate, s.answer)

	e.GET("/healthz", s.health)
	e.GET("/readyz", s.ready)
	e.GET("/openapi.yaml", func(c echo.Context) error {
		return c.Blob(http.StatusOK, "application/yaml", cfg.OpenAPI)
	})
	v1 := e.Group("/api/v1")
	v1.GET("/levels", s.levels)
	v1.GET("/levels/:level/units", s.units)
	v1.GET("/layers", s.layers)
	v1.GET("/layers/:layer/offers", s.offers)
	v1.GET("/indicators", s.indicators)
	v1.GET("/indicators/:id/values", s.indicatorValues)
	s.routesAnalysis(v1)
	s.routesAdmin(v1)
	s.routesInventory(v1, e) // offer inventory, gaps, profiles, targets: api/inventory.go
	s.routesOGC(e.Group("/ogc"))
	s.routesDocs(e)
	s.routesTiles(e, cfg.TileCacheSize, cfg.PrepareTiles)
	s.routesMaps(e) // maps and report pages: api/maps.go, api/reports.go
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})))
	s.routesApp(e, cfg)
	return s
}

// skipGzip: tiles and the app's files are kept gzipped and sent as kept;
// PNG and PDF maps are compressed already.
func skipGzip(c echo.Context) bool {
	switch c.Path() {
	case tileRoute, appRoute:
		return true
	case mapRoute:
		ext := path.Ext(c.Param("id"))
		return ext == ".png" || ext == ".pdf"
	}
	return false
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Routes lists the method and path of every route, for the contract test.
func (s *Server) Routes() []*echo.Route { return s.echo.Routes() }

func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err) // writes the response, so the status below is final
		}
		s.metrics.observe(c, start)
		// A map asks for tiles by the hundred: those that succeed are
		// counted in the metrics and logged at debug level only.
		level := slog.LevelInfo
		if c.Path() == tileRoute && c.Response().Status < 400 {
			level = slog.LevelDebug
		}
		if !s.log.Enabled(c.Request().Context(), level) {
			return nil // nor build the line's fields, tile by tile
		}
		s.log.Log(c.Request().Context(), level, "request", "id", c.Response().Header().Get(echo.HeaderXRequestID), "method", c.Request().Method,
			"path", c.Request().URL.Path, "route", c.Path(), "user", principal(c).Name,
			"status", c.Response().Status, "bytes", c.Response().Size, "ms", time.Since(start).Milliseconds())
		return nil
	}
}
