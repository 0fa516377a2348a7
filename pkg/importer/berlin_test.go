package importer

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sozialatlas/sozialatlas/geodata"
	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/sqlite"
)

func newSQLite(t testing.TB) atlas.Store {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func importBerlin(t testing.TB, s atlas.Store, opts Options) *Report {
	t.Helper()
	m, err := ReadManifest(geodata.Berlin(), geodata.BerlinManifest)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Import(context.Background(), s, geodata.Berlin(), m, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func reportText(r *Report) string {
	var b strings.Builder
	r.WriteText(&b)
	return b.String()
}

func TestBerlinDemo(t *testing.T) {
	s := newSQLite(t)
	rep := importBerlin(t, s, Options{})
	if !rep.OK() {
		t.Fatalf("Berlin demo import: %d errors:\n%s", rep.Errors, reportText(rep))
	}
	// The published 4326 files were rounded to 7 decimals, which left
	// repeated points in 15 rings: repaired and reported, nothing else.
	if rep.Warnings != 15 {
		t.Errorf("got %d warnings, want the 15 repeated-point repairs:\n%s", rep.Warnings, reportText(rep))
	}
	for _, p := range rep.Problems {
		if !strings.Contains(p.Reason, "repeated point") {
			t.Errorf("unexpected problem: %s", p)
		}
	}
	ctx := context.Background()
	levels, err := s.Levels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range levels {
		got = append(got, fmt.Sprintf("%s:%d", l.ID, l.Units))
	}
	if want := "bezirk:12 prognoseraum:58 bezirksregion:143 planungsraum:542"; strings.Join(got, " ") != want {
		t.Errorf("levels: got %v, want %s", got, want)
	}
	c := rep.Changes
	if c == nil || c.Offers.Inserted != 2880+407+902+274 || c.Indicators.Inserted != 32 || c.Values.Inserted != 542*21+542*11 {
		t.Errorf("changes: got %+v", c)
	}
	// Markers are missing values, never numbers: Pankower Tor (no residents
	// yet) has -9999 and empty cells in the MSS file.
	vs, err := s.Values(ctx, atlas.ValueQuery{Indicator: "mss_s4", Level: "planungsraum", Units: []string{"03400831"}})
	if err != nil || len(vs) != 1 || vs[0].Status != atlas.Missing || vs[0].Value != 0 {
		t.Errorf("mss_s4 of 03400831: got %+v, %v; want one missing value", vs, err)
	}
	// Decimal commas: S1 of Stülerstraße is 4,22594.
	vs, err = s.Values(ctx, atlas.ValueQuery{Indicator: "mss_s1", Level: "planungsraum", Units: []string{"01100101"}})
	if err != nil || len(vs) != 1 || vs[0].Value != 4.22594 || vs[0].Date != 20201231 {
		t.Errorf("mss_s1 of 01100101: got %+v, %v; want 4.22594 on 2020-12-31", vs, err)
	}

	// Importing the same files again changes nothing.
	again := importBerlin(t, s, Options{})
	if !again.OK() || again.Changes == nil || again.Changes.Changed() {
		t.Errorf("re-import changed %+v, want nothing:\n%s", again.Changes, reportText(again))
	}
}
