package atlas

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in      string
		want    Date
		wantErr string
	}{
		{"2020-12-31", 20201231, ""},
		{"31.12.2020", 20201231, ""},
		{" 01.01.2021 ", 20210101, ""},
		{"2020-02-29", 20200229, ""},
		{"2021-02-29", 0, "does not exist"},
		{"2021-13-01", 0, "does not exist"},
		{"2021", 0, "want YYYY-MM-DD or DD.MM.YYYY"},
		{"12/31/2020", 0, "want YYYY-MM-DD"},
		{"2020-1x-01", 0, "want YYYY-MM-DD"},
		{"0999-01-01", 0, "does not exist"},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || ErrorCode(err) != EINVALID {
				t.Errorf("ParseDate(%q): got %v, %v; want an invalid error containing %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestDate(t *testing.T) {
	d := NewDate(2020, 12, 31)
	if d.String() != "2020-12-31" || d.Year() != 2020 || d.Month() != 12 || d.Day() != 31 || !d.Valid() {
		t.Errorf("NewDate(2020, 12, 31): got %s (%d, %d, %d, valid %v)", d, d.Year(), d.Month(), d.Day(), d.Valid())
	}
	if DateOf(d.Time()) != d {
		t.Errorf("DateOf(Time()) = %v, want %v", DateOf(d.Time()), d)
	}
	for _, bad := range []Date{0, 20210230, 20211301, 99991232, 123} {
		if bad.Valid() {
			t.Errorf("%d.Valid() = true, want false", int32(bad))
		}
	}
	b, _ := json.Marshal(struct{ D Date }{d})
	if string(b) != `{"D":"2020-12-31"}` {
		t.Errorf("JSON: got %s", b)
	}
	var back struct{ D Date }
	if err := json.Unmarshal([]byte(`{"D":"31.12.2020"}`), &back); err != nil || back.D != d {
		t.Errorf("JSON in: got %v, %v", back.D, err)
	}
	if !(Validity{From: 20200101, To: 20201231}).Contains(d) || (Validity{To: 20201230}).Contains(d) || !(Validity{}).Contains(d) {
		t.Error("Validity.Contains: wrong")
	}
}

func TestValidID(t *testing.T) {
	for id, want := range map[string]bool{
		"planungsraum": true, "mss_s1": true, "a": true, strings.Repeat("a", 63): true,
		"": false, "1a": false, "Planungsraum": false, "mss-s1": true, "-a": false, "_a": false, strings.Repeat("a", 64): false, "ä": false,
	} {
		if got := ValidID(id); got != want {
			t.Errorf("ValidID(%q) = %v, want %v", id, got, want)
		}
	}
}

func square() orb.MultiPolygon {
	return orb.MultiPolygon{{{{13, 52}, {13.1, 52}, {13.1, 52.1}, {13, 52.1}, {13, 52}}}}
}

func TestValidate(t *testing.T) {
	cap := -1
	tests := []struct {
		name    string
		v       interface{ Validate() error }
		wantErr string // "" for valid
	}{
		{"level", &Level{ID: "plr", Name: "Planungsraum", Parent: "bzr"}, ""},
		{"level bad id", &Level{ID: "PLR", Name: "x"}, `level id "PLR"`},
		{"level no name", &Level{ID: "plr", Name: " "}, "name is empty"},
		{"level own parent", &Level{ID: "plr", Name: "x", Parent: "plr"}, "its own parent"},
		{"unit", &Unit{Level: "plr", Code: "01100101", Name: "Stülerstraße", Parent: "011001", Geometry: square()}, ""},
		{"unit empty code", &Unit{Code: "", Name: "x", Geometry: square()}, "code is empty"},
		{"unit code with slash", &Unit{Code: "a/b", Name: "x", Geometry: square()}, "contains one of / ? #"},
		{"unit code with spaces", &Unit{Code: " 01", Name: "x", Geometry: square()}, "leading or trailing spaces"},
		{"unit NUL name", &Unit{Code: "01", Name: "a\x00", Geometry: square()}, "NUL"},
		{"unit no geometry", &Unit{Code: "01", Name: "x"}, "geometry is empty"},
		{"unit projected", &Unit{Code: "01", Name: "x", Geometry: orb.MultiPolygon{{{{387952, 5818274}, {387953, 5818274}, {387953, 5818275}, {387952, 5818274}}}}}, "outside longitude/latitude range"},
		{"unit short ring", &Unit{Code: "01", Name: "x", Geometry: orb.MultiPolygon{{{{13, 52}, {13.1, 52}, {13, 52}}}}}, "at least 4"},
		{"unit reversed validity", &Unit{Code: "01", Name: "x", Geometry: square(), Validity: Validity{From: 20220101, To: 20210101}}, "before valid_from"},
		{"unit impossible validity", &Unit{Code: "01", Name: "x", Geometry: square(), Validity: Validity{From: 20210230}}, "is not a date"},
		{"offer", &Offer{Layer: "kitas", ID: "k1", Name: "Kita", Geometry: orb.Point{13, 52}, Attributes: map[string]any{"a": []any{"b"}}}, ""},
		{"offer negative capacity", &Offer{ID: "k1", Name: "Kita", Capacity: &cap, Geometry: orb.Point{13, 52}}, "negative"},
		{"offer NUL attribute", &Offer{ID: "k1", Name: "Kita", Geometry: orb.Point{13, 52}, Attributes: map[string]any{"a": map[string]any{"b": "\x00"}}}, "NUL"},
		{"offer empty target group", &Offer{ID: "k1", Name: "Kita", TargetGroups: []string{""}, Geometry: orb.Point{13, 52}}, "empty target group"},
		{"offer NaN", &Offer{ID: "k1", Name: "Kita", Geometry: orb.Point{13, nan()}}, "not a finite number"},
		{"layer", &OfferLayer{ID: "kitas", Name: "Kitas"}, ""},
		{"indicator", &Indicator{ID: "x", Name: "X", Polarity: HigherWorse, Visibility: Internal, Precision: 2}, ""},
		{"indicator polarity", &Indicator{ID: "x", Name: "X", Polarity: "up", Visibility: Public}, "polarity"},
		{"indicator visibility", &Indicator{ID: "x", Name: "X", Polarity: Neutral, Visibility: "secret"}, "visibility"},
		{"indicator precision", &Indicator{ID: "x", Name: "X", Polarity: Neutral, Visibility: Public, Precision: 9}, "precision"},
		{"value", &Value{Indicator: "x", Level: "plr", Unit: "01", Date: 20201231, Value: 1.5, Numerator: Some(3), Denominator: Some(2), Status: OK}, ""},
		{"value missing", &Value{Indicator: "x", Level: "plr", Unit: "01", Date: 20201231, Status: Missing}, ""},
		{"value missing with number", &Value{Indicator: "x", Level: "plr", Unit: "01", Date: 20201231, Value: 3, Status: Missing}, "carries numbers"},
		{"value suppressed with numerator", &Value{Indicator: "x", Level: "plr", Unit: "01", Date: 20201231, Numerator: Some(2), Status: Suppressed}, "carries numbers"},
		{"value no date", &Value{Indicator: "x", Level: "plr", Unit: "01", Status: OK}, "no date"},
		{"value bad date", &Value{Indicator: "x", Level: "plr", Unit: "01", Date: 20211301, Status: OK}, "is not a date"},
		{"value NaN", &Value{Indicator: "x", Level: "plr", Unit: "01", Date: 20201231, Value: nan(), Status: OK}, "not a finite number"},
		{"value status", &Value{Indicator: "x", Level: "plr", Unit: "01", Date: 20201231, Status: "maybe"}, "status"},
	}
	for _, tt := range tests {
		err := tt.v.Validate()
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: got %v, want valid", tt.name, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr) || ErrorCode(err) != EINVALID):
			t.Errorf("%s: got %v, want an invalid error containing %q", tt.name, err, tt.wantErr)
		}
	}
}

func nan() float64 { var z float64; return z / z }

func TestSortLevels(t *testing.T) {
	got, err := SortLevels([]Level{{ID: "plr", Parent: "bzr"}, {ID: "bez"}, {ID: "bzr", Parent: "bez"}, {ID: "other"}})
	var ids []string
	for _, l := range got {
		ids = append(ids, l.ID)
	}
	if err != nil || strings.Join(ids, " ") != "bez bzr plr other" {
		t.Errorf("got %v, %v; want bez bzr plr other", ids, err)
	}
	if _, err := SortLevels([]Level{{ID: "a", Parent: "b"}, {ID: "b", Parent: "a"}}); err == nil || !strings.Contains(err.Error(), "cycle: a > b > a") {
		t.Errorf("cycle: got %v", err)
	}
	if _, err := SortLevels([]Level{{ID: "a", Parent: "x"}}); err == nil || !strings.Contains(err.Error(), `parent level "x" does not exist`) {
		t.Errorf("unknown parent: got %v", err)
	}
}

func TestFloatJSON(t *testing.T) {
	b, _ := json.Marshal([]Float{Some(1.5), {}})
	if string(b) != "[1.5,null]" {
		t.Errorf("got %s", b)
	}
	var back []Float
	if err := json.Unmarshal(b, &back); err != nil || back[0] != Some(1.5) || back[1].Valid {
		t.Errorf("round trip: got %v, %v", back, err)
	}
}

func TestErrors(t *testing.T) {
	inner := errors.New("dial tcp: password=secret")
	err := Internalf(inner, "read levels")
	if ErrorCode(err) != EINTERNAL || ErrorMessage(err) != "internal error" || !errors.Is(err, inner) {
		t.Errorf("internal: code %s, message %q", ErrorCode(err), ErrorMessage(err))
	}
	user := Errorf(ENOTFOUND, "level %q does not exist", "x")
	if Internalf(user, "wrapped") != user {
		t.Error("Internalf must keep a user-facing error as it is")
	}
	if ErrorCode(nil) != "" || ErrorCode(errors.New("x")) != EINTERNAL || ErrorMessage(user) != `level "x" does not exist` {
		t.Error("ErrorCode/ErrorMessage of plain errors")
	}
	if Internalf(nil, "x") != nil {
		t.Error("Internalf(nil) must be nil")
	}
}

func TestUnitsBound(t *testing.T) {
	sq := func(x, y float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x, y}, {x + 1, y}, {x + 1, y + 1}, {x, y + 1}, {x, y}}}}
	}
	got := UnitsBound([]Unit{{Geometry: sq(13, 52)}, {Geometry: sq(10, 50)}})
	if want := (orb.Bound{Min: orb.Point{10, 50}, Max: orb.Point{14, 53}}); got != want {
		t.Errorf("UnitsBound = %v, want %v", got, want)
	}
	if got := UnitsBound(nil); !got.IsZero() {
		t.Errorf("no units: %v", got)
	}
}
