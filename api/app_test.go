package api

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sozialatlas/sozialatlas"
	"github.com/sozialatlas/sozialatlas/pkg/sqlite"
)

func appServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg.OpenAPI = sozialatlas.OpenAPI
	return New(st, cfg)
}

func TestAppConfig(t *testing.T) {
	for _, tc := range []struct {
		style string
		want  string
	}{
		{"", `{"basemap_style":null}`},
		{"https://tiles.example/style.json", `{"basemap_style":"https://tiles.example/style.json"}`},
	} {
		w := do(t, appServer(t, Config{BasemapStyle: tc.style}), "/app/config.json")
		if w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != tc.want {
			t.Errorf("style %q: %d %s, want %s", tc.style, w.Code, w.Body, tc.want)
		}
		if cc := w.Header().Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("Cache-Control %q", cc)
		}
	}
}

func TestAppFiles(t *testing.T) {
	files := fstest.MapFS{
		"index.html":           {Data: []byte("<!doctype html><title>app</title>")},
		"assets/index-abc1.js": {Data: []byte("console.log(1)")},
		"favicon.svg":          {Data: []byte("<svg/>")},
	}
	srv := appServer(t, Config{Frontend: files})
	for _, tc := range []struct {
		path, ctype, cache, body string
		status                   int
	}{
		{"/", "text/html", "no-cache", "<title>app</title>", 200},
		{"/assets/index-abc1.js", "javascript", "public, max-age=31536000, immutable", "console.log(1)", 200},
		{"/favicon.svg", "image/svg+xml", "no-cache", "<svg/>", 200},
		// A view of the single-page app (a shared link with a path) gets index.html.
		{"/karte/planungsraum", "text/html", "no-cache", "<title>app</title>", 200},
		// A missing asset is 404, never index.html (which a browser would run as script).
		{"/assets/index-old0.js", "", "", "", 404},
		{"/missing.png", "", "", "", 404},
	} {
		w := do(t, srv, tc.path)
		if w.Code != tc.status {
			t.Errorf("%s: status %d, want %d", tc.path, w.Code, tc.status)
			continue
		}
		if tc.status != 200 {
			continue
		}
		if ct := w.Header().Get("Content-Type"); !strings.Contains(ct, tc.ctype) {
			t.Errorf("%s: Content-Type %q, want %s", tc.path, ct, tc.ctype)
		}
		if cc := w.Header().Get("Cache-Control"); cc != tc.cache {
			t.Errorf("%s: Cache-Control %q, want %q", tc.path, cc, tc.cache)
		}
		if !strings.Contains(w.Body.String(), tc.body) {
			t.Errorf("%s: body %q", tc.path, w.Body)
		}
	}
	// The API keeps its routes: /app/config.json is not a file of the app.
	var conf map[string]any
	if err := json.Unmarshal(do(t, srv, "/app/config.json").Body.Bytes(), &conf); err != nil {
		t.Errorf("/app/config.json: %v", err)
	}
}

// A binary built without the app (frontend/dist holds only .keep) says how
// to build it.
func TestAppNotBuilt(t *testing.T) {
	srv := appServer(t, Config{Frontend: fstest.MapFS{".keep": {Data: nil}}})
	w := do(t, srv, "/")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "frontend") || !strings.Contains(w.Body.String(), "make build") {
		t.Errorf("/: %d %s", w.Code, w.Body)
	}
	if w := do(t, srv, "/assets/index.js"); w.Code != http.StatusNotFound {
		t.Errorf("/assets/index.js: %d, want 404", w.Code)
	}
}

// TestAppGzip: the app's files are sent gzipped, as compressed once at the
// start, to a client that takes gzip, and plain to one that does not,
// each with its own strong ETag; a matching If-None-Match gets 304.
func TestAppGzip(t *testing.T) {
	script := strings.Repeat("console.log('sozialatlas');\n", 200)
	srv := appServer(t, Config{Frontend: fstest.MapFS{
		"index.html":           {Data: []byte("<!doctype html><title>app</title>")},
		"assets/index-abc1.js": {Data: []byte(script)},
	}})
	get := func(header ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/assets/index-abc1.js", nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		return w
	}
	gz := get("Accept-Encoding", "gzip")
	if gz.Code != 200 || gz.Header().Get("Content-Encoding") != "gzip" || gz.Body.Len() >= len(script) {
		t.Fatalf("gzip: %d, encoding %q, %d bytes of %d", gz.Code, gz.Header().Get("Content-Encoding"), gz.Body.Len(), len(script))
	}
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(zr); err != nil || string(b) != script {
		t.Errorf("gunzipped body differs (%v)", err)
	}
	plain := get()
	if plain.Code != 200 || plain.Header().Get("Content-Encoding") != "" || plain.Body.String() != script {
		t.Errorf("plain: %d, encoding %q, %d bytes", plain.Code, plain.Header().Get("Content-Encoding"), plain.Body.Len())
	}
	tagGz, tagPlain := gz.Header().Get("ETag"), plain.Header().Get("ETag")
	if tagGz == "" || tagPlain == "" || tagGz == tagPlain || strings.HasPrefix(tagGz, "W/") {
		t.Errorf("ETags: gzip %q, plain %q: want two strong ones", tagGz, tagPlain)
	}
	if w := get("Accept-Encoding", "gzip", "If-None-Match", tagGz); w.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d, want 304", w.Code)
	}
}
