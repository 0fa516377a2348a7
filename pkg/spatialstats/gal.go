package spatialstats

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ParseGAL reads contiguity weights in the GAL format of GeoDa and pysal:
// a header line with the number of units n (GeoDa writes "0 n name key",
// where the second field is n), then per unit a line "id k" and a line
// with its k neighbour ids. Ids are strings (GeoDa writes the key field's
// values); ids lists them in the order of the records, which is the unit
// order of the returned weights, so values must be given in that order.
// The weights are binary; neighbours are read as the file lists them (a
// GAL file need not be symmetric). Errors name the line.
func ParseGAL(r io.Reader) (Weights, []string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 64*1024*1024) // a unit may list many neighbours
	line := 0
	next := func() ([]string, bool) {
		for sc.Scan() {
			line++
			if f := strings.Fields(sc.Text()); len(f) > 0 {
				return f, true
			}
		}
		return nil, false
	}
	fail := func(format string, a ...any) (Weights, []string, error) {
		return Weights{}, nil, fmt.Errorf("spatialstats: GAL line %d: %s", line, fmt.Sprintf(format, a...))
	}

	header, ok := next()
	if !ok {
		if err := sc.Err(); err != nil {
			return Weights{}, nil, fmt.Errorf("spatialstats: GAL: %w", err)
		}
		return Weights{}, nil, fmt.Errorf("spatialstats: GAL: empty input")
	}
	nField := header[0]
	if len(header) > 1 {
		nField = header[1]
	}
	n, err := strconv.Atoi(nField)
	if err != nil || n < 0 {
		return fail("header: number of units %q is not a non-negative integer", nField)
	}

	ids := make([]string, 0, n)
	index := make(map[string]int, n)
	listed := make([][]string, 0, n) // neighbour ids, resolved once all ids are known
	listedAt := make([]int, 0, n)    // line of each neighbour list, for errors
	for len(ids) < n {
		rec, ok := next()
		if !ok {
			break
		}
		if len(rec) != 2 {
			return fail("want \"id number-of-neighbours\", got %d fields", len(rec))
		}
		id := rec[0]
		k, err := strconv.Atoi(rec[1])
		if err != nil || k < 0 {
			return fail("unit %s: number of neighbours %q is not a non-negative integer", id, rec[1])
		}
		if _, dup := index[id]; dup {
			return fail("unit %s appears twice", id)
		}
		index[id] = len(ids)
		ids = append(ids, id)
		var nb []string
		if k > 0 {
			// an island's (empty) neighbour line is skipped as blank
			if nb, ok = next(); !ok {
				break
			}
			if len(nb) != k {
				return fail("unit %s: %d neighbours listed, header says %d", id, len(nb), k)
			}
		}
		listed = append(listed, nb)
		listedAt = append(listedAt, line)
	}
	if err := sc.Err(); err != nil {
		return Weights{}, nil, fmt.Errorf("spatialstats: GAL line %d: %w", line, err)
	}
	if len(listed) < n {
		return fail("unexpected end of input: header announces %d units, found %d complete records", n, len(listed))
	}
	if extra, ok := next(); ok {
		return fail("unexpected content %q after the %d units the header announces", strings.Join(extra, " "), n)
	}

	nbrs := make([][]int, n)
	seen := make([]int, n) // seen[j] == i+1: unit i already lists j
	for i, row := range listed {
		nbrs[i] = make([]int, len(row))
		for k, id := range row {
			j, ok := index[id]
			switch {
			case !ok:
				return Weights{}, nil, fmt.Errorf("spatialstats: GAL line %d: unit %s: neighbour %s has no record of its own", listedAt[i], ids[i], id)
			case j == i:
				return Weights{}, nil, fmt.Errorf("spatialstats: GAL line %d: unit %s lists itself as a neighbour", listedAt[i], id)
			case seen[j] == i+1:
				return Weights{}, nil, fmt.Errorf("spatialstats: GAL line %d: unit %s lists neighbour %s twice", listedAt[i], ids[i], id)
			}
			seen[j] = i + 1
			nbrs[i][k] = j
		}
	}
	return binary(nbrs), ids, nil
}
