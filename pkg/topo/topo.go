// Package topo simplifies a polygon coverage (the units of one level:
// Planungsräume, blocks) so that neighbours keep identical vertices along
// their common border at every tolerance: vector tiles then show neither
// gaps nor slivers between areas.
//
// The method is TopoJSON's. Build hashes every vertex and marks a vertex a
// junction where the rings through it do not all continue to the same two
// neighbours (three or more areas meet, or a ring's neighbour changes). It
// cuts the rings at junctions into arcs, keeps an arc shared by two rings
// (same vertices forwards or backwards) once, and records each ring as a
// list of signed arc ids. Simplify simplifies each arc once, keeping its
// end points, and rebuilds the rings from the simplified arcs, so both
// sides of a border get the very same vertices.
//
// Before that, Build makes borders that do not share their vertices
// exactly share them: vertices closer than a snapping distance are merged,
// and a vertex lying on another ring's edge (a T-junction) is inserted
// into that edge.
//
// Coordinates are planar (the caller's projection, e.g. Web Mercator
// metres); tolerances are in the same units.
package topo

import (
	"math"

	"github.com/paulmach/orb"
)

// Topology is a coverage decomposed into shared arcs. It is immutable after
// Build and safe for concurrent use.
type Topology struct {
	pts []orb.Point // distinct vertices

	// Arc a runs through the vertices arcVerts[arcAt[a]:arcAt[a+1]].
	arcAt    []int32
	arcVerts []int32

	// Ring r is the arcs refs[ringAt[r]:ringAt[r+1]] in order; a ref is an
	// arc id, or ^id for the arc walked backwards. A ring with no refs
	// collapsed when it was snapped.
	ringAt []int32
	refs   []int32
	// ringSign is the orientation of each input ring (+1 counter-clockwise,
	// -1 clockwise): a simplified ring that turned the other way has folded
	// over and must be simplified less.
	ringSign []int8

	// Part p (one orb.Polygon) has the rings partAt[p]..partAt[p+1]-1, the
	// exterior ring first; input polygon i has the parts
	// polyAt[i]..polyAt[i+1]-1.
	partAt []int32
	polyAt []int32

	// The input polygons using arc a: arcPolys[arcPolyAt[a]:arcPolyAt[a+1]].
	arcPolyAt []int32
	arcPolys  []int32

	bound orb.Bound
	stats Stats
}

// Stats describes a Topology.
type Stats struct {
	Polygons, Parts, Rings int
	Vertices               int     // distinct vertices after snapping
	Arcs                   int     // stored once each
	SharedArcs             int     // arcs used by two or more rings
	Junctions              int     // vertices where arcs end
	FixedPoints            int     // of which chosen as the start of a ring that has no junction
	Snapped                int     // vertices moved onto a vertex less than Epsilon away
	TJunctions             int     // vertices inserted into another ring's edge
	CollapsedRings         int     // rings with fewer than 3 distinct vertices after snapping, left out
	Epsilon                float64 // the snapping distance
}

// Stats returns counts that describe t.
func (t *Topology) Stats() Stats { return t.stats }

// Len returns the number of input polygons.
func (t *Topology) Len() int { return len(t.polyAt) - 1 }

// DefaultEpsilon returns the snapping distance Build uses for a coverage of
// the given bounds: 1e-7 of its larger side, about 1 cm for a city 100 km
// across. That is far below any visible detail but above the rounding of
// coordinates stored with 7 decimals of a degree, which is where shared
// borders of real data disagree.
func DefaultEpsilon(b orb.Bound) float64 {
	return 1e-7 * math.Max(b.Max[0]-b.Min[0], b.Max[1]-b.Min[1])
}

// Build decomposes a coverage (planar coordinates, e.g. Web Mercator metres)
// into arcs shared between neighbours, snapping with DefaultEpsilon of the
// coverage's bounds. Rings need not be closed or oriented in any
// particular way; each output ring keeps its input ring's orientation. It
// fails on non-finite coordinates and on rings of fewer than 3 distinct
// points.
func Build(polys []orb.MultiPolygon) (*Topology, error) {
	return BuildEpsilon(polys, -1)
}

// BuildEpsilon is Build with a snapping distance eps (0 to snap nothing,
// negative for DefaultEpsilon): vertices closer than eps are merged, and a
// vertex closer than eps to another ring's edge is inserted into it.
func BuildEpsilon(polys []orb.MultiPolygon, eps float64) (*Topology, error) {
	b, err := collect(polys)
	if err != nil {
		return nil, err
	}
	if eps < 0 {
		eps = DefaultEpsilon(b.bound)
	}
	b.stats.Epsilon = eps
	if eps > 0 {
		b.snapVertices(eps)
		b.insertTJunctions(eps)
	}
	return b.topology(), nil
}
