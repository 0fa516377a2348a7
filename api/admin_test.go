package api

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/sozialatlas/sozialatlas"
	"github.com/sozialatlas/sozialatlas/geodata"
	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/auth"
)

// request sends a request with an optional bearer token and body.
func request(t *testing.T, h http.Handler, method, target, token string, body []byte, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, bytes.NewReader(body))
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// newToken stores a token with a role and returns its secret.
func newToken(t *testing.T, st atlas.Store, name string, role auth.Role) string {
	t.Helper()
	secret, hash := auth.NewToken()
	if _, err := st.CreateToken(context.Background(), atlas.Token{Name: name, Role: string(role), Hash: hash, CreatedBy: "test"}); err != nil {
		t.Fatal(err)
	}
	return secret
}

// hiddenFixture stores one public and one internal indicator.
func hiddenFixture(t *testing.T, st atlas.Store) {
	t.Helper()
	b := &atlas.Batch{
		Levels: []atlas.Level{{ID: "bezirk", Name: "Bezirk"}},
		Units:  []atlas.Unit{{Level: "bezirk", Code: "01", Name: "Mitte", Geometry: orbSquare(13.1)}},
	}
	for _, vis := range []atlas.Visibility{atlas.Public, atlas.Internal} {
		id := "x_" + string(vis)
		b.Indicators = append(b.Indicators, atlas.Indicator{ID: id, Name: id, Unit: "Personen", Polarity: atlas.Neutral, Visibility: vis})
		b.Values = append(b.Values, atlas.Value{Indicator: id, Level: "bezirk", Unit: "01", Date: 20241231, Value: 2, Status: atlas.OK})
	}
	if _, err := st.Apply(context.Background(), b, atlas.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestRoles: who sees internal indicators and who may change the atlas.
func TestRoles(t *testing.T) {
	srv, st := newServer(t)
	hiddenFixture(t, st)
	viewer, analyst := newToken(t, st, "leser", auth.Viewer), newToken(t, st, "planung", auth.Analyst)
	editor, admin := newToken(t, st, "statistik", auth.Editor), newToken(t, st, "it", auth.Admin)

	for _, tc := range []struct {
		name, token string
		internal    bool
	}{{"anonymous", "", false}, {"viewer", viewer, false}, {"analyst", analyst, true}, {"editor", editor, true}, {"admin", admin, true}} {
		list := request(t, srv, "GET", "/api/v1/indicators", tc.token, nil)
		vals := request(t, srv, "GET", "/api/v1/indicators/x_internal/values?level=bezirk", tc.token, nil)
		if got := strings.Contains(list.Body.String(), "x_internal"); got != tc.internal || !strings.Contains(list.Body.String(), "x_public") {
			t.Errorf("%s: listing shows x_internal %v, want %v", tc.name, got, tc.internal)
		}
		if want := map[bool]int{true: 200, false: 404}[tc.internal]; vals.Code != want {
			t.Errorf("%s: internal values %d, want %d", tc.name, vals.Code, want)
		}
	}

	// Changing the atlas: 401 without credentials, 403 below the role.
	for _, tc := range []struct {
		method, path, token string
		want                int
	}{
		{"POST", "/api/v1/compute", "", 401},
		{"POST", "/api/v1/compute", viewer, 403},
		{"POST", "/api/v1/compute", analyst, 403},
		{"GET", "/api/v1/audit", analyst, 403},
		{"GET", "/api/v1/audit", editor, 200},
		{"GET", "/api/v1/tokens", editor, 403},
		{"GET", "/api/v1/tokens", admin, 200},
		{"GET", "/api/v1/indicators", "sat_not-a-token", 401},
		{"GET", "/api/v1/indicators", "eyJhbGciOi.not.configured", 401},
	} {
		w := request(t, srv, tc.method, tc.path, tc.token, nil)
		if w.Code != tc.want || !strings.HasPrefix(w.Header().Get("Content-Type"), map[bool]string{true: "application/json", false: "application/problem+json"}[tc.want == 200]) {
			t.Errorf("%s %s as %.12s: %d %s, want %d", tc.method, tc.path, tc.token, w.Code, w.Body.String(), tc.want)
		}
		if tc.want == 401 && w.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%s %s: 401 without WWW-Authenticate", tc.method, tc.path)
		}
	}

	// An admin makes a token over the API; it works until revoked.
	w := request(t, srv, "POST", "/api/v1/tokens", admin, []byte(`{"name":"QGIS Jugendamt","role":"analyst"}`))
	var made struct {
		ID    int64  `json:"id"`
		Token string `json:"token"`
		Role  string `json:"role"`
	}
	if json.Unmarshal(w.Body.Bytes(), &made); w.Code != 201 || made.Role != "analyst" || !auth.IsAPIToken(made.Token) {
		t.Fatalf("create token: %d %s", w.Code, w.Body.String())
	}
	if w := request(t, srv, "GET", "/api/v1/indicators/x_internal/values?level=bezirk", made.Token, nil); w.Code != 200 {
		t.Errorf("new analyst token: %d", w.Code)
	}
	if w := request(t, srv, "GET", "/api/v1/tokens", admin, nil); strings.Contains(w.Body.String(), made.Token) || strings.Contains(w.Body.String(), auth.HashToken(made.Token)) {
		t.Errorf("token list shows a secret or a hash: %s", w.Body.String())
	}
	for _, bad := range []string{`{"name":"x","role":"root"}`, `{"name":"","role":"viewer"}`, `{"name":"x","role":"viewer","extra":1}`} {
		if w := request(t, srv, "POST", "/api/v1/tokens", admin, []byte(bad)); w.Code != 400 {
			t.Errorf("create token %s: %d, want 400", bad, w.Code)
		}
	}
	if w := request(t, srv, "DELETE", "/api/v1/tokens/"+itoa(made.ID), admin, nil); w.Code != 204 {
		t.Errorf("revoke: %d %s", w.Code, w.Body.String())
	}
	if w := request(t, srv, "GET", "/api/v1/indicators", made.Token, nil); w.Code != 401 {
		t.Errorf("revoked token: %d, want 401", w.Code)
	}
	var entries []auditEntry
	w = request(t, srv, "GET", "/api/v1/audit", admin, nil)
	if err := json.Unmarshal(w.Body.Bytes(), &entries); err != nil || len(entries) < 3 || entries[0].Action != "token_revoke" || entries[0].User != "it" {
		t.Errorf("audit: %v %s", err, w.Body.String())
	}
}

// zipOf packs files of fsys (paths as given) into a zip archive.
func zipOf(t *testing.T, fsys fs.FS, replace map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := zw.Create(path)
		if err != nil {
			return err
		}
		if s, ok := replace[path]; ok {
			_, err = io.WriteString(f, s)
			return err
		}
		b, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		_, err = f.Write(b)
		return err
	})
	if err != nil || zw.Close() != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestImportUpload: an editor uploads the Berlin demo as a zip: a dry run
