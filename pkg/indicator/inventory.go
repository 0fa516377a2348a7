package indicator

import (
	"fmt"
	"math"
	"strings"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// Inventory configures the offer inventory: the goal dimensions of poverty
// prevention an office sorts its offers by. Set once in the catalog
// (`inventory: {goals: [...]}`); without it the goals are atlas.DefaultGoals.
type Inventory struct {
	Goals []string `yaml:"goals" json:"goals"`

	File string `yaml:"-" json:"-"`
	Line int    `yaml:"-" json:"-"`
}

// GapPair names a need and a supply indicator that the gap analysis
// compares (`gaps:` in the catalog): the default of GET /api/v1/gaps and
// the findings of each area's profile. Breaks are two cut-offs on each
// indicator's own values (upper bounds of its low and middle class);
// without them the terciles of the published values are used.
type GapPair struct {
	ID           string    `yaml:"id" json:"id"`
	Name         string    `yaml:"name" json:"name,omitempty"`
	Need         string    `yaml:"need" json:"need"`
	Supply       string    `yaml:"supply" json:"supply"`
	Level        string    `yaml:"level" json:"level"`
	NeedBreaks   []float64 `yaml:"need_breaks" json:"need_breaks,omitempty"`
	SupplyBreaks []float64 `yaml:"supply_breaks" json:"supply_breaks,omitempty"`

	File string `yaml:"-" json:"-"`
	Line int    `yaml:"-" json:"-"`
}

// Target is a key figure of an action plan: an indicator should reach a
// value by a date, for the whole city or one area (`targets:` of a
// definition). Progress is judged against the straight path from the first
// value (or the value at From) to the target (see Progress).
type Target struct {
	Name      string     `yaml:"name" json:"name,omitempty"`
	Value     *float64   `yaml:"value" json:"value"`
	Date      atlas.Date `yaml:"date" json:"date"`
	Direction string     `yaml:"direction" json:"direction"` // at_least or at_most
	// Level is "city" (the default: the whole city) or a level id, with
	// Code the unit's code.
	Level string `yaml:"level" json:"level"`
	Code  string `yaml:"code" json:"code,omitempty"`
	// From is the baseline date: the path starts at the latest value on
	// or before it; zero: the first value there is.
	From atlas.Date `yaml:"from" json:"from,omitempty"`
}

// Directions of a target.
const (
	AtLeast = "at_least"
	AtMost  = "at_most"
	// City is the level of a target for the whole city.
	City = "city"
)

// Goals is the goal vocabulary of the inventory: the catalog's, or
// atlas.DefaultGoals. A nil catalog has the defaults too.
func (c *Catalog) Goals() []string {
	if c == nil || c.Inventory == nil {
		return append([]string(nil), atlas.DefaultGoals...)
	}
	return append([]string(nil), c.Inventory.Goals...)
}

// GapPairs are the catalog's gap pairs in the order written.
func (c *Catalog) GapPairs() []*GapPair {
	if c == nil {
		return nil
	}
	return c.Gaps
}

func checkInventory(p *problems, in *Inventory) {
	if err := atlas.CheckGoalVocabulary(in.Goals); err != nil {
		p.add("%s:%d: inventory.%s", in.File, in.Line, atlas.ErrorMessage(err))
	}
}

// checkBreaks checks two cut-offs: finite and ascending.
func checkBreaks(b []float64) string {
	if b == nil {
		return ""
	}
	if len(b) != 2 {
		return fmt.Sprintf("want two numbers (the upper bounds of the low and the middle class), got %d", len(b))
	}
	for _, x := range b {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "want finite numbers"
		}
	}
	if b[0] >= b[1] {
		return fmt.Sprintf("%g is not below %g: the first cut-off must be the lower", b[0], b[1])
	}
	return ""
}

func checkGapPairs(p *problems, c *Catalog) {
	seen := map[string]*GapPair{}
	for _, g := range c.Gaps {
		where := fmt.Sprintf("%s:%d (gap %s)", g.File, g.Line, g.ID)
		if g.ID == "" {
			g.ID = g.Need + "--" + g.Supply
			where = fmt.Sprintf("%s:%d (gap %s)", g.File, g.Line, g.ID)
		}
		if !atlas.ValidID(g.ID) {
			p.add("%s: id %q: want lower-case letters, digits, _ and -, starting with a letter", where, g.ID)
		}
		if prev, dup := seen[g.ID]; dup {
			p.add("%s: gap %s is already defined at %s:%d", where, g.ID, prev.File, prev.Line)
		}
		seen[g.ID] = g
		for _, ref := range []struct{ field, id string }{{"need", g.Need}, {"supply", g.Supply}} {
			if ref.id == "" {
				p.add("%s: %s is missing: name an indicator of the catalog", where, ref.field)
			} else if c.KindOf(ref.id) == "" {
				p.add("%s: %s %q is neither an input nor a definition of the catalog", where, ref.field, ref.id)
			}
		}
		if g.Need != "" && g.Need == g.Supply {
			p.add("%s: need and supply are the same indicator %s", where, g.Need)
		}
		if !atlas.ValidID(g.Level) {
			p.add("%s: level %q: want a level id such as planungsraum", where, g.Level)
		}
		for _, b := range []struct {
			field string
			b     []float64
		}{{"need_breaks", g.NeedBreaks}, {"supply_breaks", g.SupplyBreaks}} {
			if msg := checkBreaks(b.b); msg != "" {
				p.add("%s: %s: %s", where, b.field, msg)
			}
		}
	}
}

func checkTargets(p *problems, d *Definition) {
	for i, t := range d.Targets {
		where := fmt.Sprintf("%s, target %d", d.where("targets"), i+1)
		if t.Value == nil || math.IsNaN(*t.Value) || math.IsInf(*t.Value, 0) {
			p.add("%s: value is missing: say the number the indicator should reach", where)
		}
		if t.Date == 0 {
			p.add("%s: date is missing: say by when (YYYY-MM-DD)", where)
		}
		if t.From != 0 && t.Date != 0 && t.From >= t.Date {
			p.add("%s: from %s is not before the target date %s", where, t.From, t.Date)
		}
		switch t.Direction {
		case AtLeast:
			if d.Polarity == atlas.HigherWorse {
				p.add("%s: at_least on %s, where higher is worse: did you mean at_most?", where, d.ID)
			}
		case AtMost:
			if d.Polarity == atlas.HigherBetter {
				p.add("%s: at_most on %s, where higher is better: did you mean at_least?", where, d.ID)
			}
		default:
			p.add("%s: direction %q: want at_least or at_most", where, t.Direction)
		}
		switch {
		case t.Level == "" || t.Level == City:
			if t.Code != "" {
				p.add("%s: code %q without a level: say the level of the unit, or leave out the code for the whole city", where, t.Code)
			}
		case !atlas.ValidID(t.Level):
			p.add("%s: level %q: want city or a level id such as bezirksregion", where, t.Level)
		case strings.TrimSpace(t.Code) == "":
			p.add("%s: a target at level %s needs the code of the unit", where, t.Level)
		}
	}
}

// TargetLevel is the level of a target: City, or the level id.
func (t Target) TargetLevel() string {
	if t.Level == "" {
		return City
	}
	return t.Level
}
