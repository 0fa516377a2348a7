package atlas

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// ValidID reports whether s can name a level, an indicator or an offer
// layer: a lower-case letter, then up to 62 lower-case letters, digits, _
// and -, as ids appear in URLs and file names (exports quote them as SQL
// identifiers). The catalog names computed indicators with - (mss-status-index).
func ValidID(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func checkID(kind, s string) error {
	if !ValidID(s) {
		return Errorf(EINVALID, "%s id %q: want lower-case letters, digits, _ and -, starting with a letter, at most 63 characters", kind, s)
	}
	return nil
}

// checkCode checks the code of a unit or an offer: codes come from offices'
// files (e.g. "01100101") and are kept verbatim, so only what would break
// URLs, CSV or logs is refused.
func checkCode(kind, s string) error {
	switch {
	case s == "":
		return Errorf(EINVALID, "%s code is empty", kind)
	case len(s) > 64:
		return Errorf(EINVALID, "%s code %.20q… is longer than 64 bytes", kind, s)
	case strings.TrimSpace(s) != s:
		return Errorf(EINVALID, "%s code %q has leading or trailing spaces", kind, s)
	case strings.ContainsAny(s, "/?#"):
		return Errorf(EINVALID, "%s code %q contains one of / ? #", kind, s)
	case !utf8.ValidString(s):
		return Errorf(EINVALID, "%s code %q is not valid UTF-8", kind, s)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return Errorf(EINVALID, "%s code %q contains a control character", kind, s)
	}
	return nil
}

// checkText refuses text no store can hold or show: invalid UTF-8 and NUL.
func checkText(fields ...string) error {
	for _, s := range fields {
		if !utf8.ValidString(s) {
			return Errorf(EINVALID, "text %q is not valid UTF-8", s)
		}
		if strings.IndexByte(s, 0) >= 0 {
			return Errorf(EINVALID, "text %q contains a NUL character", s)
		}
	}
	return nil
}

// Level is a spatial level (Raumebene) such as Bezirk or Planungsraum. Each
// level names its parent level; the top level has none.
type Level struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Parent      string `json:"parent,omitempty"`
	Description string `json:"description,omitempty"`
	Source      string `json:"source,omitempty"`
	Licence     string `json:"licence,omitempty"`
	Attribution string `json:"attribution,omitempty"`
	// Units is the number of units of the level, filled in by the store.
	Units int `json:"units"`
}

// Validate checks the level on its own; references are checked by the importer.
func (l *Level) Validate() error {
	if err := checkID("level", l.ID); err != nil {
		return err
	}
	if strings.TrimSpace(l.Name) == "" {
		return Errorf(EINVALID, "level %s: name is empty", l.ID)
	}
	if err := checkText(l.Name, l.Description, l.Source, l.Licence, l.Attribution); err != nil {
		return Errorf(EINVALID, "level %s: %s", l.ID, ErrorMessage(err))
	}
	if l.Parent != "" {
		if err := checkID("parent level", l.Parent); err != nil {
			return err
		}
		if l.Parent == l.ID {
			return Errorf(EINVALID, "level %s is its own parent", l.ID)
		}
	}
	return nil
}

// Unit is an area of a level (Raumeinheit): a Planungsraum, a block.
type Unit struct {
	Level  string `json:"level"`
	Code   string `json:"code"`
	Name   string `json:"name"`
	Parent string `json:"parent,omitempty"` // code of the parent unit in the parent level
	Validity
	// Geometry is in WGS84 (lon, lat), valid by OGC rules, exterior rings
	// counter-clockwise as RFC 7946 asks.
	Geometry orb.MultiPolygon `json:"-"`
}

// Validate checks the unit's fields and the plausibility of its geometry.
// The geometry's validity (no self-intersections and so on) is the
// importer's job, which repairs what can be repaired without guessing.
func (u *Unit) Validate() error {
	if err := checkCode("unit", u.Code); err != nil {
		return err
	}
	if strings.TrimSpace(u.Name) == "" {
		return Errorf(EINVALID, "unit %s: name is empty", u.Code)
	}
	if err := checkText(u.Name); err != nil {
		return Errorf(EINVALID, "unit %s: %s", u.Code, ErrorMessage(err))
	}
	if u.Parent != "" {
		if err := checkCode("parent unit", u.Parent); err != nil {
			return err
		}
	}
	if err := u.Validity.validate(); err != nil {
		return Errorf(EINVALID, "unit %s: %s", u.Code, ErrorMessage(err))
	}
	if len(u.Geometry) == 0 {
		return Errorf(EINVALID, "unit %s: geometry is empty", u.Code)
	}
	for _, poly := range u.Geometry {
		if len(poly) == 0 {
			return Errorf(EINVALID, "unit %s: geometry has an empty polygon", u.Code)
		}
		for _, ring := range poly {
			if len(ring) < 4 {
				return Errorf(EINVALID, "unit %s: a ring has %d points, want at least 4", u.Code, len(ring))
			}
			for _, p := range ring {
				if err := checkLonLat(p); err != nil {
					return Errorf(EINVALID, "unit %s: %s", u.Code, ErrorMessage(err))
				}
			}
		}
	}
	return nil
}

// checkLonLat refuses points that cannot be WGS84 longitude and latitude:
// the usual sign of a file whose coordinate system was not said or was wrong.
func checkLonLat(p orb.Point) error {
	if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) {
		return Errorf(EINVALID, "coordinate is not a finite number")
	}
	if p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
		return Errorf(EINVALID, "coordinate (%g, %g) is outside longitude/latitude range", p[0], p[1])
	}
	return nil
}

// SortLevels orders levels so that every parent comes before its children,
// keeping the given order otherwise. It returns an error naming a cycle or
// a parent that is not in the list.
func SortLevels(levels []Level) ([]Level, error) {
	byID := make(map[string]int, len(levels))
	for i, l := range levels {
		byID[l.ID] = i
	}
	const (
		unseen = iota
		visiting
		done
	)
	state := make([]int, len(levels))
	out := make([]Level, 0, len(levels))
	var visit func(i int, path []string) error
	visit = func(i int, path []string) error {
		switch state[i] {
		case done:
			return nil
		case visiting:
			return Errorf(EINVALID, "levels form a cycle: %s", strings.Join(append(path, levels[i].ID), " > "))
		}
		state[i] = visiting
		if p := levels[i].Parent; p != "" {
			j, ok := byID[p]
			if !ok {
				return Errorf(EINVALID, "level %s: parent level %q does not exist", levels[i].ID, p)
			}
			if err := visit(j, append(path, levels[i].ID)); err != nil {
				return err
			}
		}
		state[i] = done
		out = append(out, levels[i])
		return nil
	}
	for i := range levels {
		if err := visit(i, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// UnitsBound is the bounding box of the units' geometry (empty for none).
func UnitsBound(units []Unit) orb.Bound {
	var b orb.Bound
	for i, u := range units {
		if i == 0 {
			b = u.Geometry.Bound()
		} else {
			b = b.Union(u.Geometry.Bound())
		}
	}
	return b
}
