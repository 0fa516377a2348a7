package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/importer"
)

// importFlags are the flags of every import.
type importFlags struct {
	storeFlags
	catalog     catalogFlag
	dryRun      bool
	maxFileSize string
	maxProblems int
	user        string
	jsonReport  bool
}

func (f *importFlags) register(fs *flag.FlagSet) {
	f.storeFlags.register(fs)
	f.catalog.register(fs)
	fs.BoolVar(&f.dryRun, "dry-run", false, "check and report what would change; write nothing")
	fs.StringVar(&f.maxFileSize, "max-file-size", envOr("SOZIALATLAS_MAX_FILE_SIZE", "512MiB"), "largest file to read, e.g. 512MiB (env SOZIALATLAS_MAX_FILE_SIZE)")
	fs.IntVar(&f.maxProblems, "max-problems", importer.DefaultMaxProblems, "problems to list in the report (all are counted)")
	fs.StringVar(&f.user, "user", envOr("USER", ""), "who imports, for the import log")
	fs.BoolVar(&f.jsonReport, "json", false, "print the report as JSON")
}

func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("want a manifest (sozialatlas.yaml) or one of units, offers, values")
	}
	var f importFlags
	var m *importer.Manifest
	var dir string
	var err error
	switch args[0] {
	case "units", "offers", "values":
		m, dir, err = singleFile(args[0], args[1:], &f, stderr)
	default:
		m, dir, err = manifestFile(args, &f, stderr)
	}
	if err != nil {
		return err
	}
	maxSize, err := parseSize(f.maxFileSize)
	if err != nil {
		return usagef("-max-file-size: %v", err)
	}
	// The catalog is checked before anything is imported, so that a broken
	// catalog does not leave an import without its computed indicators.
	cat, err := f.catalog.load()
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	store, err := f.open(ctx, log)
	if err != nil {
		return err
	}
	defer store.Close()
	rep, err := importer.Import(ctx, store, os.DirFS(dir), m, importer.Options{
		DryRun: f.dryRun, MaxFileSize: maxSize, MaxProblems: f.maxProblems, User: f.user})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted; nothing was written")
		}
		return err
	}
	if f.jsonReport {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		rep.WriteText(stdout)
	}
	if !rep.OK() {
		return errRefused
	}
	if f.dryRun || rep.Changes == nil || !rep.Changes.Changed() {
		return nil
	}
	crep, err := recompute(ctx, store, cat, rep.Touched, f.user, log)
	if err != nil {
		return fmt.Errorf("imported, but computing the indicators that depend on it failed: %w", err)
	}
	if crep != nil && !f.jsonReport {
		writeComputeReport(stdout, crep, false)
	}
	return nil
}

func manifestFile(args []string, f *importFlags, stderr io.Writer) (*importer.Manifest, string, error) {
	fs := newFlagSet("import", stderr)
	f.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return nil, "", err
	}
	if fs.NArg() != 1 {
		return nil, "", usagef("want exactly one manifest file")
	}
	path := fs.Arg(0)
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	m, err := importer.ReadManifest(os.DirFS(dir), name)
	if err == nil && m.Name == "" {
		// A data set is a directory: name the import after it.
		if abs, err := filepath.Abs(dir); err == nil {
			m.Name = filepath.Base(abs)
		}
	}
	return m, dir, err
}

