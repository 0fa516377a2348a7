// Package importer reads the files that city offices send (GeoJSON and
// GeoPackage for areas and offers, CSV for values), checks everything, and
// writes it in one transaction, or nothing at all. The report lists every
// problem with file, place, field and reason.
package importer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/crs"
	"github.com/sozialatlas/sozialatlas/pkg/gpkg"
)

// DefaultMaxFileSize is the largest file an import reads unless configured.
const DefaultMaxFileSize = 512 << 20

// DefaultMaxProblems is how many problems a report lists.
const DefaultMaxProblems = 100

// Options modify an import.
type Options struct {
	DryRun      bool   // check and count, write nothing
	MaxFileSize int64  // bytes per file; 0 means DefaultMaxFileSize
	MaxProblems int    // problems listed in the report; 0 means DefaultMaxProblems
	User        string // recorded in the import log
}

// run is the state of one import.
type run struct {
	ctx   context.Context
	fsys  fs.FS
	m     *Manifest
	opts  Options
	rep   *Report
	known *knownSet
	batch atlas.Batch
}

// Import reads the manifest's files from fsys (paths are relative to it),
// checks them against each other and the store, and writes them in one
// transaction if there is no error. The returned error is for failures of
// the store itself; problems with the input are in the report.
func Import(ctx context.Context, store atlas.Store, fsys fs.FS, m *Manifest, opts Options) (*Report, error) {
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	if opts.MaxProblems <= 0 {
		opts.MaxProblems = DefaultMaxProblems
	}
	if m.file == "" { // built in code, e.g. from command-line flags
		m.file = "(command line)"
	}
	if m.Name == "" {
		m.Name = strings.TrimSuffix(path.Base(m.file), path.Ext(m.file))
	}
	if m.Name == atlas.ComputeSource { // that name marks computations in the log
		m.Name += " (import)"
	}
	r := &run{ctx: ctx, fsys: fsys, m: m, opts: opts,
		rep: &Report{Name: m.Name, DryRun: opts.DryRun, Problems: []Problem{}, limit: opts.MaxProblems}}
	var err error
	if r.known, err = loadKnown(ctx, store); err != nil {
		return nil, err
	}
	r.batch.Source = atlas.Source{Name: m.Name, User: opts.User}

	r.declare()
	if err := r.readUnits(); err != nil {
		return nil, err
	}
	r.readOffers()
	if err := r.readValues(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !r.rep.OK() {
		return r.rep, nil
	}
	ch, err := store.Apply(ctx, &r.batch, atlas.ApplyOptions{DryRun: opts.DryRun})
	if err != nil {
		if atlas.ErrorCode(err) == atlas.EINVALID { // the store saw what the checks above missed
			r.problem(m.file, "", "", atlas.ErrorMessage(err))
			return r.rep, nil
		}
		return nil, err
	}
	r.rep.Changes = &ch
	r.rep.Touched = r.batch.Touched()
	return r.rep, nil
}

func (r *run) problem(file, where, field, reason string) {
	r.rep.add(Problem{Severity: Error, File: file, Where: where, Field: field, Reason: reason})
}

func (r *run) warn(file, where, field, reason string) {
	r.rep.add(Problem{Severity: Warning, File: file, Where: where, Field: field, Reason: reason})
}

// declare checks the levels, indicators and offer layers the manifest
// declares and adds them to the batch.
func (r *run) declare() {
	m := r.m
	seen := map[string]bool{}
	var levels []atlas.Level
	for i, s := range m.Levels {
		l := atlas.Level{ID: s.ID, Name: s.Name, Parent: s.Parent, Description: s.Description,
			Source: orDefault(s.Source, m.Source), Licence: orDefault(s.Licence, m.Licence), Attribution: orDefault(s.Attribution, m.Attribution)}
		if r.declared(m.where("levels", i), "level", l.ID, seen, l.Validate()) {
			levels = append(levels, l)
		}
	}
	// Check the hierarchy as it will be (stored levels, replaced by declared
	// ones) and order the declared levels parents first within it.
	all := slices.Clone(levels)
	for _, l := range r.known.levelList {
		if !seen[l.ID] {
			all = append(all, l)
		}
	}
	if _, err := atlas.SortLevels(all); err != nil {
		r.problem(m.file, "levels", "", atlas.ErrorMessage(err))
	} else {
		depth := levelDepths(all)
		slices.SortStableFunc(levels, func(a, b atlas.Level) int { return depth[a.ID] - depth[b.ID] })
	}
	r.batch.Levels = levels
	for _, l := range levels {
		r.known.addLevel(l)
	}

	seen = map[string]bool{}
	for i, s := range m.Indicators {
		ind := atlas.Indicator{ID: s.ID, Name: s.Name, Unit: s.Unit, Description: s.Description, Topic: s.Topic,
			Source: orDefault(s.Source, m.Source), Licence: orDefault(s.Licence, m.Licence), Attribution: orDefault(s.Attribution, m.Attribution),
			Polarity: atlas.Polarity(s.Polarity), Precision: 1, Visibility: atlas.Visibility(orDefault(s.Visibility, string(atlas.Public))), Interval: s.Interval}
		if s.Precision != nil {
			ind.Precision = *s.Precision
		}
		err := ind.Validate()
		if s.Polarity == "" && err == nil {
			err = atlas.Errorf(atlas.EINVALID, "indicator %s: polarity is required (higher_worse, higher_better or neutral)", s.ID)
		}
		if r.declared(m.where("indicators", i), "indicator", ind.ID, seen, err) {
			r.batch.Indicators = append(r.batch.Indicators, ind)
			r.known.indicators[ind.ID] = true
			r.known.indicatorID[ind.ID] = ind.ID
		}
	}

	seen = map[string]bool{}
	for i, s := range m.Layers {
		l := atlas.OfferLayer{ID: s.ID, Name: s.Name, Description: s.Description,
			Source: orDefault(s.Source, m.Source), Licence: orDefault(s.Licence, m.Licence), Attribution: orDefault(s.Attribution, m.Attribution),
			Visibility: atlas.Visibility(orDefault(s.Visibility, string(atlas.Public)))}
		if r.declared(m.where("offer_layers", i), "offer layer", l.ID, seen, l.Validate()) {
			r.batch.Layers = append(r.batch.Layers, l)
			r.known.layers[l.ID] = true
		}
	}
}

func (r *run) declared(where, kind, id string, seen map[string]bool, err error) bool {
	switch {
	case err != nil:
		r.problem(r.m.file, where, "", atlas.ErrorMessage(err))
		return false
	case seen[id]:
		r.problem(r.m.file, where, "id", fmt.Sprintf("%s %q is declared twice", kind, id))
		return false
	}
	seen[id] = true
	return true
}

func levelDepths(levels []atlas.Level) map[string]int {
	parent := map[string]string{}
	for _, l := range levels {
		parent[l.ID] = l.Parent
	}
	depth := map[string]int{}
	for _, l := range levels {
		d := 0
		for p := l.Parent; p != "" && d <= len(levels); p = parent[p] {
			d++
		}
		depth[l.ID] = d
	}
	return depth
}

// readUnits reads the units files, parent levels first, and checks codes
// and parents.
func (r *run) readUnits() error {
	m := r.m
	depth := levelDepths(r.known.levelList)
	order := make([]int, len(m.Units))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return depth[m.Units[a].Level] - depth[m.Units[b].Level] })
	type origin struct{ file, where string }
	for _, i := range order {
		spec := m.Units[i]
		level, ok := r.known.levels[spec.Level]
		switch {
		case !ok:
			r.problem(m.file, m.where("units", i), "level", fmt.Sprintf("level %q is not declared (add it under levels:) and not in the store", spec.Level))
			continue
		case spec.Code == "" || spec.Name == "":
			r.problem(m.file, m.where("units", i), "", "say which properties hold the unit code (code:) and name (name:)")
			continue
		case level.Parent != "" && spec.Parent == "":
			r.problem(m.file, m.where("units", i), "parent", fmt.Sprintf("level %s has the parent level %s: say which property holds the parent code (parent:)", level.ID, level.Parent))
			continue
		case level.Parent == "" && spec.Parent != "":
			r.problem(m.file, m.where("units", i), "parent", fmt.Sprintf("level %s has no parent level, but parent: is set", level.ID))
			continue
		}
		ff, sum, ok := r.readFeatureFile(spec.File, "units", spec.GPKGLayer, spec.CRS)
		if !ok {
			continue
		}
		units := r.featureUnits(spec.File, spec, ff.file, ff.crs)
		sum.Records = len(units)
		r.rep.Files = append(r.rep.Files, sum)

		known, err := r.known.unitsOf(level.ID)
		if err != nil {
			return err
		}
		var parents map[string]knownUnit
		if level.Parent != "" {
			if parents, err = r.known.unitsOf(level.Parent); err != nil {
				return err
			}
		}
		inBatch := r.known.batchUnits[level.ID]
		if inBatch == nil {
			inBatch = map[string]string{}
			r.known.batchUnits[level.ID] = inBatch
		}
		for _, u := range units {
			where := "unit " + u.Code
			if first, dup := inBatch[u.Code]; dup {
				r.problem(spec.File, where, spec.Code, fmt.Sprintf("code %q appears twice in level %s (first in %s)", u.Code, level.ID, first))
				continue
			}
			inBatch[u.Code] = spec.File
			if u.Parent != "" {
				if _, ok := parents[u.Parent]; !ok {
					r.problem(spec.File, where, spec.Parent, fmt.Sprintf("parent %q does not exist in level %s", u.Parent, level.Parent))
					continue
				}
			}
			known[u.Code] = knownUnit{code: u.Code, name: u.Name, parent: u.Parent}
			r.batch.Units = append(r.batch.Units, u)
		}
	}
	return nil
}

