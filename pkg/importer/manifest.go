package importer

import (
	"fmt"
	"io/fs"

	"gopkg.in/yaml.v3"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/strictyaml"
)

// Manifest describes one import: the levels, indicators and offer layers it
// declares and the files it reads. A city's data set is a directory with a
// manifest (sozialatlas.yaml) and its files; docs/importing.md is the
// reference. Single-file imports from the command line build a Manifest too,
// so every import takes the same path.
type Manifest struct {
	Name string `yaml:"name"` // for the import log; the caller may default it (the command uses the directory's name)
	// Source, Licence and Attribution are the defaults for the levels,
	// indicators and offer layers below that do not say their own.
	Source      string `yaml:"source"`
	Licence     string `yaml:"licence"`
	Attribution string `yaml:"attribution"`
	// NA lists the no-data markers of CSV files (default DefaultNA).
	NA []string `yaml:"na"`

	Levels     []LevelSpec     `yaml:"levels"`
	Indicators []IndicatorSpec `yaml:"indicators"`
	Layers     []LayerSpec     `yaml:"offer_layers"`
	Units      []UnitsFile     `yaml:"units"`
	Offers     []OffersFile    `yaml:"offers"`
	Values     []ValuesFile    `yaml:"values"`

	file  string         // manifest file name, for problems
	lines map[string]int // "units[2]" → line in the manifest
}

// LevelSpec declares a level.
type LevelSpec struct {
	ID          string `yaml:"id"`
	Name        string `yaml:"name"`
	Parent      string `yaml:"parent"`
	Description string `yaml:"description"`
	Source      string `yaml:"source"`
	Licence     string `yaml:"licence"`
	Attribution string `yaml:"attribution"`
}

// IndicatorSpec declares an indicator's metadata.
type IndicatorSpec struct {
	ID          string `yaml:"id"`
	Name        string `yaml:"name"`
	Unit        string `yaml:"unit"`
	Description string `yaml:"description"`
	Topic       string `yaml:"topic"`
	Source      string `yaml:"source"`
	Licence     string `yaml:"licence"`
	Attribution string `yaml:"attribution"`
	Polarity    string `yaml:"polarity"`   // required: higher_worse, higher_better, neutral
	Precision   *int   `yaml:"precision"`  // default 1
	Visibility  string `yaml:"visibility"` // default public
	Interval    string `yaml:"interval"`
}

// LayerSpec declares an offer layer.
type LayerSpec struct {
	ID          string `yaml:"id"`
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Source      string `yaml:"source"`
	Licence     string `yaml:"licence"`
	Attribution string `yaml:"attribution"`
	Visibility  string `yaml:"visibility"` // public (default), internal or confidential, as for indicators
}

// UnitsFile reads the units of one level from a GeoJSON or GeoPackage file.
type UnitsFile struct {
	File      string     `yaml:"file"`
	Level     string     `yaml:"level"`
	GPKGLayer string     `yaml:"gpkg_layer"` // GeoPackage table; "" for the only one
	CRS       string     `yaml:"crs"`        // when the file does not say (GeoJSON without crs member)
	Code      string     `yaml:"code"`       // property holding the unit code
	Name      string     `yaml:"name"`       // property holding the name
	Parent    string     `yaml:"parent"`     // property holding the parent unit's code
	ValidFrom atlas.Date `yaml:"valid_from"`
	ValidTo   atlas.Date `yaml:"valid_to"`
}

// OffersFile reads the offers of one layer from a GeoJSON or GeoPackage file.
type OffersFile struct {
	File      string      `yaml:"file"`
	Layer     string      `yaml:"layer"` // offer layer id
	GPKGLayer string      `yaml:"gpkg_layer"`
	CRS       string      `yaml:"crs"`
	Fields    OfferFields `yaml:"fields"`
	ValidFrom atlas.Date  `yaml:"valid_from"`
	ValidTo   atlas.Date  `yaml:"valid_to"`
}

// OfferFields names the properties that hold an offer's fields. Empty names
// default to the field's own name (id, name, category, …); other properties
// are kept as the offer's free attributes.
type OfferFields struct {
	ID           string   `yaml:"id"`
	Name         string   `yaml:"name"`
	Category     string   `yaml:"category"`
	Subcategory  string   `yaml:"subcategory"`
	Provider     string   `yaml:"provider"`
	ProviderType string   `yaml:"provider_type"`
	Capacity     string   `yaml:"capacity"`
	Address      string   `yaml:"address"`
	TargetGroups []string `yaml:"target_groups"`
	ValidFrom    string   `yaml:"valid_from"`
	ValidTo      string   `yaml:"valid_to"`
}

