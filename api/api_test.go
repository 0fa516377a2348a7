package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"gopkg.in/yaml.v3"

	"github.com/sozialatlas/sozialatlas"
	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/sqlite"
)

func newServer(t *testing.T) (*Server, atlas.Store) {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return New(s, Config{OpenAPI: sozialatlas.OpenAPI}), s
}

// TestRoutesMatchOpenAPI fails when a served route is not in openapi.yaml
// or a documented path is not served.
func TestRoutesMatchOpenAPI(t *testing.T) {
	srv, _ := newServer(t)
	var doc struct {
		OpenAPI string                    `yaml:"openapi"`
		Paths   map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(sozialatlas.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi version %q, want 3.1", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	served := map[string]bool{}
	for _, r := range srv.Routes() {
		if r.Path == "/*" { // the frontend's files
			continue
		}
		p := r.Path
		for _, seg := range strings.Split(p, "/") {
			if strings.HasPrefix(seg, ":") {
				p = strings.Replace(p, seg, "{"+seg[1:]+"}", 1)
			}
		}
		served[r.Method+" "+p] = true
	}
	var missing, extra []string
	for k := range served {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !served[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("served but not in openapi.yaml: %v", missing)
	}
	if len(extra) > 0 {
		t.Errorf("in openapi.yaml but not served: %v", extra)
	}
}

func do(t *testing.T, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	return w
}

func TestLevelsAndUnits(t *testing.T) {
	srv, store := newServer(t)
	if w := do(t, srv, "/api/v1/levels"); w.Code != 200 || strings.TrimSpace(w.Body.String()) != "[]" {
		t.Errorf("empty store: got %d %s, want 200 []", w.Code, w.Body.String())
	}
	sq := func(x float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x, 52}, {x + 0.1, 52}, {x + 0.1, 52.1}, {x, 52.1}, {x, 52}}}}
	}
	_, err := store.Apply(context.Background(), &atlas.Batch{
		Levels: []atlas.Level{{ID: "bezirk", Name: "Bezirk"}},
		Units: []atlas.Unit{
			{Level: "bezirk", Code: "01", Name: "Mitte", Geometry: sq(13.1)},
			{Level: "bezirk", Code: "02", Name: "Süd", Geometry: sq(13.3), Validity: atlas.Validity{From: 20210101}},
		},
	}, atlas.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w := do(t, srv, "/api/v1/levels")
	var levels []atlas.Level
	if err := json.Unmarshal(w.Body.Bytes(), &levels); err != nil || len(levels) != 1 || levels[0].Units != 2 {
		t.Errorf("levels: got %s", w.Body.String())
	}
	w = do(t, srv, "/api/v1/levels/bezirk/units?bbox=13.25,52.0,13.5,52.2")
	want := `{"type":"FeatureCollection","features":[{"type":"Feature","id":"02","properties":{"code":"02","name":"Süd","parent":null,"level":"bezirk","valid_from":"2021-01-01","valid_to":null},` +
		`"geometry":{"type":"MultiPolygon","coordinates":[[[[13.3,52],[13.4,52],[13.4,52.1],[13.3,52.1],[13.3,52]]]]}}],"timeStamp":`
	if got := w.Body.String(); !strings.HasPrefix(got, want) || !strings.Contains(got, `"numberMatched":1,"numberReturned":1,`) {
		t.Errorf("units in bbox:\n got %s\nwant %s…", got, want)
	}
	w = do(t, srv, "/api/v1/levels/bezirk/units?limit=1")
	if !strings.Contains(w.Body.String(), `"numberMatched":2,"numberReturned":1,`) || !strings.Contains(w.Body.String(), `"rel":"next","type":"application/geo+json","title":"Next page","href":"http://example.com/api/v1/levels/bezirk/units?limit=1\u0026offset=1"`) {
		t.Errorf("first page of 1: %s", w.Body.String())
	}
	for _, tt := range []struct {
		target string
		status int
		detail string
	}{
		{"/api/v1/levels/nope/units", 404, `level "nope" does not exist`},
		{"/api/v1/levels/bezirk/units?limit=0", 400, `limit "0": want a whole number from 1 to 10000`},
		{"/api/v1/levels/bezirk/units?offset=-1", 400, `offset "-1": want a whole number, 0 or more`},
		{"/api/v1/levels/bezirk/units?bbox=13,52,12,53", 400, `bbox "13,52,12,53": want minLon,minLat,maxLon,maxLat within -180..180 and -90..90`},
		{"/api/v1/nothing", 404, "Not Found"},
	} {
		w := do(t, srv, tt.target)
		var p problem
		json.Unmarshal(w.Body.Bytes(), &p)
		if w.Code != tt.status || p.Detail != tt.detail || w.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: got %d %+v (%s), want %d %q", tt.target, w.Code, p, w.Header().Get("Content-Type"), tt.status, tt.detail)
		}
	}
}

// failingStore fails every call, as an unreachable database does.
type failingStore struct{ atlas.Store }

func (failingStore) Levels(context.Context) ([]atlas.Level, error) {
	return nil, atlas.Internalf(errors.New("connection refused: password=secret"), "read levels")
}
func (failingStore) Imports(context.Context, int) ([]atlas.ImportRecord, error) {
	return nil, atlas.Internalf(errors.New("connection refused: password=secret"), "read imports")
}
func (failingStore) Ping(context.Context) error { return errors.New("connection refused") }

// TestInternalErrorsStayInside: a store failure is a 500 whose body says
// nothing of the cause, and /readyz says the store is unreachable.
func TestInternalErrorsStayInside(t *testing.T) {
	srv := New(failingStore{}, Config{})
	w := do(t, srv, "/api/v1/levels")
	if w.Code != 500 || strings.Contains(w.Body.String(), "secret") || strings.Contains(w.Body.String(), "refused") {
		t.Errorf("got %d %s, want a 500 without internal details", w.Code, w.Body.String())
	}
	if w := do(t, srv, "/readyz"); w.Code != 503 {
		t.Errorf("/readyz: got %d, want 503", w.Code)
	}
}