func (r *run) readOffers() {
	m := r.m
	seen := map[string]map[string]string{}
	for i, spec := range m.Offers {
		if !r.known.layers[spec.Layer] {
			r.problem(m.file, m.where("offers", i), "layer", fmt.Sprintf("offer layer %q is not declared (add it under offer_layers:) and not in the store", spec.Layer))
			continue
		}
		ff, sum, ok := r.readFeatureFile(spec.File, "offers", spec.GPKGLayer, spec.CRS)
		if !ok {
			continue
		}
		offers := r.featureOffers(spec.File, spec, ff.file, ff.crs)
		sum.Records = len(offers)
		r.rep.Files = append(r.rep.Files, sum)
		if seen[spec.Layer] == nil {
			seen[spec.Layer] = map[string]string{}
		}
		for _, o := range offers {
			if first, dup := seen[spec.Layer][o.ID]; dup {
				r.problem(spec.File, "offer "+o.ID, "id", fmt.Sprintf("id %q appears twice in layer %s (first in %s)", o.ID, spec.Layer, first))
				continue
			}
			seen[spec.Layer][o.ID] = spec.File
			r.batch.Offers = append(r.batch.Offers, o)
		}
	}
}

func (r *run) readValues() error {
	m := r.m
	type span struct {
		file       string
		start, end int
	}
	var spans []span
	for i, spec := range m.Values {
		if _, ok := r.known.levels[spec.Level]; !ok {
			r.problem(m.file, m.where("values", i), "level", fmt.Sprintf("level %q is not declared and not in the store", spec.Level))
			continue
		}
		if _, err := r.known.unitsOf(spec.Level); err != nil {
			return err
		}
		data, sum, ok := r.readFile(spec.File, "values")
		if !ok {
			continue
		}
		c, err := openCSV(data, spec.CSV, m.NA)
		if err != nil {
			r.problem(spec.File, "", "", err.Error())
			continue
		}
		vr := &valueReader{spec: spec, csv: c, known: r.known, report: func(where, field, reason string) {
			r.problem(spec.File, where, field, reason)
		}}
		if !vr.setup() {
			continue
		}
		start := len(r.batch.Values)
		var rows int
		r.batch.Values, rows = vr.read(r.batch.Values, bytes.Count(data, []byte("\n")))
		if rows == 0 {
			r.problem(spec.File, "", "", "the file has a header but no rows")
		}
		sum.Records = len(r.batch.Values) - start
		r.rep.Files = append(r.rep.Files, sum)
		spans = append(spans, span{spec.File, start, len(r.batch.Values)})
	}
	// The same indicator, unit and date twice would make the result depend on
	// the order of rows: refuse it.
	fileOf := func(i int) string {
		for _, s := range spans {
			if i >= s.start && i < s.end {
				return s.file
			}
		}
		return ""
	}
	for _, d := range duplicateValues(r.batch.Values) {
		v := r.batch.Values[d]
		r.problem(fileOf(d), "", "", fmt.Sprintf("indicator %s has two values for unit %s on %s", v.Indicator, v.Unit, v.Date))
	}
	return nil
}

