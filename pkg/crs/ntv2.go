package crs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// ntv2Grid is one sub-grid of an NTv2 horizontal shift file ("National
// Transformation version 2", Geomatics Canada 1995), holding latitude and
// longitude shifts on a regular longitude/latitude lattice.
//
// The file is a sequence of 16-byte records: an 11-record overview header, then
// per sub-grid an 11-record header followed by one record per node, each four
// float32 (latitude shift, longitude shift and their accuracies, in
// arc-seconds). Longitudes in NTv2 are positive west, and the nodes of a row
// run from east to west; rows run from south to north.
type ntv2Grid struct {
	west, south float64   // lower left node, radians, positive east
	resX, resY  float64   // node spacing, radians
	width       int       // nodes per row
	height      int       // rows
	shifts      []float32 // per node, west to east within a row: latitude shift, longitude shift (positive east), radians
}

const arcSecond = math.Pi / 180 / 3600

// parseNTv2 reads an NTv2 file in arc-seconds with a single sub-grid, which is
// all the BETA2007 grid needs. Files with more sub-grids or other units are
// rejected rather than half supported.
func parseNTv2(b []byte) (*ntv2Grid, error) {
	const rec = 16
	if len(b) < 22*rec || string(b[:8]) != "NUM_OREC" {
		return nil, errors.New("ntv2: not an NTv2 file")
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if binary.LittleEndian.Uint32(b[8:]) != 11 {
		bo = binary.BigEndian
	}
	field := func(i int, name string) ([]byte, error) {
		r := b[i*rec : (i+1)*rec]
		if string(bytes.TrimRight(r[:8], " \x00")) != name {
			return nil, fmt.Errorf("ntv2: record %d is %q, want %s", i, r[:8], name)
		}
		return r[8:], nil
	}
	float := func(i int, name string) (float64, error) {
		v, err := field(i, name)
		if err != nil {
			return 0, err
		}
		return math.Float64frombits(bo.Uint64(v)), nil
	}

	if v, err := field(2, "NUM_FILE"); err != nil {
		return nil, err
	} else if n := bo.Uint32(v); n != 1 {
		return nil, fmt.Errorf("ntv2: %d sub-grids, only 1 is supported", n)
	}
	if v, err := field(3, "GS_TYPE"); err != nil {
		return nil, err
	} else if string(bytes.TrimSpace(v)) != "SECONDS" {
		return nil, fmt.Errorf("ntv2: GS_TYPE %q, only SECONDS is supported", v)
	}

	// The sub-grid header follows the overview header: records 11 to 21.
	var v [6]float64
	for i, name := range []string{"S_LAT", "N_LAT", "E_LONG", "W_LONG", "LAT_INC", "LONG_INC"} {
		var err error
		if v[i], err = float(15+i, name); err != nil {
			return nil, err
		}
	}
	count, err := field(21, "GS_COUNT")
	if err != nil {
		return nil, err
	}
	g := &ntv2Grid{
		south: v[0] * arcSecond,
		west:  -v[3] * arcSecond,
		resY:  v[4] * arcSecond,
		resX:  v[5] * arcSecond,
	}
	if !(v[4] > 0 && v[5] > 0 && v[1] > v[0] && v[3] > v[2]) {
		return nil, errors.New("ntv2: inconsistent sub-grid extent")
	}
	g.height = int(math.Round((v[1]-v[0])/v[4])) + 1
	g.width = int(math.Round((v[3]-v[2])/v[5])) + 1
	n := g.width * g.height
	if int(bo.Uint32(count)) != n || len(b) < (22+n)*rec {
		return nil, fmt.Errorf("ntv2: GS_COUNT %d does not match %d×%d nodes or file size", bo.Uint32(count), g.width, g.height)
	}

	g.shifts = make([]float32, 2*n)
	data := b[22*rec:]
	for row := range g.height {
		for col := range g.width {
			r := data[(row*g.width+g.width-1-col)*rec:] // file rows run east to west
			lat := math.Float32frombits(bo.Uint32(r[0:]))
			lon := math.Float32frombits(bo.Uint32(r[4:]))
			i := 2 * (row*g.width + col)
			// Rounded to float32 radians, as PROJ stores them.
			g.shifts[i] = float32(float64(lat) * arcSecond)
			g.shifts[i+1] = -float32(float64(lon) * arcSecond) // positive west → positive east
		}
	}
	return g, nil
}

// shift returns the bilinearly interpolated latitude and longitude shift
// (radians) at lam, phi (radians), or ok = false outside the grid. Like PROJ's
// hgridshift it accepts points on the grid's edges, within a tolerance of
// 1e-11 cells.
func (g *ntv2Grid) shift(lam, phi float64) (dlam, dphi float64, ok bool) {
	fx := (lam - g.west) / g.resX
	fy := (phi - g.south) / g.resY
	ix, okx := cell(fx, g.width)
	iy, oky := cell(fy, g.height)
	if !okx || !oky {
		return 0, 0, false
	}
	fx -= float64(ix)
	fy -= float64(iy)
	// Fractions relative to the cell; at the far edge the last cell is used
	// with a fraction of one.
	fx = math.Max(0, math.Min(1, fx))
	fy = math.Max(0, math.Min(1, fy))
	at := func(col, row int) (float64, float64) {
		i := 2 * (row*g.width + col)
		return float64(g.shifts[i+1]), float64(g.shifts[i])
	}
	x00, y00 := at(ix, iy)
	x10, y10 := at(ix+1, iy)
	x01, y01 := at(ix, iy+1)
	x11, y11 := at(ix+1, iy+1)
	w00, w10 := (1-fx)*(1-fy), fx*(1-fy)
	w01, w11 := (1-fx)*fy, fx*fy
	return w00*x00 + w10*x10 + w01*x01 + w11*x11,
		w00*y00 + w10*y10 + w01*y01 + w11*y11, true
}

// cell returns the index of the lower node of the grid cell holding the
// fractional node position f along an axis of n nodes.
func cell(f float64, n int) (int, bool) {
	i := math.Floor(f)
	switch {
	case math.IsNaN(f):
		return 0, false
	case i < 0:
		return 0, f > -1e-11
	case i >= float64(n-1):
		return n - 2, f < float64(n-1)+1e-11
	}
	return int(i), true
}

// forward applies the shift: source datum → target datum (for BETA2007,
// DHDN → ETRS89), as PROJ's hgridshift does.
func (g *ntv2Grid) forward(lam, phi float64) (float64, float64, bool) {
	dlam, dphi, ok := g.shift(lam, phi)
	return lam + dlam, phi + dphi, ok
}

// inverse undoes forward by fixed-point iteration, the method of PROJ's
// hgridshift: start from the shift at the target point and refine until the
// forward shift reproduces the input to 1e-12 radians (6 µm). Like PROJ it
// keeps the current estimate if an iteration step leaves the grid.
func (g *ntv2Grid) inverse(lam, phi float64) (float64, float64, bool) {
	dlam, dphi, ok := g.shift(lam, phi)
	if !ok {
		return 0, 0, false
	}
	x, y := lam-dlam, phi-dphi
	for range 10 {
		dlam, dphi, ok = g.shift(x, y)
		if !ok {
			return x, y, true
		}
		ex, ey := x+dlam-lam, y+dphi-phi
		x, y = x-ex, y-ey
		if ex*ex+ey*ey <= 1e-24 {
			return x, y, true
		}
	}
	return 0, 0, false
}
