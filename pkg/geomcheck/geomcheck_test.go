package geomcheck

import (
	"errors"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// sq returns the counter-clockwise closed ring of the box x0,y0 – x1,y1.
func sq(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

// ring returns the ring with the coordinates x0, y0, x1, y1, … as given.
func ring(xy ...float64) orb.Ring {
	r := make(orb.Ring, len(xy)/2)
	for i := range r {
		r[i] = orb.Point{xy[2*i], xy[2*i+1]}
	}
	return r
}

// rev returns a reversed copy of r.
func rev(r orb.Ring) orb.Ring {
	r = slices.Clone(r)
	slices.Reverse(r)
	return r
}

// circle returns a closed counter-clockwise ring of n points around cx, cy.
func circle(cx, cy, radius float64, n int) orb.Ring {
	r := make(orb.Ring, n+1)
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		r[i] = orb.Point{cx + radius*math.Cos(a), cy + radius*math.Sin(a)}
	}
	r[n] = r[0]
	return r
}

// validCases are valid as given: MultiPolygon returns them unchanged.
var validCases = []struct {
	name string
	g    orb.MultiPolygon
}{
	{"square", orb.MultiPolygon{{sq(0, 0, 1, 1)}}},
	{"triangle", orb.MultiPolygon{{ring(0, 0, 1, 0, 0, 1, 0, 0)}}},
	{"collinear vertices along an edge", orb.MultiPolygon{{ring(0, 0, 1, 0, 2, 0, 2, 2, 0, 2, 0, 0)}}},
	{"square with hole", orb.MultiPolygon{{sq(0, 0, 4, 4), rev(sq(1, 1, 2, 2))}}},
	{"two disjoint squares", orb.MultiPolygon{{sq(0, 0, 1, 1)}, {sq(2, 0, 3, 1)}}},
	{"two squares touching at a corner", orb.MultiPolygon{{sq(0, 0, 1, 1)}, {sq(1, 1, 2, 2)}}},
	{"parts touching at two points", orb.MultiPolygon{{sq(0, 0, 2, 2)}, {ring(2, 0.5, 3, 0, 3, 2, 2, 1.5, 2.5, 1, 2, 0.5)}}},
	{"hole touching the exterior at a shared vertex", orb.MultiPolygon{{sq(0, 0, 4, 4), ring(0, 0, 1, 2, 2, 1, 0, 0)}}},
	{"hole touching the exterior inside an edge", orb.MultiPolygon{{sq(0, 0, 4, 4), ring(2, 0, 1, 1, 3, 1, 2, 0)}}},
	{"two holes touching at a point", orb.MultiPolygon{{sq(0, 0, 4, 4), rev(sq(1, 1, 2, 2)), rev(sq(2, 2, 3, 3))}}},
	{"chain of touching rings without a cycle", orb.MultiPolygon{{sq(0, 0, 4, 4), ring(0, 0, 1, 2, 2, 1, 0, 0), ring(2, 1, 3, 2, 3, 1, 2, 1)}}},
	{"island in a hole, touching it", orb.MultiPolygon{{sq(0, 0, 4, 4), rev(sq(1, 1, 3, 3))}, {ring(2, 1, 3, 2, 2, 3, 1, 2, 2, 1)}}},
	{"circle of 5000 points with a circular hole", orb.MultiPolygon{{circle(13.4, 52.5, 0.1, 5000), rev(circle(13.4, 52.5, 0.05, 3000))}}},
	{"sliver a few nanodegrees wide", orb.MultiPolygon{{ring(13.3501167, 52.5036685, 13.3502225, 52.5037626, 13.3501700, 52.5037160, 13.3501167, 52.5036685)}}},
}

func TestValid(t *testing.T) {
	for _, tc := range validCases {
		t.Run(tc.name, func(t *testing.T) {
			got, repairs, err := MultiPolygon(tc.g)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if len(repairs) != 0 {
				t.Errorf("got repairs %v, want none", repairs)
			}
			if !reflect.DeepEqual(got, tc.g) {
				t.Errorf("got %v, want the input %v", got, tc.g)
			}
		})
	}
}

var repairCases = []struct {
	name    string
	g       orb.Geometry
	want    orb.MultiPolygon
	repairs []string
}{
	{
		name:    "unclosed ring",
		g:       orb.MultiPolygon{{ring(0, 0, 1, 0, 1, 1, 0, 1)}},
		want:    orb.MultiPolygon{{sq(0, 0, 1, 1)}},
		repairs: []string{"polygon 0, ring 0: closed the ring"},
	},
	{
		name:    "three points, unclosed: a triangle",
		g:       orb.MultiPolygon{{ring(0, 0, 1, 0, 0, 1)}},
		want:    orb.MultiPolygon{{ring(0, 0, 1, 0, 0, 1, 0, 0)}},
		repairs: []string{"polygon 0, ring 0: closed the ring"},
	},
	{
		name:    "repeated points",
		g:       orb.MultiPolygon{{ring(0, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 1, 0, 0)}},
		want:    orb.MultiPolygon{{sq(0, 0, 1, 1)}},
		repairs: []string{"polygon 0, ring 0: removed 2 repeated points"},
	},
	{
		name:    "repeated closing point",
		g:       orb.MultiPolygon{{ring(0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0)}},
		want:    orb.MultiPolygon{{sq(0, 0, 1, 1)}},
		repairs: []string{"polygon 0, ring 0: removed 1 repeated point"},
	},
	{
		name:    "clockwise exterior ring",
		g:       orb.MultiPolygon{{rev(sq(0, 0, 1, 1))}},
		want:    orb.MultiPolygon{{sq(0, 0, 1, 1)}},
		repairs: []string{"polygon 0, ring 0: reversed the exterior ring to counter-clockwise (RFC 7946)"},
	},
	{
		name:    "counter-clockwise hole",
		g:       orb.MultiPolygon{{sq(0, 0, 4, 4), sq(1, 1, 2, 2)}},
		want:    orb.MultiPolygon{{sq(0, 0, 4, 4), rev(sq(1, 1, 2, 2))}},
		repairs: []string{"polygon 0, ring 1: reversed the hole to clockwise (RFC 7946)"},
	},
	{
		name:    "Polygon promoted to MultiPolygon",
		g:       orb.Polygon{sq(0, 0, 1, 1)},
		want:    orb.MultiPolygon{{sq(0, 0, 1, 1)}},
		repairs: []string{"polygon 0: promoted the Polygon to a MultiPolygon"},
	},
	{
		name: "all repairs at once",
		g:    orb.Polygon{ring(0, 0, 0, 1, 0, 1, 1, 1, 1, 0), ring(0.25, 0.25, 0.5, 0.25, 0.5, 0.5)},
		want: orb.MultiPolygon{{sq(0, 0, 1, 1), ring(0.25, 0.25, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25)}},
		repairs: []string{
			"polygon 0: promoted the Polygon to a MultiPolygon",
			"polygon 0, ring 0: removed 1 repeated point",
			"polygon 0, ring 0: closed the ring",
			"polygon 0, ring 0: reversed the exterior ring to counter-clockwise (RFC 7946)",
			"polygon 0, ring 1: closed the ring",
			"polygon 0, ring 1: reversed the hole to clockwise (RFC 7946)",
		},
	},
	{
		name:    "repair in a later polygon",
		g:       orb.MultiPolygon{{sq(0, 0, 1, 1)}, {rev(sq(2, 0, 3, 1))}},
		want:    orb.MultiPolygon{{sq(0, 0, 1, 1)}, {sq(2, 0, 3, 1)}},
		repairs: []string{"polygon 1, ring 0: reversed the exterior ring to counter-clockwise (RFC 7946)"},
	},
}

func TestRepairs(t *testing.T) {
	for _, tc := range repairCases {
		t.Run(tc.name, func(t *testing.T) {
			got, repairs, err := MultiPolygon(tc.g)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if s := repairStrings(repairs); !slices.Equal(s, tc.repairs) {
				t.Errorf("got repairs %q, want %q", s, tc.repairs)
			}
			again, repairs, err := MultiPolygon(got)
			if err != nil || len(repairs) != 0 || !reflect.DeepEqual(again, got) {
				t.Errorf("second pass: got %v, %v, %v; want the result unchanged, no repairs, no error", again, repairs, err)
			}
		})
	}
}

func repairStrings(repairs []Repair) []string {
	var s []string
	for _, r := range repairs {
		s = append(s, r.String())
	}
	return s
}

// anyRing in an error case means that which ring the error names is not
// asserted: several rings are equally at fault.
const anyRing = -99

var errorCases = []struct {
	name          string
	g             orb.Geometry
	polygon, ring int
	reason        string
	at            *orb.Point // nil: not asserted
	noPostGIS     string     // why PostGIS cannot check this case
}{
	{name: "bow-tie", g: orb.Polygon{ring(0, 0, 2, 2, 2, 0, 0, 2, 0, 0)},
		reason: "self-intersection", at: &orb.Point{1, 1}},
	{name: "figure 8 with a shared vertex", g: orb.Polygon{ring(0, 0, 2, 0, 1, 1, 2, 2, 0, 2, 1, 1, 0, 0)},
		reason: "self-intersection: the ring touches itself", at: &orb.Point{1, 1}},
	{name: "vertex touching the ring's own edge", g: orb.Polygon{ring(0, 0, 4, 0, 4, 2, 2, 0, 1, 2, 0, 2, 0, 0)},
		reason: "self-intersection: the ring touches itself", at: &orb.Point{2, 0}},
	{name: "spike out and back", g: orb.Polygon{ring(0, 0, 2, 0, 2, 2, 3, 2, 2, 2, 0, 2, 0, 0)},
		reason: "self-intersection: spike, the ring doubles back on itself", at: &orb.Point{3, 2}},
	{name: "spike back along an edge", g: orb.Polygon{ring(0, 0, 2, 0, 2, 2, 2, 1, 0, 2, 0, 0)},
		reason: "self-intersection: spike, the ring doubles back on itself", at: &orb.Point{2, 2}},
	{name: "too few points: 2 points", g: orb.Polygon{ring(0, 0, 1, 0)},
		reason: "too few points: 2 distinct, a ring needs at least 3"},
	{name: "too few points: 3 points, 2 distinct", g: orb.Polygon{ring(0, 0, 1, 0, 0, 0)},
		reason: "too few points: 2 distinct, a ring needs at least 3"},
	{name: "too few points: 4 points, 2 distinct", g: orb.Polygon{ring(0, 0, 1, 0, 1, 0, 0, 0)},
		reason: "too few points: 2 distinct, a ring needs at least 3"},
	{name: "too few points: 4 equal points", g: orb.Polygon{ring(1, 1, 1, 1, 1, 1, 1, 1)},
		reason: "too few points: 1 distinct, a ring needs at least 3"},
	{name: "too few points: empty ring", g: orb.Polygon{sq(0, 0, 4, 4), {}}, ring: 1,
		reason: "too few points: 0 distinct, a ring needs at least 3", noPostGIS: "WKT has no empty ring inside a polygon"},
	{name: "zero area: three collinear points", g: orb.Polygon{ring(0, 0, 1, 0, 2, 0, 0, 0)},
		reason: "zero area: all points are collinear", at: &orb.Point{0, 0}},
	{name: "zero area: diagonal, unclosed", g: orb.Polygon{ring(0, 0, 1, 1, 2, 2, 3, 3)},
		reason: "zero area: all points are collinear"},
	{name: "hole outside the exterior ring", g: orb.Polygon{sq(0, 0, 1, 1), rev(sq(2, 2, 3, 3))}, ring: 1,
		reason: "hole is outside the exterior ring"},
	{name: "hole outside, touching the exterior at a corner", g: orb.Polygon{sq(0, 0, 1, 1), rev(sq(1, 1, 2, 2))}, ring: 1,
		reason: "hole is outside the exterior ring", at: &orb.Point{1, 2}},
	{name: "hole crossing the exterior ring", g: orb.Polygon{sq(0, 0, 2, 2), rev(sq(1, 1, 3, 3))}, ring: 1,
		reason: "crosses the exterior ring"},
	{name: "hole crossing the exterior ring at its vertices", g: orb.Polygon{sq(0, 0, 4, 4), ring(3, 2, 4, 1, 5, 2, 4, 3, 3, 2)}, ring: 1,
		reason: "crosses the exterior ring"},
	{name: "hole along an edge of the exterior ring", g: orb.Polygon{sq(0, 0, 4, 4), ring(1, 0, 2, 1, 3, 0, 1, 0)}, ring: 1,
		reason: "overlaps the exterior ring along a segment"},
	{name: "hole equal to the exterior ring", g: orb.Polygon{sq(0, 0, 4, 4), rev(sq(0, 0, 4, 4))}, ring: 1,
		reason: "overlaps the exterior ring along a segment"},
	{name: "hole touching the exterior ring twice", g: orb.Polygon{sq(0, 0, 4, 4), ring(0, 2, 2, 3, 4, 2, 2, 1, 0, 2)}, ring: 1,
		reason: "interior is disconnected: rings touch in a cycle"},
	{name: "holes touching in a cycle", g: orb.Polygon{sq(0, 0, 4, 4),
		rev(ring(1, 1, 2, 1, 1, 2, 1, 1)), rev(ring(2, 1, 3, 1, 3, 2, 2, 1)), rev(ring(3, 2, 3, 3, 2, 3, 3, 2)), rev(ring(1, 2, 2, 3, 1, 3, 1, 2))},
		ring: anyRing, reason: "interior is disconnected: rings touch in a cycle"},
	{name: "overlapping holes", g: orb.Polygon{sq(0, 0, 4, 4), rev(sq(1, 1, 2.5, 2.5)), rev(sq(2, 2, 3, 3))}, ring: 2,
		reason: "crosses ring 1"},
	{name: "holes sharing an edge", g: orb.Polygon{sq(0, 0, 4, 4), rev(sq(1, 1, 2, 2)), rev(sq(2, 1, 3, 2))}, ring: 2,
		reason: "overlaps ring 1 along a segment"},
	{name: "nested holes", g: orb.Polygon{sq(0, 0, 4, 4), rev(sq(1, 1, 3, 3)), rev(sq(1.5, 1.5, 2, 2))}, ring: 2,
		reason: "hole is inside ring 1"},
	{name: "nested holes, outer one last", g: orb.Polygon{sq(0, 0, 4, 4), rev(sq(1.5, 1.5, 2, 2)), rev(sq(1, 1, 3, 3))}, ring: 1,
		reason: "hole is inside ring 2"},
	{name: "overlapping parts", g: orb.MultiPolygon{{sq(0, 0, 2, 2)}, {sq(1, 1, 3, 3)}}, polygon: 1,
		reason: "crosses polygon 0, ring 0"},
	{name: "parts sharing an edge", g: orb.MultiPolygon{{sq(0, 0, 1, 1)}, {sq(1, 0, 2, 1)}}, polygon: 1,
		reason: "overlaps polygon 0, ring 0 along a segment"},
	{name: "part crossing a hole of another", g: orb.MultiPolygon{{sq(0, 0, 4, 4), rev(sq(1, 1, 3, 3))}, {sq(0.5, 0.5, 2, 2)}}, polygon: 1,
		reason: "crosses polygon 0, ring 1"},
	{name: "one part inside another", g: orb.MultiPolygon{{sq(0, 0, 4, 4)}, {sq(1, 1, 2, 2)}}, polygon: 1,
		reason: "lies inside polygon 0", at: &orb.Point{1, 1}},
	{name: "one part containing an earlier one", g: orb.MultiPolygon{{sq(1, 1, 2, 2)}, {sq(0, 0, 4, 4)}}, polygon: 1,
		reason: "contains polygon 0"},
	{name: "part inside another, its vertices on the other's boundary", g: orb.MultiPolygon{{sq(0, 0, 4, 4)}, {ring(2, 0, 4, 2, 2, 4, 0, 2, 2, 0)}}, polygon: 1,
		reason: "lies inside polygon 0", at: &orb.Point{2, 0}},
	{name: "error in a later polygon's hole", g: orb.MultiPolygon{{sq(0, 0, 1, 1)}, {sq(2, 0, 6, 4), ring(3, 1, 5, 3, 5, 1, 3, 3, 3, 1)}}, polygon: 1, ring: 1,
		reason: "self-intersection", at: &orb.Point{4, 2}},
	{name: "NaN coordinate", g: orb.Polygon{ring(0, 0, 1, 0, math.NaN(), 1, 0, 0)},
		reason: "non-finite coordinate"},
	{name: "infinite coordinate", g: orb.Polygon{ring(0, 0, 1, 0, math.Inf(1), 1, 0, 0)},
		reason: "non-finite coordinate"},
	{name: "empty MultiPolygon", g: orb.MultiPolygon{}, polygon: -1, ring: -1,
		reason: "empty geometry", noPostGIS: "PostGIS calls EMPTY valid; we reject it"},
	{name: "polygon without rings", g: orb.MultiPolygon{{sq(0, 0, 1, 1)}, {}}, polygon: 1, ring: -1,
		reason: "polygon has no rings", noPostGIS: "PostGIS calls EMPTY valid; we reject it"},
	{name: "LineString", g: orb.LineString{{0, 0}, {1, 1}}, polygon: -1, ring: -1,
		reason: "unsupported geometry type LineString, want Polygon or MultiPolygon", noPostGIS: "not polygonal"},
	{name: "nil", g: nil, polygon: -1, ring: -1,
		reason: "no geometry", noPostGIS: "no geometry"},
}

func TestErrors(t *testing.T) {
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			got, repairs, err := MultiPolygon(tc.g)
			if err == nil {
				t.Fatalf("got %v with repairs %v, want error %q", got, repairs, tc.reason)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got error %T %v, want *Error", err, err)
			}
			if e.Reason != tc.reason {
				t.Errorf("got reason %q, want %q", e.Reason, tc.reason)
			}
			if e.Polygon != tc.polygon || tc.ring != anyRing && e.Ring != tc.ring {
				t.Errorf("got polygon %d, ring %d, want polygon %d, ring %d", e.Polygon, e.Ring, tc.polygon, tc.ring)
			}
			if tc.at != nil && (!e.HasPoint || e.At != *tc.at) {
				t.Errorf("got location %v (HasPoint %v), want %v", e.At, e.HasPoint, *tc.at)
			}
			if e.Ring >= 0 && !e.HasPoint && e.Reason != "too few points: 0 distinct, a ring needs at least 3" {
				t.Errorf("got no location in %q, want one", e)
			}
			if got != nil || repairs != nil {
				t.Errorf("got %v, %v with the error, want nil, nil", got, repairs)
			}
		})
	}
}

