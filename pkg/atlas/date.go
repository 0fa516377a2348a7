package atlas

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Date is a calendar day, stored as the number yyyymmdd so that dates
// compare with < and print without a time zone. The zero Date means "no
// date" (an open end of a validity range).
type Date int32

// NewDate returns the Date of the given day. It does not validate.
func NewDate(year int, month time.Month, day int) Date {
	return Date(year*10000 + int(month)*100 + day)
}

// DateOf returns the day of t in t's location.
func DateOf(t time.Time) Date { return NewDate(t.Year(), t.Month(), t.Day()) }

// ParseDate reads ISO 8601 (2020-12-31) and the German form (31.12.2020).
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	var y, m, d int
	var err error
	switch {
	case len(s) == 10 && s[4] == '-' && s[7] == '-':
		y, m, d, err = atoi3(s[0:4], s[5:7], s[8:10])
	case len(s) == 10 && s[2] == '.' && s[5] == '.':
		d, m, y, err = atoi3(s[0:2], s[3:5], s[6:10])
	default:
		return 0, Errorf(EINVALID, "date %q: want YYYY-MM-DD or DD.MM.YYYY", s)
	}
	if err != nil {
		return 0, Errorf(EINVALID, "date %q: want YYYY-MM-DD or DD.MM.YYYY", s)
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if y < 1000 || t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return 0, Errorf(EINVALID, "date %q does not exist", s)
	}
	return NewDate(y, time.Month(m), d), nil
}

func atoi3(a, b, c string) (int, int, int, error) {
	x, err1 := strconv.Atoi(a)
	y, err2 := strconv.Atoi(b)
	z, err3 := strconv.Atoi(c)
	if err1 != nil || err2 != nil || err3 != nil {
		return 0, 0, 0, fmt.Errorf("not a number")
	}
	return x, y, z, nil
}

// Year, Month and Day return the parts of d.
func (d Date) Year() int         { return int(d) / 10000 }
func (d Date) Month() time.Month { return time.Month(int(d) / 100 % 100) }
func (d Date) Day() int          { return int(d) % 100 }

// Valid reports whether d is a day of the calendar (years 1000 to 9999).
// Dates made by ParseDate always are; numbers cast to Date need not be.
func (d Date) Valid() bool {
	y, m, day := d.Year(), d.Month(), d.Day()
	t := time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
	return y >= 1000 && y <= 9999 && t.Year() == y && t.Month() == m && t.Day() == day
}

// IsZero reports whether d is the zero Date ("no date").
func (d Date) IsZero() bool { return d == 0 }

// Time returns midnight UTC of d.
func (d Date) Time() time.Time { return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC) }

// String returns d as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year(), int(d.Month()), d.Day())
}

// MarshalText writes YYYY-MM-DD; the zero Date marshals as "".
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads what ParseDate reads; "" is the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = 0
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Validity is a range of days [From, To], both inclusive; a zero end is open.
type Validity struct {
	From Date `json:"valid_from,omitempty"`
	To   Date `json:"valid_to,omitempty"`
}

// Contains reports whether day d lies within v.
func (v Validity) Contains(d Date) bool {
	return (v.From == 0 || d >= v.From) && (v.To == 0 || d <= v.To)
}

func (v Validity) validate() error {
	for _, d := range []Date{v.From, v.To} {
		if d != 0 && !d.Valid() {
			return Errorf(EINVALID, "%d is not a date", int32(d))
		}
	}
	if v.From != 0 && v.To != 0 && v.To < v.From {
		return Errorf(EINVALID, "valid_to %s is before valid_from %s", v.To, v.From)
	}
	return nil
}
