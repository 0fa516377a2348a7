package importer

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestDeclaredLevels: levels declared child first, below a level that only
// the store has, are written parents first; a declared cycle is refused.
func TestDeclaredLevels(t *testing.T) {
	ctx := context.Background()
	s := newSQLite(t)
	base, err := ReadManifest(os.DirFS(badInputDir+"/base"), "sozialatlas.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := Import(ctx, s, os.DirFS(badInputDir+"/base"), base, Options{}); err != nil || !rep.OK() {
		t.Fatalf("base: %v %s", err, reportText(rep))
	}
	m := &Manifest{Levels: []LevelSpec{
		{ID: "haus", Name: "Haus", Parent: "block"},
		{ID: "block", Name: "Block", Parent: "sozialraum"},
	}}
	rep, err := Import(ctx, s, os.DirFS("."), m, Options{})
	if err != nil || !rep.OK() {
		t.Fatalf("child-first levels: %v %s", err, reportText(rep))
	}
	levels, err := s.Levels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range levels {
		ids = append(ids, l.ID)
	}
	if got := strings.Join(ids, " "); got != "bezirk sozialraum block haus" {
		t.Errorf("levels: got %s, want bezirk sozialraum block haus", got)
	}

	cycle := &Manifest{Levels: []LevelSpec{{ID: "bezirk", Name: "Bezirk", Parent: "haus"}}}
	rep, err = Import(ctx, s, os.DirFS("."), cycle, Options{})
	if err != nil || rep.OK() || !strings.Contains(reportText(rep), "levels form a cycle") {
		t.Errorf("a cycle through stored levels: got %v\n%s", err, reportText(rep))
	}
}