func TestMessages(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"error", (&Error{Polygon: 0, Ring: 0, At: orb.Point{13.350116712, 52.50362}, HasPoint: true, Reason: "self-intersection"}).Error(),
			"polygon 0, ring 0: self-intersection at (13.3501167, 52.50362)"},
		{"error without location", (&Error{Polygon: 2, Ring: -1, Reason: "polygon has no rings"}).Error(),
			"polygon 2: polygon has no rings"},
		{"error about the whole geometry", (&Error{Polygon: -1, Ring: -1, Reason: "empty geometry"}).Error(),
			"empty geometry"},
		{"non-finite location", (&Error{Polygon: 0, Ring: 1, At: orb.Point{math.NaN(), 1}, HasPoint: true, Reason: "non-finite coordinate"}).Error(),
			"polygon 0, ring 1: non-finite coordinate at (NaN, 1)"},
		{"repair", Repair{Polygon: 0, Ring: 2, What: "closed the ring"}.String(),
			"polygon 0, ring 2: closed the ring"},
		{"polygon repair", Repair{Polygon: 0, Ring: -1, What: "promoted the Polygon to a MultiPolygon"}.String(),
			"polygon 0: promoted the Polygon to a MultiPolygon"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

// TestInputUnchanged checks that MultiPolygon copies rather than repairs in
// place: the importer may still need the original for its report.
func TestInputUnchanged(t *testing.T) {
	in := orb.Polygon{ring(0, 0, 0, 1, 0, 1, 1, 1, 1, 0)}
	orig := orb.Clone(in)
	out, _, err := MultiPolygon(in)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, orig) {
		t.Errorf("got input %v after the call, want it unchanged %v", in, orig)
	}
	out[0][0][0] = orb.Point{9, 9}
	if in[0][0] == (orb.Point{9, 9}) {
		t.Errorf("got a result that shares memory with the input, want a copy")
	}
}

// TestNormalisedRepairs: orientation and promotion are marked as
// normalisations, closing a ring and dropping repeated points are not.
func TestNormalisedRepairs(t *testing.T) {
	cw := orb.Polygon{{{0, 0}, {0, 1}, {1, 1}, {1, 1}, {1, 0}}} // clockwise, unclosed, a repeated point
	_, repairs, err := MultiPolygon(cw)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		"promoted the Polygon to a MultiPolygon":                     true,
		"removed 1 repeated point":                                   false,
		"closed the ring":                                            false,
		"reversed the exterior ring to counter-clockwise (RFC 7946)": true,
	}
	if len(repairs) != len(want) {
		t.Fatalf("got repairs %v, want %d", repairs, len(want))
	}
	for _, r := range repairs {
		if n, ok := want[r.What]; !ok || n != r.Normalised {
			t.Errorf("%q: got Normalised %v, want %v (known %v)", r.What, r.Normalised, n, ok)
		}
	}
}
