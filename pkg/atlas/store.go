package atlas

import (
	"context"
	"time"

	"github.com/paulmach/orb"
)

// Store is the system of record. Two implementations exist: the embedded
// SQLite file (the default) and PostgreSQL with PostGIS. Both pass the same
// contract suite (pkg/storetest). Nothing may assume that one process owns
// the store: several servers can share one PostGIS database.
type Store interface {
	// Levels returns all levels, parents before children, with unit counts.
	Levels(ctx context.Context) ([]Level, error)
	// Units returns the units of a level in code order; ENOTFOUND if the
	// level does not exist.
	Units(ctx context.Context, level string, q UnitQuery) ([]Unit, error)
	// OfferLayers returns all offer layers with offer counts.
	OfferLayers(ctx context.Context) ([]OfferLayer, error)
	// Offers returns the offers of a layer in id order; ENOTFOUND if the
	// layer does not exist.
	Offers(ctx context.Context, layer string, q OfferQuery) ([]Offer, error)
	// Indicators returns all indicator metadata in id order.
	Indicators(ctx context.Context) ([]Indicator, error)
	// Values returns the values of one indicator at one level, ordered by
	// unit code and date.
	Values(ctx context.Context, q ValueQuery) ([]Value, error)
	// ScanValues calls fn with every value of an indicator at every level,
	// each with its level, in no particular order and without collecting
	// them: how the engine reads millions of values. v is reused between
	// calls; an error from fn ends the scan and is returned.
	ScanValues(ctx context.Context, indicator string, fn func(v *Value) error) error
	// Series lists the dates each indicator has values for at each level.
	Series(ctx context.Context) ([]Series, error)
	// Imports returns the import log, newest first.
	Imports(ctx context.Context, limit int) ([]ImportRecord, error)

	// Apply writes a batch in one transaction: everything or nothing.
	// Existing rows with the same key are updated only where they differ, so
	// applying the same batch twice changes nothing the second time. With
	// opts.DryRun the transaction is rolled back and the counts say what
	// would have changed.
	Apply(ctx context.Context, b *Batch, opts ApplyOptions) (Changes, error)

	// CreateToken stores a new API token and returns it with its id and
	// creation time.
	CreateToken(ctx context.Context, t Token) (Token, error)
	// Tokens lists every token, revoked ones too, by id.
	Tokens(ctx context.Context) ([]Token, error)
	// TokenByHash finds a token that is not revoked; ENOTFOUND otherwise.
	TokenByHash(ctx context.Context, hash string) (Token, error)
	// RevokeToken revokes a token; ENOTFOUND if there is no such valid token.
	RevokeToken(ctx context.Context, id int64, by string) error

	// Ping checks that the store is reachable.
	Ping(ctx context.Context) error
	Close() error
}

// UnitQuery narrows Units. The zero value returns every unit with geometry.
type UnitQuery struct {
	BBox       *orb.Bound // units whose bounding box intersects it
	Codes      []string   // only these codes
	NoGeometry bool       // leave Geometry empty (for code lists and checks)
	Limit      int        // 0: no limit
	Offset     int
}

// OfferQuery narrows Offers. The zero value returns every offer of the layer.
type OfferQuery struct {
	BBox   *orb.Bound
	Limit  int
	Offset int
}

// ValueQuery selects values of one indicator at one level.
type ValueQuery struct {
	Indicator string
	Level     string   // required (ScanValues reads every level)
	Dates     []Date   // empty: all dates
	Units     []string // empty: all units
}

// Batch is what one import writes. Levels and units are ordered by the
// importer so that parents come before children.
type Batch struct {
	Source     Source
	Levels     []Level
	Units      []Unit
	Layers     []OfferLayer
	Offers     []Offer
	Indicators []Indicator
	Values     []Value
	// Blocks are values in columns, written after Values (see Block).
	Blocks []Block
}

