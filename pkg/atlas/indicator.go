package atlas

import (
	"encoding/json"
	"math"
	"strings"
)

// Polarity says which direction of an indicator is the problem, so that maps
// colour the same way for "share of poor children" and "places per 1,000".
type Polarity string

const (
	HigherWorse  Polarity = "higher_worse"
	HigherBetter Polarity = "higher_better"
	Neutral      Polarity = "neutral"
)

// Visibility decides who may see an indicator at all.
type Visibility string

const (
	Public   Visibility = "public"
	Internal Visibility = "internal" // for entitled roles only; invisible (404) to others
	// Confidential values are raw inputs (counts per block from the
	// statistics office) that feed computed indicators, which apply
	// disclosure control. They are never served to anyone, in any format.
	Confidential Visibility = "confidential"
)

// Indicator is the metadata of an indicator: what it means, where it comes
// from, how to show it and who may see it.
type Indicator struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Unit        string     `json:"unit"` // "%", "Personen", "je 1.000 EW"
	Description string     `json:"description,omitempty"`
	Topic       string     `json:"topic,omitempty"`
	Source      string     `json:"source,omitempty"`
	Licence     string     `json:"licence,omitempty"`
	Attribution string     `json:"attribution,omitempty"`
	Polarity    Polarity   `json:"polarity"`
	Precision   int        `json:"precision"` // decimals to show
	Visibility  Visibility `json:"visibility"`
	Interval    string     `json:"interval,omitempty"` // update interval, e.g. "yearly"
}

// Validate checks the indicator on its own.
func (i *Indicator) Validate() error {
	if err := checkID("indicator", i.ID); err != nil {
		return err
	}
	if strings.TrimSpace(i.Name) == "" {
		return Errorf(EINVALID, "indicator %s: name is empty", i.ID)
	}
	if err := checkText(i.Name, i.Unit, i.Description, i.Topic, i.Source, i.Licence, i.Attribution, i.Interval); err != nil {
		return Errorf(EINVALID, "indicator %s: %s", i.ID, ErrorMessage(err))
	}
	switch i.Polarity {
	case HigherWorse, HigherBetter, Neutral:
	default:
		return Errorf(EINVALID, "indicator %s: polarity %q: want higher_worse, higher_better or neutral", i.ID, i.Polarity)
	}
	switch i.Visibility {
	case Public, Internal, Confidential:
	default:
		return Errorf(EINVALID, "indicator %s: visibility %q: want public, internal or confidential", i.ID, i.Visibility)
	}
	if i.Precision < 0 || i.Precision > 6 {
		return Errorf(EINVALID, "indicator %s: precision %d: want 0 to 6", i.ID, i.Precision)
	}
	return nil
}

// Status is the state of one value.
type Status string

const (
	OK         Status = "ok"
	Suppressed Status = "suppressed" // withheld by disclosure control; the number never leaves the server
	Missing    Status = "missing"    // no value (a no-data marker in the source, or not computable)
)

// Float is an optional number. The zero Float is absent.
type Float struct {
	V     float64
	Valid bool
}

// Some returns a present Float.
func Some(v float64) Float { return Float{V: v, Valid: true} }

// MarshalJSON writes the number or null.
func (f Float) MarshalJSON() ([]byte, error) {
	if !f.Valid {
		return []byte("null"), nil
	}
	return json.Marshal(f.V)
}

// UnmarshalJSON reads a number or null.
func (f *Float) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = Float{}
		return nil
	}
	f.Valid = true
	return json.Unmarshal(b, &f.V)
}

// Value is one observation: indicator × level × unit × date. Rates keep
// their numerator and denominator so that upper levels are computed from
// sums, never by averaging rates. Value is meaningful only with status OK.
type Value struct {
	Indicator   string  `json:"indicator"`
	Level       string  `json:"level"`
	Unit        string  `json:"unit"`
	Date        Date    `json:"date"`
	Value       float64 `json:"value"`
	Numerator   Float   `json:"numerator"`
	Denominator Float   `json:"denominator"`
	Status      Status  `json:"status"`
	// Import is the import (or computation) that last wrote the value, as
	// stores read it: provenance for the engine, never serialised.
	Import int64 `json:"-"`
}

// Validate checks one value. A value that is not OK carries no numbers:
// what is missing or suppressed must not hide in a field.
func (v *Value) Validate() error {
	if err := checkID("indicator", v.Indicator); err != nil {
		return err
	}
	if err := checkID("level", v.Level); err != nil {
		return err
	}
	if err := checkCode("unit", v.Unit); err != nil {
		return err
	}
	if v.Date == 0 {
		return Errorf(EINVALID, "value of %s for %s has no date", v.Indicator, v.Unit)
	}
	if !v.Date.Valid() {
		return Errorf(EINVALID, "value of %s for %s: %d is not a date", v.Indicator, v.Unit, int32(v.Date))
	}
	switch v.Status {
	case OK:
		for _, x := range []Float{Some(v.Value), v.Numerator, v.Denominator} {
			if x.Valid && (math.IsNaN(x.V) || math.IsInf(x.V, 0)) {
				return Errorf(EINVALID, "value of %s for %s on %s is not a finite number", v.Indicator, v.Unit, v.Date)
			}
		}
	case Suppressed, Missing:
		if v.Value != 0 || v.Numerator.Valid || v.Denominator.Valid {
			return Errorf(EINVALID, "%s value of %s for %s on %s carries numbers", v.Status, v.Indicator, v.Unit, v.Date)
		}
	default:
		return Errorf(EINVALID, "value of %s for %s: status %q: want ok, suppressed or missing", v.Indicator, v.Unit, v.Status)
	}
	return nil
}