// writes nothing, a broken file writes nothing and says where, the import
// writes and is in the audit log.
func TestImportUpload(t *testing.T) {
	srv, st := newServer(t)
	editor := newToken(t, st, "statistik", auth.Editor)
	archive := zipOf(t, geodata.Berlin(), nil)
	zipType := []string{"Content-Type", "application/zip"}

	w := request(t, srv, "POST", "/api/v1/imports?dry_run=true", editor, archive, zipType...)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"dry_run":true`) {
		t.Fatalf("dry run: %d %.300s", w.Code, w.Body.String())
	}
	if lv, _ := st.Levels(context.Background()); len(lv) != 0 {
		t.Errorf("dry run wrote %d levels", len(lv))
	}
	broken := zipOf(t, geodata.Berlin(), map[string]string{"population/berlin_einwohner_2022-06-30_plr.csv": "nonsense;;;\n1;2"})
	if w := request(t, srv, "POST", "/api/v1/imports", editor, broken, zipType...); w.Code != 422 || !strings.Contains(w.Body.String(), `"errors":`) {
		t.Errorf("broken file: %d %.300s, want 422 with a report", w.Code, w.Body.String())
	}
	if w := request(t, srv, "POST", "/api/v1/imports", editor, []byte("not a zip"), zipType...); w.Code != 400 {
		t.Errorf("not a zip: %d", w.Code)
	}
	if lv, _ := st.Levels(context.Background()); len(lv) != 0 {
		t.Errorf("a refused import wrote %d levels", len(lv))
	}
	w = request(t, srv, "POST", "/api/v1/imports", editor, archive, zipType...)
	if w.Code != 201 {
		t.Fatalf("import: %d %.300s", w.Code, w.Body.String())
	}
	if lv, _ := st.Levels(context.Background()); len(lv) < 2 {
		t.Errorf("import wrote %d levels", len(lv))
	}
	w = request(t, srv, "GET", "/api/v1/audit", editor, nil)
	if !strings.Contains(w.Body.String(), `"action":"import","subject":"`) || !strings.Contains(w.Body.String(), `"user":"statistik"`) {
		t.Errorf("audit after import: %.400s", w.Body.String())
	}
	w = request(t, srv, "GET", "/api/v1/imports/1", editor, nil)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"id":1`) {
		t.Errorf("import 1: %d %.200s", w.Code, w.Body.String())
	}
}

// TestHTTPBehaviour: ETag and 304, gzip, CORS, request ids in problem
// documents, metrics per route.
func TestHTTPBehaviour(t *testing.T) {
	srv, st := newServer(t)
	hiddenFixture(t, st)
	w := request(t, srv, "GET", "/api/v1/indicators/x_public/values?level=bezirk", "", nil)
	tag := w.Header().Get("ETag")
	if w.Code != 200 || !strings.HasPrefix(tag, `W/"`) {
		t.Fatalf("values: %d ETag %q", w.Code, tag)
	}
	if w := request(t, srv, "GET", "/api/v1/indicators/x_public/values?level=bezirk", "", nil, "If-None-Match", tag); w.Code != 304 || w.Body.Len() != 0 {
		t.Errorf("If-None-Match: %d with %d bytes, want 304 and none", w.Code, w.Body.Len())
	}
	if w := request(t, srv, "GET", "/api/v1/indicators/x_public/values?level=bezirk", "", nil, "If-None-Match", `W/"other"`); w.Code != 200 {
		t.Errorf("other ETag: %d", w.Code)
	}
	big := request(t, srv, "GET", "/openapi.yaml", "", nil, "Accept-Encoding", "gzip")
	if big.Header().Get("Content-Encoding") != "gzip" {
		t.Errorf("openapi.yaml with Accept-Encoding gzip: Content-Encoding %q", big.Header().Get("Content-Encoding"))
	}
	w = request(t, srv, "GET", "/api/v1/indicators/nope/values?level=bezirk", "", nil)
	var p problem
	if json.Unmarshal(w.Body.Bytes(), &p); w.Code != 404 || p.RequestID == "" || p.RequestID != w.Header().Get("X-Request-Id") {
		t.Errorf("problem: %d %+v, header id %q", w.Code, p, w.Header().Get("X-Request-Id"))
	}
	m := request(t, srv, "GET", "/metrics", "", nil).Body.String()
	if !strings.Contains(m, `sozialatlas_http_requests_total{method="GET",route="/api/v1/indicators/:id/values",status="404"} 1`) ||
		!strings.Contains(m, `sozialatlas_http_request_duration_seconds_bucket{method="GET",route="/api/v1/indicators/:id/values"`) {
		t.Errorf("metrics lack the values route: %.2000s", m)
	}
	if w := request(t, srv, "GET", "/docs", "", nil); w.Code != 200 || !strings.Contains(w.Body.String(), `src="/docs/redoc.standalone.js"`) || strings.Contains(w.Body.String(), "https://") {
		t.Errorf("/docs: %d, or it loads from elsewhere: %s", w.Code, w.Body.String())
	}

	// Units carry the values of indicators the caller may see.
	if w := request(t, srv, "GET", "/api/v1/levels/bezirk/units?indicators=x_public", "", nil); !strings.Contains(w.Body.String(), `"x_public":2,"x_public_status":"ok"`) {
		t.Errorf("units with x_public: %d %.300s", w.Code, w.Body.String())
	}
	if w := request(t, srv, "GET", "/api/v1/levels/bezirk/units?indicators=x_internal", "", nil); w.Code != 404 || strings.Contains(w.Body.String(), `"x_internal":`) {
		t.Errorf("units with x_internal, anonymous: %d, want 404", w.Code)
	}

	// Answers come from the cache until the data change, whoever writes.
	before := request(t, srv, "GET", "/api/v1/indicators", "", nil).Body.String()
	if again := request(t, srv, "GET", "/api/v1/indicators", "", nil).Body.String(); again != before {
		t.Error("the same request on the same data gave another answer")
	}
	b := &atlas.Batch{Source: atlas.Source{Name: "neu"}, Indicators: []atlas.Indicator{{ID: "x_neu", Name: "Neu", Unit: "%", Polarity: atlas.Neutral, Visibility: atlas.Public}}}
	if _, err := st.Apply(context.Background(), b, atlas.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if after := request(t, srv, "GET", "/api/v1/indicators", "", nil).Body.String(); strings.Contains(before, "x_neu") || !strings.Contains(after, "x_neu") {
		t.Errorf("a new import is not seen: before %q, after %q", before, after)
	}

	cors := New(st, Config{OpenAPI: sozialatlas.OpenAPI, CORSOrigins: []string{"https://intranet.example.de"}})
	w = request(t, cors, "GET", "/api/v1/levels", "", nil, "Origin", "https://intranet.example.de")
	if w.Header().Get("Access-Control-Allow-Origin") != "https://intranet.example.de" {
		t.Errorf("CORS: Allow-Origin %q", w.Header().Get("Access-Control-Allow-Origin"))
	}
	if w := request(t, srv, "GET", "/api/v1/levels", "", nil, "Origin", "https://intranet.example.de"); w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Error("CORS answered without configured origins")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestMe: the caller learns its role and what it allows; a wrong token
// is refused.
func TestMe(t *testing.T) {
	srv, st := newServer(t)
	viewer, editor := newToken(t, st, "leser", auth.Viewer), newToken(t, st, "statistik", auth.Editor)
	for _, tc := range []struct{ token, want string }{
		{"", `{"name":"","role":"anonymous","sees_internal":false,"edits_offers":false,"manages_tokens":false}`},
		{viewer, `{"name":"leser","role":"viewer","sees_internal":false,"edits_offers":false,"manages_tokens":false}`},
		{editor, `{"name":"statistik","role":"editor","sees_internal":true,"edits_offers":true,"manages_tokens":false}`},
	} {
		w := request(t, srv, "GET", "/api/v1/me", tc.token, nil)
		if w.Code != 200 || strings.TrimSpace(w.Body.String()) != tc.want {
			t.Errorf("token %q: %d %s, want %s", tc.token, w.Code, w.Body.String(), tc.want)
		}
	}
	if w := request(t, srv, "GET", "/api/v1/me", "sat_wrong", nil); w.Code != 401 {
		t.Errorf("wrong token: %d, want 401", w.Code)
	}
}