// featureResult is a read feature file and its coordinate system.
type featureResult struct {
	file *featureFile
	crs  *crs.CRS
}

// readFile reads a whole file after checking its size, so that an
// oversized file is refused before it fills memory.
func (r *run) readFile(name, kind string) ([]byte, FileSummary, bool) {
	sum := FileSummary{Name: name, Kind: kind}
	fail := func(reason string) ([]byte, FileSummary, bool) {
		r.problem(name, "", "", reason)
		return nil, sum, false
	}
	if name == "" {
		return fail("no file given (file:)")
	}
	info, err := fs.Stat(r.fsys, name)
	if err != nil {
		return fail(fmt.Sprintf("cannot read the file: %v", unwrapPath(err)))
	}
	if info.IsDir() {
		return fail("is a directory, not a file")
	}
	if info.Size() > r.opts.MaxFileSize {
		return fail(fmt.Sprintf("the file has %s, more than the limit of %s (set a larger maximum file size if this is intended)", byteSize(info.Size()), byteSize(r.opts.MaxFileSize)))
	}
	f, err := r.fsys.Open(name)
	if err != nil {
		return fail(fmt.Sprintf("cannot read the file: %v", unwrapPath(err)))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, r.opts.MaxFileSize+1))
	if err != nil {
		return fail(fmt.Sprintf("cannot read the file: %v", err))
	}
	if int64(len(data)) > r.opts.MaxFileSize { // grew after Stat
		return fail(fmt.Sprintf("the file is larger than the limit of %s", byteSize(r.opts.MaxFileSize)))
	}
	h := sha256.Sum256(data)
	sum.SHA256, sum.Bytes = hex.EncodeToString(h[:]), int64(len(data))
	r.batch.Source.Files = append(r.batch.Source.Files, atlas.SourceFile{Name: name, SHA256: sum.SHA256, Bytes: sum.Bytes})
	return data, sum, true
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// readFeatureFile reads a GeoJSON or GeoPackage file and settles its
// coordinate system.
func (r *run) readFeatureFile(name, kind, gpkgLayer, manifestCRS string) (*featureResult, FileSummary, bool) {
	data, sum, ok := r.readFile(name, kind)
	if !ok {
		return nil, sum, false
	}
	var ff *featureFile
	var err error
	switch ext := strings.ToLower(path.Ext(name)); ext {
	case ".geojson", ".json":
		if gpkgLayer != "" {
			r.problem(name, "", "gpkg_layer", "gpkg_layer is for GeoPackage files")
			return nil, sum, false
		}
		ff, err = readGeoJSON(data)
	case ".gpkg":
		ff, err = r.readGeoPackage(data, gpkgLayer)
	default:
		err = fmt.Errorf("unknown file type %q: want .geojson, .json or .gpkg", ext)
	}
	if err != nil {
		r.problem(name, "", "", err.Error())
		return nil, sum, false
	}
	c, err := chooseCRS(ff.crsName, manifestCRS)
	if err == nil {
		err = checkPlausible(ff, c, ff.crsName != "" || manifestCRS != "")
	}
	if err != nil {
		r.problem(name, "", "crs", err.Error())
		return nil, sum, false
	}
	sum.CRS = c.String()
	return &featureResult{file: ff, crs: c}, sum, true
}

// readGeoPackage reads a layer of a GeoPackage. SQLite needs a real file, so
// the bytes (already size-checked) go to a temporary one.
func (r *run) readGeoPackage(data []byte, layer string) (*featureFile, error) {
	tmp, err := os.CreateTemp("", "sozialatlas-import-*.gpkg")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	l, feats, err := gpkg.Read(r.ctx, tmp.Name(), layer)
	if err != nil {
		return nil, errors.New(strings.ReplaceAll(err.Error(), tmp.Name(), "the GeoPackage"))
	}
	ff := &featureFile{}
	switch {
	case strings.EqualFold(l.Organization, "EPSG"):
		ff.crsName = fmt.Sprintf("EPSG:%d", l.OrgCoordsysID)
	case l.SRSID == 4326:
		ff.crsName = "EPSG:4326"
	}
	for i, f := range feats {
		ff.features = append(ff.features, feature{index: i + 1, props: f.Properties, geom: f.Geometry})
		if f.Geometry == nil {
			ff.features[i].err = errors.New("geometry: missing")
		}
	}
	return ff, nil
}