// ValuesFile reads values from a CSV file, long or wide.
//
//   - long: one row per unit, date (and indicator): unit, date_column or
//     date, indicator_column or indicator, value_column, and optionally
//     numerator_column and denominator_column.
//   - wide by indicator: columns maps headers to indicators; the date is
//     fixed (date) or in a column (date_column).
//   - wide by date: indicator names the one indicator; every other column
//     (but unit and ignore) is headed by a date.
type ValuesFile struct {
	File            string            `yaml:"file"`
	Level           string            `yaml:"level"`
	Layout          string            `yaml:"layout"`      // long or wide
	Unit            string            `yaml:"unit"`        // column of unit codes
	NameColumn      string            `yaml:"name_column"` // optional column of unit names, checked against the units
	Indicator       string            `yaml:"indicator"`
	IndicatorColumn string            `yaml:"indicator_column"`
	Date            atlas.Date        `yaml:"date"`
	DateColumn      string            `yaml:"date_column"`
	ValueColumn     string            `yaml:"value_column"`
	NumeratorColumn string            `yaml:"numerator_column"`
	DenominatorCol  string            `yaml:"denominator_column"`
	Columns         map[string]string `yaml:"columns"` // header → indicator id
	Ignore          []string          `yaml:"ignore"`
	YearDay         string            `yaml:"year_day"` // "12-31": a bare year in a date means this day
	CSV             CSVFormat         `yaml:",inline"`
}

// CSVFormat says how a CSV file is written. Auto-detection covers what
// German offices send; each setting can be forced.
type CSVFormat struct {
	Delimiter string   `yaml:"delimiter"` // auto (default), ";", ",", "tab"
	Decimal   string   `yaml:"decimal"`   // auto (comma with ";", else point), comma, point
	Encoding  string   `yaml:"encoding"`  // auto (UTF-8 if valid, else Windows-1252), utf-8, windows-1252
	NA        []string `yaml:"na"`        // no-data markers; overrides the manifest's
}

// ReadManifest parses a manifest. Unknown keys are errors, so that a typo
// does not silently drop a setting.
func ReadManifest(fsys fs.FS, name string) (*Manifest, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, atlas.Errorf(atlas.EINVALID, "read manifest: %v", err)
	}
	return ParseManifest(name, b)
}

// ParseManifest parses a manifest from memory; name is used in messages.
func ParseManifest(name string, b []byte) (*Manifest, error) {
	m := &Manifest{}
	if err := strictyaml.Decode(b, m); err != nil {
		return nil, atlas.Errorf(atlas.EINVALID, "%s: %v", name, err)
	}
	m.file = name
	m.lines = map[string]int{}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err == nil && len(root.Content) == 1 {
		top := root.Content[0]
		for i := 0; i+1 < len(top.Content); i += 2 {
			key, val := top.Content[i].Value, top.Content[i+1]
			for j, item := range val.Content {
				m.lines[fmt.Sprintf("%s[%d]", key, j)] = item.Line
			}
		}
	}
	return m, nil
}

// where locates an entry of the manifest for a problem.
func (m *Manifest) where(section string, i int) string {
	key := fmt.Sprintf("%s[%d]", section, i)
	if line, ok := m.lines[key]; ok {
		return fmt.Sprintf("line %d (%s)", line, key)
	}
	return key
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// Set maps one offer field to a property, as the command line's
// -field provider=traeger does.
func (f *OfferFields) Set(field, property string) error {
	dst := map[string]*string{"id": &f.ID, "name": &f.Name, "category": &f.Category, "subcategory": &f.Subcategory,
		"provider": &f.Provider, "provider_type": &f.ProviderType, "capacity": &f.Capacity, "address": &f.Address,
		"valid_from": &f.ValidFrom, "valid_to": &f.ValidTo}
	if field == "target_groups" {
		f.TargetGroups = append(f.TargetGroups, property)
		return nil
	}
	p, ok := dst[field]
	if !ok {
		return fmt.Errorf("unknown offer field %q: want id, name, category, subcategory, provider, provider_type, capacity, address, target_groups, valid_from or valid_to", field)
	}
	*p = property
	return nil
}
