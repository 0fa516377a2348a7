package importer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/pgtest"
	"github.com/sozialatlas/sozialatlas/pkg/postgis"
	"github.com/sozialatlas/sozialatlas/pkg/storetest"
)

// badInputDir holds one directory per case: a manifest, its files and
// expect.yaml. Every case starts from the test city in base/.
const badInputDir = "../../testdata/badinput"

type expectation struct {
	Description    string `yaml:"description"`
	Errors         int    `yaml:"errors"`
	Warnings       int    `yaml:"warnings"`
	Listed         *int   `yaml:"listed"`
	Written        bool   `yaml:"written"`
	MaxFileSize    int64  `yaml:"max_file_size"`
	ManifestError  string `yaml:"manifest_error"`
	Messages       []string
	UnitsInserted  int `yaml:"units_inserted"`
	UnitsUnchanged int `yaml:"units_unchanged"`
	Values         []struct {
		Indicator string
		Unit      string
		Date      atlas.Date
		Status    atlas.Status
		Value     float64
	}
}

func TestBadInputSQLite(t *testing.T) { runBadInput(t, newSQLite) }

func TestBadInputPostGIS(t *testing.T) {
	runBadInput(t, func(t testing.TB) atlas.Store {
		s, err := postgis.Open(context.Background(), pgtest.NewDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func runBadInput(t *testing.T, newStore func(testing.TB) atlas.Store) {
	dirs, err := os.ReadDir(badInputDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() || d.Name() == "base" {
			continue
		}
		t.Run(d.Name(), func(t *testing.T) {
			dir := filepath.Join(badInputDir, d.Name())
			var want expectation
			b, err := os.ReadFile(filepath.Join(dir, "expect.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if err := yaml.Unmarshal(b, &want); err != nil {
				t.Fatalf("expect.yaml: %v", err)
			}
			s := newStore(t)
			base, err := ReadManifest(os.DirFS(filepath.Join(badInputDir, "base")), "sozialatlas.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if rep, err := Import(context.Background(), s, os.DirFS(filepath.Join(badInputDir, "base")), base, Options{}); err != nil || !rep.OK() {
				t.Fatalf("base import: %v %s", err, reportText(rep))
			}
			before := storetest.Dump(t, s)

			m, err := ReadManifest(os.DirFS(dir), "sozialatlas.yaml")
			if want.ManifestError != "" {
				if err == nil || !strings.Contains(err.Error(), want.ManifestError) {
					t.Fatalf("manifest error: got %v, want one containing %q", err, want.ManifestError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Import(context.Background(), s, os.DirFS(dir), m, Options{MaxFileSize: want.MaxFileSize})
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			text := reportText(rep)
			if rep.Errors != want.Errors || rep.Warnings != want.Warnings {
				t.Errorf("got %d errors and %d warnings, want %d and %d:\n%s", rep.Errors, rep.Warnings, want.Errors, want.Warnings, text)
			}
			for _, msg := range want.Messages {
				if !strings.Contains(text, msg) {
					t.Errorf("report lacks %q; it says:\n%s", msg, text)
				}
			}
			if want.Listed != nil && (len(rep.Problems) != *want.Listed || rep.Omitted != rep.Errors+rep.Warnings-*want.Listed) {
				t.Errorf("listed %d problems and omitted %d, want %d listed and the rest counted", len(rep.Problems), rep.Omitted, *want.Listed)
			}
			after := storetest.Dump(t, s)
			if !want.Written {
				if rep.Changes != nil {
					t.Errorf("a refused import reports changes %+v", rep.Changes)
				}
				if after != before {
					t.Errorf("a refused import changed the store")
				}
				return
			}
			if !rep.OK() || rep.Changes == nil {
				t.Fatalf("import refused:\n%s", text)
			}
			if rep.Changes.Units.Inserted != want.UnitsInserted || rep.Changes.Units.Unchanged != want.UnitsUnchanged {
				t.Errorf("unit changes: got %+v, want %d inserted, %d unchanged", rep.Changes.Units, want.UnitsInserted, want.UnitsUnchanged)
			}
			for _, wv := range want.Values {
				vs, err := s.Values(context.Background(), atlas.ValueQuery{Indicator: wv.Indicator, Level: "sozialraum", Units: []string{wv.Unit}, Dates: []atlas.Date{wv.Date}})
				if err != nil || len(vs) != 1 {
					t.Errorf("value %s %s %s: got %v, %v", wv.Indicator, wv.Unit, wv.Date, vs, err)
					continue
				}
				if vs[0].Status != wv.Status || vs[0].Value != wv.Value {
					t.Errorf("value %s %s %s: got %s %v, want %s %v", wv.Indicator, wv.Unit, wv.Date, vs[0].Status, vs[0].Value, wv.Status, wv.Value)
				}
			}
		})
	}
}
