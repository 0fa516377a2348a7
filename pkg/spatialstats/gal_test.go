package spatialstats

import (
	"bufio"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// The St. Louis file: 78 queen-contiguous counties; every link must come
// back, with the count each record declares.
func TestParseGALStLouis(t *testing.T) {
	f, err := os.Open("testdata/stl.gal")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, ids, err := ParseGAL(f)
	if err != nil {
		t.Fatal(err)
	}
	if w.N() != 78 || len(ids) != 78 || ids[0] != "1" || ids[77] != "78" {
		t.Fatalf("N %d, %d ids from %v to %v; want 78 ids 1..78", w.N(), len(ids), ids[0], ids[len(ids)-1])
	}
	// an independent reading of the records: "id k" then k ids
	f2, err := os.Open("testdata/stl.gal")
	if err != nil {
		t.Fatal(err)
	}
	defer f2.Close()
	sc := bufio.NewScanner(f2)
	sc.Scan() // header
	for sc.Scan() {
		head := strings.Fields(sc.Text())
		sc.Scan()
		want := map[string]bool{}
		for _, id := range strings.Fields(sc.Text()) {
			want[id] = true
		}
		k, _ := strconv.Atoi(head[1])
		i, _ := strconv.Atoi(head[0])
		nb, _ := w.Neighbours(i - 1)
		if len(nb) != k || len(want) != k {
			t.Errorf("unit %s: %d neighbours, file declares %d", head[0], len(nb), k)
		}
		for _, j := range nb {
			if !want[ids[j]] {
				t.Errorf("unit %s: neighbour %s not in the file", head[0], ids[j])
			}
		}
	}
	// queen contiguity is symmetric
	for i := range w.N() {
		nb, _ := w.Neighbours(i)
		for _, j := range nb {
			if !w.has(j, i) {
				t.Errorf("link %s-%s only one way", ids[i], ids[j])
			}
		}
	}
}

// GeoDa's header "0 n shapefile key", string ids, an island with an empty
// neighbour line, and a one-way link.
func TestParseGALGeoDa(t *testing.T) {
	in := "0 4 bezirke PLR_ID\n" +
		"01100101 2\n01100102 01100103\n" +
		"01100102 1\n01100101\n" +
		"01100103 0\n\n" +
		"01100104 0\n"
	w, ids, err := ParseGAL(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ids, []string{"01100101", "01100102", "01100103", "01100104"}) {
		t.Errorf("ids %v", ids)
	}
	if got := w.Pairs(); !reflect.DeepEqual(got, [][2]int{{0, 1}, {0, 2}}) {
		t.Errorf("pairs %v, want [[0 1] [0 2]]", got)
	}
	if nb, _ := w.Neighbours(2); len(nb) != 0 {
		t.Errorf("unit 01100103 lists %v, want no neighbours (one-way link from 01100101)", nb)
	}
	if got := w.Islands(); !reflect.DeepEqual(got, []int{2, 3}) {
		t.Errorf("islands %v, want [2 3]", got)
	}
}

func TestParseGALErrors(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"empty", "", "empty input"},
		{"bad header", "x\n", "line 1: header: number of units \"x\""},
		{"record fields", "2\na 1 2\n", "line 2: want \"id number-of-neighbours\", got 3 fields"},
		{"bad count", "2\na z\n", "line 2: unit a: number of neighbours \"z\""},
		{"count mismatch", "2\na 2\nb\nb 1\na\n", "line 3: unit a: 1 neighbours listed, header says 2"},
		{"duplicate id", "2\na 1\nb\na 1\nb\n", "line 4: unit a appears twice"},
		{"unknown neighbour", "2\na 1\nc\nb 1\na\n", "line 3: unit a: neighbour c has no record of its own"},
		{"self", "2\na 1\na\nb 0\n", "line 3: unit a lists itself as a neighbour"},
		{"twice", "3\na 2\nb b\nb 1\na\nc 0\n", "line 3: unit a lists neighbour b twice"},
		{"short", "3\na 1\nb\nb 1\na\n", "header announces 3 units, found 2 complete records"},
		{"missing neighbour line", "2\na 0\nb 1\n", "header announces 2 units, found 1 complete records"},
		{"trailing", "1\na 0\nb 0\n", "line 3: unexpected content \"b 0\" after the 1 units"},
	}
	for _, tc := range cases {
		_, _, err := ParseGAL(strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}
