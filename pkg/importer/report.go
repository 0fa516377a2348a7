package importer

import (
	"fmt"
	"io"
	"strings"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// Severity of a problem: errors refuse the import, warnings report a repair.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Problem is one thing wrong (or repaired) in the input, located as exactly
// as the format allows.
type Problem struct {
	Severity Severity `json:"severity"`
	File     string   `json:"file"`
	Where    string   `json:"where,omitempty"` // "line 14", "feature 3 (PLR_ID 01100101)"
	Field    string   `json:"field,omitempty"`
	Reason   string   `json:"reason"`
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Where != "" {
		b.WriteString(": " + p.Where)
	}
	if p.Field != "" {
		b.WriteString(": " + p.Field)
	}
	b.WriteString(": ")
	if p.Severity == Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(p.Reason)
	return b.String()
}

// FileSummary says what was read from one file.
type FileSummary struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"` // units, offers, values
	Records int    `json:"records"`
	SHA256  string `json:"sha256,omitempty"`
	Bytes   int64  `json:"bytes"`
	CRS     string `json:"crs,omitempty"`
}

// Report is the outcome of an import. Problems lists at most the configured
// number of errors and warnings; Errors and Warnings count all of them.
type Report struct {
	Name     string        `json:"name"`
	DryRun   bool          `json:"dry_run"`
	Files    []FileSummary `json:"files"`
	Problems []Problem     `json:"problems"`
	Errors   int           `json:"errors"`
	Warnings int           `json:"warnings"`
	// Omitted counts problems not listed because of the bound.
	Omitted int `json:"omitted"`
	// Changes are what the import wrote (or, in a dry run, would write);
	// nil when the import was refused.
	Changes *atlas.Changes `json:"changes,omitempty"`
	// Touched says what the import wrote, for the engine to recompute
	// what depends on it.
	Touched atlas.Touched `json:"-"`

	limit int
}

// OK reports whether the input had no errors.
func (r *Report) OK() bool { return r.Errors == 0 }

func (r *Report) add(p Problem) {
	if p.Severity == Error {
		r.Errors++
	} else {
		r.Warnings++
	}
	if len(r.Problems) < r.limit {
		r.Problems = append(r.Problems, p)
	} else {
		r.Omitted++
	}
}

// WriteText writes the report for people: one line per problem, then a
// summary.
func (r *Report) WriteText(w io.Writer) {
	for _, p := range r.Problems {
		fmt.Fprintln(w, p)
	}
	if r.Omitted > 0 {
		fmt.Fprintf(w, "… and %d more problems not listed\n", r.Omitted)
	}
	for _, f := range r.Files {
		crs := ""
		if f.CRS != "" {
			crs = ", " + f.CRS
		}
		fmt.Fprintf(w, "read %s: %d %s%s\n", f.Name, f.Records, f.Kind, crs)
	}
	switch {
	case !r.OK():
		fmt.Fprintf(w, "import %s refused: %d errors, %d warnings; nothing was written\n", r.Name, r.Errors, r.Warnings)
	case r.Changes != nil:
		verb := "wrote"
		if r.DryRun {
			verb = "dry run, would write"
		}
		c := r.Changes
		fmt.Fprintf(w, "import %s: %s (inserted/updated/unchanged) levels %s, units %s, offer layers %s, offers %s, indicators %s, values %s; %d warnings\n",
			r.Name, verb, count(c.Levels), count(c.Units), count(c.Layers), count(c.Offers), count(c.Indicators), count(c.Values), r.Warnings)
	}
}

func count(c atlas.Count) string { return fmt.Sprintf("%d/%d/%d", c.Inserted, c.Updated, c.Unchanged) }