// Validate checks every item of the batch. Stores call it first, so that
// input no store can hold is refused the same way by each.
func (b *Batch) Validate() error {
	if err := checkText(b.Source.Name, b.Source.User, b.Source.Action, b.Source.Note); err != nil {
		return Errorf(EINVALID, "import source: %s", ErrorMessage(err))
	}
	for _, f := range b.Source.Files {
		if err := checkText(f.Name, f.SHA256); err != nil {
			return Errorf(EINVALID, "import source: %s", ErrorMessage(err))
		}
	}
	for i := range b.Levels {
		if err := b.Levels[i].Validate(); err != nil {
			return err
		}
	}
	for i := range b.Indicators {
		if err := b.Indicators[i].Validate(); err != nil {
			return err
		}
	}
	for i := range b.Layers {
		if err := b.Layers[i].Validate(); err != nil {
			return err
		}
	}
	for i := range b.Units {
		if err := b.Units[i].Validate(); err != nil {
			return err
		}
	}
	for i := range b.Offers {
		if err := b.Offers[i].Validate(); err != nil {
			return err
		}
	}
	for j := range b.Blocks {
		if err := b.Blocks[j].validate(); err != nil {
			return err
		}
	}
	for _, v := range b.ValueList().All() {
		if err := v.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Source describes where a batch came from, for the import log and for the
// provenance of values.
type Source struct {
	Name  string       `json:"name"` // e.g. the manifest or file name
	Files []SourceFile `json:"files"`
	User  string       `json:"user,omitempty"`
	// Inputs are the imports whose data a computation read (its
	// provenance); empty for an import of files.
	Inputs []int64 `json:"inputs,omitempty"`
	// Action names a change that is not an import of files for the
	// audit log (OfferCreate, …); empty for imports and computations.
	Action string `json:"action,omitempty"`
	// Note says what changed, in words, for the audit log.
	Note string `json:"note,omitempty"`
}

// Actions of the offer inventory in the import log (Source.Action).
const (
	OfferCreate = "offer_create" // an editor added an offer
	OfferUpdate = "offer_update" // an editor changed an offer
	OfferClose  = "offer_close"  // an editor closed an offer (valid_to set; nothing is deleted)
	OfferImport = "offer_import" // a provider's list of offers (CSV, XLSX)
)

// SourceFile is one input file with its content hash.
type SourceFile struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// ApplyOptions modify Apply.
type ApplyOptions struct {
	DryRun bool
}

// Count is what happened to the rows of one kind.
type Count struct {
	Inserted  int `json:"inserted"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Changed reports whether any row was inserted or updated.
func (c Count) Changed() bool { return c.Inserted+c.Updated > 0 }

// Changes are the counts of one Apply, per kind of row.
type Changes struct {
	ImportID   int64 `json:"import_id,omitempty"` // 0 for a dry run
	Levels     Count `json:"levels"`
	Units      Count `json:"units"`
	Layers     Count `json:"offer_layers"`
	Offers     Count `json:"offers"`
	Indicators Count `json:"indicators"`
	Values     Count `json:"values"`
}

// Changed reports whether the batch changed anything.
func (c Changes) Changed() bool {
	for _, k := range []Count{c.Levels, c.Units, c.Layers, c.Offers, c.Indicators, c.Values} {
		if k.Changed() {
			return true
		}
	}
	return false
}

// ImportRecord is one entry of the import log.
type ImportRecord struct {
	ID       int64     `json:"id"`
	Source   Source    `json:"source"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Changes  Changes   `json:"changes"`
}

// ComputeSource is the Source.Name of a computation in the import log:
// values written under it are computed, not imported. Imports never carry
// this name (the importer renames one that would).
const ComputeSource = "compute"

// Touched says what a batch writes: which indicators get values, which
// offer layers get offers, and whether units change. The engine recomputes
// what depends on it and nothing else.
type Touched struct {
	Indicators []string `json:"indicators,omitempty"`
	Layers     []string `json:"layers,omitempty"`
	Units      bool     `json:"units,omitempty"`
}

// Touched derives what the batch writes.
func (b *Batch) Touched() Touched {
	var t Touched
	seen := map[string]bool{}
	ids := func(id string) {
		if !seen[id] {
			seen[id] = true
			t.Indicators = append(t.Indicators, id)
		}
	}
	for i := range b.Values {
		ids(b.Values[i].Indicator)
	}
	for j := range b.Blocks {
		ids(b.Blocks[j].Indicator)
	}
	for i := range b.Offers {
		if l := b.Offers[i].Layer; !seen["\x00"+l] {
			seen["\x00"+l] = true
			t.Layers = append(t.Layers, l)
		}
	}
	t.Units = len(b.Units) > 0
	return t
}

// Series says on which dates an indicator has values at a level.
type Series struct {
	Indicator string `json:"indicator"`
	Level     string `json:"level"`
	Dates     []Date `json:"dates"`
}