// singleFile builds a one-file manifest from flags, so that a single file
// goes through the same import as a whole data set.
func singleFile(kind string, args []string, f *importFlags, stderr io.Writer) (*importer.Manifest, string, error) {
	fs := newFlagSet("import "+kind, stderr)
	f.register(fs)
	var (
		level, levelName, parentLevel, code, name, parent, crs, gpkgLayer string
		layer, layerName                                                  string
		unit, layout, indicator, indicatorName, polarity, date, dateCol   string
		indicatorCol, valueCol, delimiter, decimal, encoding, yearDay     string
		fields, columns, ignore, na                                       multiFlag
	)
	switch kind {
	case "units":
		fs.StringVar(&level, "level", "", "level id (required)")
		fs.StringVar(&levelName, "level-name", "", "declare the level with this name if it is new")
		fs.StringVar(&parentLevel, "parent-level", "", "parent level of a new level")
		fs.StringVar(&code, "code", "", "property with the unit code (required)")
		fs.StringVar(&name, "name", "", "property with the unit name (required)")
		fs.StringVar(&parent, "parent", "", "property with the parent unit's code")
	case "offers":
		fs.StringVar(&layer, "layer", "", "offer layer id (required)")
		fs.StringVar(&layerName, "layer-name", "", "declare the layer with this name if it is new")
		fs.Var(&fields, "field", "field=property mapping, e.g. provider=traeger (repeatable)")
	case "values":
		fs.StringVar(&level, "level", "", "level id (required)")
		fs.StringVar(&unit, "unit", "", "column with unit codes (required)")
		fs.StringVar(&layout, "layout", "long", "long or wide")
		fs.StringVar(&indicator, "indicator", "", "indicator of all values (long; wide with one column per date)")
		fs.StringVar(&indicatorName, "indicator-name", "", "declare -indicator with this name if it is new")
		fs.StringVar(&polarity, "polarity", "", "polarity of a new indicator: higher_worse, higher_better, neutral")
		fs.StringVar(&indicatorCol, "indicator-column", "", "column with indicator ids (long)")
		fs.StringVar(&date, "date", "", "date of all values, YYYY-MM-DD")
		fs.StringVar(&dateCol, "date-column", "", "column with dates")
		fs.StringVar(&valueCol, "value-column", "value", "column with values (long)")
		fs.Var(&columns, "column", "header=indicator for wide files (repeatable)")
		fs.Var(&ignore, "ignore", "column to ignore (repeatable)")
		fs.Var(&na, "na", "no-data marker (repeatable; replaces the defaults)")
		fs.StringVar(&delimiter, "delimiter", "auto", `auto, ";", "," or tab`)
		fs.StringVar(&decimal, "decimal", "auto", "auto, comma or point")
		fs.StringVar(&encoding, "encoding", "auto", "auto, utf-8 or windows-1252")
		fs.StringVar(&yearDay, "year-day", "", `day a bare year stands for, e.g. "12-31"`)
	}
	if kind != "values" {
		fs.StringVar(&crs, "crs", "", "coordinate system when the file does not say, e.g. EPSG:25833")
		fs.StringVar(&gpkgLayer, "gpkg-layer", "", "GeoPackage table when the file has several")
	}
	if err := parseFlags(fs, args); err != nil {
		return nil, "", err
	}
	if fs.NArg() != 1 {
		return nil, "", usagef("want exactly one file")
	}
	dir, file := filepath.Split(fs.Arg(0))
	if dir == "" {
		dir = "."
	}
	m := &importer.Manifest{Name: file}
	switch kind {
	case "units":
		if level == "" || code == "" || name == "" {
			return nil, "", usagef("-level, -code and -name are required")
		}
		if levelName != "" {
			m.Levels = []importer.LevelSpec{{ID: level, Name: levelName, Parent: parentLevel}}
		}
		m.Units = []importer.UnitsFile{{File: file, Level: level, Code: code, Name: name, Parent: parent, CRS: crs, GPKGLayer: gpkgLayer}}
	case "offers":
		if layer == "" {
			return nil, "", usagef("-layer is required")
		}
		if layerName != "" {
			m.Layers = []importer.LayerSpec{{ID: layer, Name: layerName}}
		}
		of := importer.OffersFile{File: file, Layer: layer, CRS: crs, GPKGLayer: gpkgLayer}
		for _, kv := range fields {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return nil, "", usagef("-field %q: want field=property", kv)
			}
			if err := of.Fields.Set(k, v); err != nil {
				return nil, "", usageError{err}
			}
		}
		m.Offers = []importer.OffersFile{of}
	case "values":
		if level == "" || unit == "" {
			return nil, "", usagef("-level and -unit are required")
		}
		vf := importer.ValuesFile{File: file, Level: level, Layout: layout, Unit: unit, Indicator: indicator,
			IndicatorColumn: indicatorCol, DateColumn: dateCol, ValueColumn: valueCol, Ignore: ignore, YearDay: yearDay,
			CSV: importer.CSVFormat{Delimiter: delimiter, Decimal: decimal, Encoding: encoding, NA: na}}
		if date != "" {
			d, err := atlas.ParseDate(date)
			if err != nil {
				return nil, "", usagef("-date: %s", atlas.ErrorMessage(err))
			}
			vf.Date = d
		}
		if layout == "long" && !flagSet(fs, "value-column") && indicatorCol == "" && indicator == "" {
			return nil, "", usagef("a long file needs -indicator or -indicator-column")
		}
		if len(columns) > 0 {
			vf.Columns = map[string]string{}
			for _, kv := range columns {
				h, id, ok := strings.Cut(kv, "=")
				if !ok {
					return nil, "", usagef("-column %q: want header=indicator", kv)
				}
				vf.Columns[h] = id
			}
		}
		if indicatorName != "" {
			if indicator == "" {
				return nil, "", usagef("-indicator-name needs -indicator")
			}
			m.Indicators = []importer.IndicatorSpec{{ID: indicator, Name: indicatorName, Polarity: polarity}}
		}
		m.Values = []importer.ValuesFile{vf}
	}
	return m, dir, nil
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// parseSize reads 1048576, 512KiB, 512MiB, 1GiB (KB/MB/GB are read as powers of 1024 too).
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size such as 512MiB", s)
	}
	return n * mult, nil
}
