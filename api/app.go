package api

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sozialatlas/sozialatlas/pkg/tiles"
)

// The web map (frontend/, a Vite build embedded in the binary) is served at
// / and reads its run-time configuration from /app/config.json. Vite puts
// content-hashed files under assets/: a new build gives them new names, so
// browsers may keep them for a year; index.html names the current ones and
// is revalidated on every load (the server's ETag answers 304).

const (
	cacheImmutable = "public, max-age=31536000, immutable"
	cacheRevalid   = "no-cache"
)

// appConfig is what the web map needs from the server's configuration.
type appConfig struct {
	// BasemapStyle is the URL of a MapLibre style drawn under the units;
	// null: a neutral background, and the map asks nothing of other hosts.
	BasemapStyle *string `json:"basemap_style"`
}

// notBuilt is served at / when the binary was built without the app.
const notBuilt = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sozialatlas</title></head>
<body style="font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem">
<h1>sozialatlas</h1>
<p>The web map (frontend) is not built into this binary: run <code>make build</code>
(it builds frontend/ with npm and Vite, then the binary).</p>
<p>The API works without it: <a href="/docs">API reference</a>, <a href="/api/v1/levels">levels</a>.</p>
</body></html>
`

func (s *Server) routesApp(e *echo.Echo, cfg Config) {
	conf := appConfig{}
	if cfg.BasemapStyle != "" {
		style := cfg.BasemapStyle
		conf.BasemapStyle = &style
	}
	e.GET("/app/config.json", func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderCacheControl, cacheRevalid)
		return c.JSON(http.StatusOK, conf)
	})
	if cfg.Frontend != nil {
		h, err := appHandler(cfg.Frontend)
		if err != nil { // an embedded file system does not fail
			s.log.Error("the web app's files cannot be read", "error", err)
			return
		}
		e.GET(appRoute, h)
	}
}

// appRoute is the route of the app's files. They are gzipped once, when
// the server starts, and sent as kept, so the server-wide gzip middleware
// skips this route (it would compress the megabyte of the map's script
// on every first visit).
const appRoute = "/*"

// appFile is one of the app's files, ready to send.
type appFile struct {
	body, gz    []byte // gz: nil when gzip does not make it smaller
	ctype, etag string // etag: strong, of body
	cache       string
}

// appFiles reads and compresses the app's files; nil when the app was not
// built (no index.html).
func appFiles(files fs.FS) (map[string]*appFile, error) {
	if _, err := fs.Stat(files, "index.html"); err != nil {
		return nil, nil
	}
	out := map[string]*appFile{}
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		f := &appFile{body: b, etag: tiles.ETag(b), cache: cacheRevalid, ctype: mime.TypeByExtension(path.Ext(name))}
		if strings.HasPrefix(name, "assets/") {
			f.cache = cacheImmutable
		}
		if f.ctype == "" {
			f.ctype = http.DetectContentType(b)
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
		if buf.Len() < len(b) {
			f.gz = buf.Bytes()
		}
		out[name] = f
		return nil
	})
	return out, err
}

// appHandler serves the app's files. A path without a file of that name
// and without an extension is a view of the single-page app (a shared
// link): it gets index.html. When the app was not built, / says so.
func appHandler(files fs.FS) (echo.HandlerFunc, error) {
	kept, err := appFiles(files)
	if err != nil {
		return nil, err
	}
	return func(c echo.Context) error {
		name := strings.TrimPrefix(path.Clean("/"+c.Param("*")), "/")
		if name == "" {
			name = "index.html"
		}
		if kept == nil {
			if name != "index.html" {
				return echo.ErrNotFound
			}
			c.Response().Header().Set(echo.HeaderCacheControl, cacheRevalid)
			return c.HTML(http.StatusOK, notBuilt)
		}
		f := kept[name]
		if f == nil {
			if path.Ext(name) != "" || strings.HasPrefix(name, "assets/") {
				return echo.ErrNotFound
			}
			f = kept["index.html"]
		}
		h := c.Response().Header()
		h.Set(echo.HeaderCacheControl, f.cache)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set(echo.HeaderVary, echo.HeaderAcceptEncoding)
		if f.gz != nil && acceptsGzip(c.Request().Header.Get(echo.HeaderAcceptEncoding)) {
			h.Set("ETag", f.etag[:len(f.etag)-1]+`-gzip"`)
			h.Set(echo.HeaderContentEncoding, "gzip")
			return c.Blob(http.StatusOK, f.ctype, f.gz)
		}
		h.Set("ETag", f.etag)
		return c.Blob(http.StatusOK, f.ctype, f.body)
	}, nil
}
