package spatialstats

import (
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/geodata"
)

// lattice builds binary contiguity on a rows x cols grid (row-major unit
// numbers): rook (edges) or queen (edges and corners).
func lattice(t testing.TB, rows, cols int, queen bool) Weights {
	t.Helper()
	nbrs := make([][]int, rows*cols)
	for r := range rows {
		for c := range cols {
			for dr := -1; dr <= 1; dr++ {
				for dc := -1; dc <= 1; dc++ {
					if (dr == 0 && dc == 0) || (!queen && dr != 0 && dc != 0) {
						continue
					}
					rr, cc := r+dr, c+dc
					if rr >= 0 && rr < rows && cc >= 0 && cc < cols {
						nbrs[r*cols+c] = append(nbrs[r*cols+c], rr*cols+cc)
					}
				}
			}
		}
	}
	w, err := NewWeights(nbrs, nil)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// stLouis reads the 78 homicide rates HR8893 and the queen GAL weights.
func stLouis(t testing.TB) ([]float64, Weights) {
	t.Helper()
	f, err := os.Open("testdata/stl.gal")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, ids, err := ParseGAL(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/stl_hom.txt")
	if err != nil {
		t.Fatal(err)
	}
	// first line "78,4": rows and columns; then a CSV table
	_, table, _ := strings.Cut(string(data), "\n")
	recs, err := csv.NewReader(strings.NewReader(table)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for k, h := range recs[0] {
		if h == "HR8893" {
			col = k
		}
	}
	if col < 0 {
		t.Fatal("stl_hom.txt: no column HR8893")
	}
	var y []float64
	for _, rec := range recs[1:] {
		v, err := strconv.ParseFloat(rec[col], 64)
		if err != nil {
			t.Fatal(err)
		}
		y = append(y, v)
	}
	if len(y) != 78 || len(ids) != 78 {
		t.Fatalf("St. Louis: %d values, %d GAL units, want 78", len(y), len(ids))
	}
	// GAL ids are the 1-based row numbers of the table
	for k, id := range ids {
		if id != strconv.Itoa(k+1) {
			t.Fatalf("GAL record %d has id %s, want %d", k, id, k+1)
		}
	}
	return y, w
}

// berlinPLR reads the 542 Berlin Planungsräume: ids and geometries.
func berlinPLR(t testing.TB) ([]string, []orb.MultiPolygon) {
	t.Helper()
	ids, geoms, err := geodata.BerlinAreas("plr")
	if err != nil {
		t.Fatal(err)
	}
	return ids, geoms
}

// near fails unless got is within tol of want.
func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		t.Errorf("%s = %.17g, want %.17g (± %g)", what, got, want, tol)
	}
}
