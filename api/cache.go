package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// dataVersion is the id of the newest import or computation: every write
// is an entry in the import log, so the version changes exactly when the
// data do, whichever process wrote them. It is read from the store at most
// once per freshness (0: on every request). When it is due, one request
// reads it while the others go on with the version they have: a lock held
// over the store's answer would stall every request once per period.
type dataVersion struct {
	freshness  time.Duration
	id         atomic.Int64
	checked    atomic.Int64 // unix nanoseconds; 0: read on the next request
	refreshing atomic.Bool
}

func (s *Server) version(ctx context.Context) (int64, error) {
	v := &s.dataVersion
	if v.freshness > 0 {
		checked := v.checked.Load()
		if checked != 0 && time.Since(time.Unix(0, checked)) < v.freshness {
			return v.id.Load(), nil
		}
		if checked != 0 {
			if !v.refreshing.CompareAndSwap(false, true) {
				return v.id.Load(), nil // another request is reading it
			}
			defer v.refreshing.Store(false)
		}
	}
	last, err := s.store.Imports(ctx, 1)
	if err != nil {
		return 0, err
	}
	var id int64
	if len(last) > 0 {
		id = last[0].ID
	}
	v.id.Store(id)
	v.checked.Store(time.Now().UnixNano())
	return id, nil
}

// dataChanged makes the next request read the version again: this server
// has just written (an import or computation through the API).
// With prepared tiles, the new version's snapshot is begun right away.
func (s *Server) dataChanged() {
	s.dataVersion.checked.Store(0)
	if ta := s.tiles; ta != nil && ta.prepare {
		go func() {
			if _, err := ta.snapshot(context.Background()); err != nil {
				ta.log.Warn("tiles: not prepared after a change", "error", err)
			}
		}()
	}
}

// responseCache keeps the encoded answers of data GETs for the current
// data version: the same request on unchanged data is answered from
// memory, with its ETag, without touching the store. A new version starts
// an empty cache; when the entries reach max bytes the cache starts over,
// so memory stays bounded.
type responseCache struct {
	mu      sync.RWMutex
	version int64
	entries map[string]*cached
	bytes   int64
	max     int64
}

type cached struct {
	status int
	header http.Header
	body   []byte
	etag   string
}

func (rc *responseCache) get(version int64, key string) *cached {
	rc.mu.RLock()
	defer rc.mu.RUnlock()
	if rc.version != version {
		return nil
	}
	return rc.entries[key]
}

func (rc *responseCache) put(version int64, key string, e *cached) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	size := int64(len(e.body) + len(key))
	if rc.version != version || rc.entries == nil || rc.bytes+size > rc.max {
		rc.version, rc.entries, rc.bytes = version, map[string]*cached{}, 0
	}
	if size > rc.max/4 {
		return // one huge answer would push out everything else
	}
	rc.entries[key], rc.bytes = e, rc.bytes+size
}

// cacheable routes answer from the data, the URL and what the caller may
// see, and nothing else: the map's and analysts' reads, and the contract
// and its reference page (static, but hashed for their ETag only once this
// way). Admin routes (the audit log changes with tokens) and operations
// are not cached.
func cacheable(route string) bool {
	if route == "/openapi.yaml" {
		return true
	}
	for _, p := range []string{"/api/v1/levels", "/api/v1/layers", "/api/v1/indicators", "/ogc", "/docs", "/maps", "/reports"} {
		if route == p || strings.HasPrefix(route, p+"/") {
			return true
		}
	}
	return false
}

// cacheKey names an answer: the URL with its host (OGC links are
// absolute), the Accept header (values negotiate CSV and XLSX by it) and
// whether the caller sees internal indicators. Callers who see the same
// indicators get the same answers.
func cacheKey(c echo.Context) string {
	r := c.Request()
	return c.Scheme() + "://" + r.Host + r.URL.RequestURI() + "\x00" + r.Header.Get(echo.HeaderAccept) +
		"\x00" + map[bool]string{true: "internal", false: "public"}[principal(c).Role.Sees(atlas.Internal)]
}

// answer serves every GET with an ETag over its body (weak: gzip may change
// the bytes, not the content), 304 for a matching If-None-Match, and data
// GETs from the response cache. Errors are not cached.
func (s *Server) answer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if (req.Method != http.MethodGet && req.Method != http.MethodHead) || c.Path() == tileRoute {
			return next(c) // tiles have their own cache and ETags
		}
		var key string
		var version int64
		if cacheable(c.Path()) {
			var err error
			if version, err = s.version(req.Context()); err != nil {
				return err
			}
			key = cacheKey(c)
			if e := s.cache.get(version, key); e != nil {
				return writeCached(c, e)
			}
		}
		res := c.Response()
		orig := res.Writer
		bw := &bufferedWriter{ResponseWriter: orig, status: http.StatusOK}
		res.Writer = bw
		err := next(c)
		res.Writer = orig
		if err != nil && !res.Committed {
			return err
		}
		// Only the buffer has seen the header and the bytes yet.
		res.Committed, res.Size = false, 0
		e := &cached{status: bw.status, body: bw.buf.Bytes()}
		if e.status == http.StatusOK {
			// A handler's own (strong) ETag is kept: tiles have one.
			if e.etag = res.Header().Get("ETag"); e.etag == "" {
				sum := sha256.Sum256(e.body)
				e.etag = `W/"` + hex.EncodeToString(sum[:12]) + `"`
			}
			if key != "" {
				e.header = res.Header().Clone()
				s.cache.put(version, key, e)
			}
		}
		return writeCached(c, e)
	}
}

// writeCached sends an answer, or 304 when the client has it.
func writeCached(c echo.Context, e *cached) error {
	res := c.Response()
	h := res.Header()
	for k, v := range e.header {
		if k != echo.HeaderXRequestID {
			h[k] = v
		}
	}
	if e.etag != "" {
		h.Set("ETag", e.etag)
		if matchesETag(c.Request().Header.Get("If-None-Match"), e.etag) {
			h.Del(echo.HeaderContentLength)
			res.WriteHeader(http.StatusNotModified)
			return nil
		}
	}
	res.WriteHeader(e.status)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	_, err := res.Write(e.body)
	return err
}
