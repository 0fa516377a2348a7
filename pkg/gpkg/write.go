package gpkg

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Writer writes a new GeoPackage 1.3 file. Everything goes into one SQLite
// transaction that Close commits: that is fast, and until then the file is
// an empty SQLite database that no GeoPackage reader takes for a finished
// export. A Writer is not safe for concurrent use.
//
// Each layer gets a geometry column "geom", a feature id column "fid" and
// an R-tree spatial index (spec Annex F.3), which QGIS and GDAL use for
// spatial filters.
type Writer struct {
	path   string
	db     *sql.DB
	tx     *sql.Tx
	srs    map[int]bool
	layers map[string]*writeLayer // by lower-case name
	order  []*writeLayer
	closed bool
}

type writeLayer struct {
	name     string
	geomType string
	srsID    int
	fields   []Field
	kinds    []fieldKind
	index    map[string]int // field name to position
	insert   *sql.Stmt
	rtree    *sql.Stmt
	bound    orb.Bound
	hasBound bool
	writes   int
}

// SRS is a row of gpkg_spatial_ref_sys (spec clause 1.1.2). Definition is
// the WKT of the CRS (OGC 01-009 "WKT1" is what GDAL and QGIS expect).
type SRS struct {
	ID            int
	Name          string
	Organization  string
	OrgCoordsysID int
	Definition    string
	Description   string
}

// requiredSRS are the rows every GeoPackage has (spec clause 1.1.2.1.2,
// Requirement 11): WGS 84 and the two undefined systems.
var requiredSRS = []SRS{
	{ID: 4326, Name: "WGS 84 geodetic", Organization: "EPSG", OrgCoordsysID: 4326,
		Definition: `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,` +
			`AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,` +
			`AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],` +
			`AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]`,
		Description: "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"},
	{ID: -1, Name: "Undefined cartesian SRS", Organization: "NONE", OrgCoordsysID: -1,
		Definition: "undefined", Description: "undefined cartesian coordinate reference system"},
	{ID: 0, Name: "Undefined geographic SRS", Organization: "NONE", OrgCoordsysID: 0,
		Definition: "undefined", Description: "undefined geographic coordinate reference system"},
}

// The core tables, as defined in spec clauses 1.1.2.1.1
// (gpkg_spatial_ref_sys), 1.1.3.1.1 (gpkg_contents), 2.1.5.1.1
// (gpkg_geometry_columns) and 2.3.2.1.1 (gpkg_extensions).
const coreSchema = `
CREATE TABLE gpkg_spatial_ref_sys (
	srs_name TEXT NOT NULL,
	srs_id INTEGER NOT NULL PRIMARY KEY,
	organization TEXT NOT NULL,
	organization_coordsys_id INTEGER NOT NULL,
	definition TEXT NOT NULL,
	description TEXT
);
CREATE TABLE gpkg_contents (
	table_name TEXT NOT NULL PRIMARY KEY,
	data_type TEXT NOT NULL,
	identifier TEXT UNIQUE,
	description TEXT DEFAULT '',
	last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
	min_x DOUBLE,
	min_y DOUBLE,
	max_x DOUBLE,
	max_y DOUBLE,
	srs_id INTEGER,
	CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);
CREATE TABLE gpkg_geometry_columns (
	table_name TEXT NOT NULL,
	column_name TEXT NOT NULL,
	geometry_type_name TEXT NOT NULL,
	srs_id INTEGER NOT NULL,
	z TINYINT NOT NULL,
	m TINYINT NOT NULL,
	CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
	CONSTRAINT uk_gc_table_name UNIQUE (table_name),
	CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
	CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);
CREATE TABLE gpkg_extensions (
	table_name TEXT,
	column_name TEXT,
	extension_name TEXT NOT NULL,
	definition TEXT NOT NULL,
	scope TEXT NOT NULL,
	CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name)
);`

// user_version 10300 says GeoPackage 1.3.0 (spec clause 1.1.1.1.1).
const userVersion = 10300

const geomColumn = "geom"

// Create starts a new GeoPackage at path. It fails if path exists, so that
// an export never overwrites a file by accident.
func Create(path string) (*Writer, error) {
	// O_EXCL claims the name atomically; SQLite takes the empty file for
	// a new database.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	f.Close()
	w, err := start(path)
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return w, nil
}

func start(path string) (*Writer, error) {
	dsn, err := fileURI(path, "mode=rw")
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	tx, err := db.Begin()
	if err != nil {
		db.Close()
		return nil, err
	}
	w := &Writer{path: path, db: db, tx: tx, srs: map[int]bool{}, layers: map[string]*writeLayer{}}
	if err := w.init(); err != nil {
		tx.Rollback()
		db.Close()
		return nil, err
	}
	return w, nil
}

func (w *Writer) init() error {
	// The two header fields that mark the file as a GeoPackage (clause
	// 1.1.1.1.1), then the core tables and their required rows.
	_, err := w.tx.Exec(fmt.Sprintf("PRAGMA application_id = %d; PRAGMA user_version = %d; %s",
		appIDGPKG, userVersion, coreSchema))
	if err != nil {
		return err
	}
	for _, s := range requiredSRS {
		if err := w.AddSRS(s); err != nil {
			return err
		}
	}
	return nil
}

// AddSRS adds a spatial reference system, which AddLayer can then use by
// its ID. WGS 84 (4326) and the undefined systems -1 and 0 are always
// there. For EPSG codes, use the EPSG code as ID, as GDAL does.
func (w *Writer) AddSRS(s SRS) error {
	if w.closed {
		return errClosed
	}
	if s.Name == "" || s.Organization == "" || s.Definition == "" {
		return fmt.Errorf("srs %d: name, organization and definition are required", s.ID)
	}
	if w.srs[s.ID] {
		return fmt.Errorf("srs %d is already defined", s.ID)
	}
	_, err := w.tx.Exec(`INSERT INTO gpkg_spatial_ref_sys
		(srs_name, srs_id, organization, organization_coordsys_id, definition, description)
		VALUES (?, ?, ?, ?, ?, ?)`,
		s.Name, s.ID, s.Organization, s.OrgCoordsysID, s.Definition, s.Description)
	if err != nil {
		return fmt.Errorf("srs %d: %w", s.ID, err)
	}
	w.srs[s.ID] = true
	return nil
}

var errClosed = errors.New("gpkg: writer is closed")

// geometryTypes are the geometry_type_name values for the types orb can
// hold (spec clause 2.1.4 and Annex G), with a check for each.
var geometryTypes = map[string]func(orb.Geometry) bool{
	"GEOMETRY":        func(orb.Geometry) bool { return true },
	"POINT":           is[orb.Point],
	"LINESTRING":      is[orb.LineString],
	"POLYGON":         is[orb.Polygon],
	"MULTIPOINT":      is[orb.MultiPoint],
	"MULTILINESTRING": is[orb.MultiLineString],
	"MULTIPOLYGON":    is[orb.MultiPolygon],
	// Multi geometries are geometry collections in the type hierarchy.
	"GEOMETRYCOLLECTION": func(g orb.Geometry) bool {
		switch g.(type) {
		case orb.Collection, orb.MultiPoint, orb.MultiLineString, orb.MultiPolygon:
			return true
		}
		return false
	},
}

func is[T orb.Geometry](g orb.Geometry) bool {
	_, ok := g.(T)
	return ok
}

// fieldKind groups the column types of spec clause 1.1.1.1.3 by the Go
// values they take.
type fieldKind int

const (
	kindInteger fieldKind = iota
	kindReal
	kindText
	kindBlob
	kindDate
	kindDateTime
)

var fieldKinds = map[string]fieldKind{
	"BOOLEAN": kindInteger, "TINYINT": kindInteger, "SMALLINT": kindInteger,
	"MEDIUMINT": kindInteger, "INT": kindInteger, "INTEGER": kindInteger,
	"FLOAT": kindReal, "DOUBLE": kindReal, "REAL": kindReal,
	"TEXT": kindText, "BLOB": kindBlob, "DATE": kindDate, "DATETIME": kindDateTime,
}

// sizedType matches TEXT(n) and BLOB(n), which give a maximum length.
var sizedType = regexp.MustCompile(`^(TEXT|BLOB)\([1-9][0-9]*\)$`)

func parseFieldType(t string) (string, fieldKind, error) {
	t = strings.ToUpper(strings.TrimSpace(t))
	if k, ok := fieldKinds[t]; ok {
		return t, k, nil
	}
	if m := sizedType.FindStringSubmatch(t); m != nil {
		return t, fieldKinds[m[1]], nil
	}
	return "", 0, fmt.Errorf("type %q is not a GeoPackage column type", t)
}

// AddLayer adds a feature table. geomType is a geometry_type_name such as
// "POINT", "MULTIPOLYGON" or "GEOMETRY" (any type); the geometries written
// must be of that type. srsID must be 4326, -1, 0 or added with AddSRS.
// Field types are those of spec clause 1.1.1.1.3: BOOLEAN, TINYINT,
// SMALLINT, MEDIUMINT, INT, INTEGER, FLOAT, DOUBLE, REAL, TEXT, TEXT(n),
// BLOB, BLOB(n), DATE and DATETIME.
func (w *Writer) AddLayer(name string, geomType string, srsID int, fields []Field) error {
	if w.closed {
		return errClosed
	}
	err := w.addLayer(name, geomType, srsID, fields)
	if err != nil {
		return fmt.Errorf("layer %q: %w", name, err)
	}
	return nil
}

func (w *Writer) addLayer(name string, geomType string, srsID int, fields []Field) error {
	lower := strings.ToLower(name)
	switch {
	case name == "":
		return errors.New("name is empty")
	case strings.HasPrefix(lower, "gpkg_") || strings.HasPrefix(lower, "rtree_") || strings.HasPrefix(lower, "sqlite_"):
		return errors.New("names starting with gpkg_, rtree_ or sqlite_ are reserved")
	case w.layers[lower] != nil:
		return errors.New("layer exists")
	}
	geomType = strings.ToUpper(geomType)
	if geometryTypes[geomType] == nil {
		return fmt.Errorf("geometry type %q is not one of POINT, LINESTRING, POLYGON, MULTIPOINT, MULTILINESTRING, MULTIPOLYGON, GEOMETRYCOLLECTION, GEOMETRY", geomType)
	}
	if !w.srs[srsID] {
		return fmt.Errorf("srs %d is not defined: add it with AddSRS", srsID)
	}

	l := &writeLayer{name: name, geomType: geomType, srsID: srsID, index: map[string]int{}}
	cols := []string{`"fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL`, quote(geomColumn) + " " + geomType}
	seen := map[string]bool{"fid": true, geomColumn: true}
	for _, f := range fields {
		typ, kind, err := parseFieldType(f.Type)
		if err != nil {
			return fmt.Errorf("field %q: %w", f.Name, err)
		}
		key := strings.ToLower(f.Name)
		if f.Name == "" || seen[key] {
			return fmt.Errorf("field %q: empty, duplicate or reserved name", f.Name)
		}
		seen[key] = true
		l.index[f.Name] = len(l.fields)
		l.fields = append(l.fields, Field{Name: f.Name, Type: typ})
		l.kinds = append(l.kinds, kind)
		cols = append(cols, quote(f.Name)+" "+typ)
	}

	rtree := rtreeName(name)
	stmts := []struct {
		sql  string
		args []any
	}{
		{"CREATE TABLE " + quote(name) + " (" + strings.Join(cols, ", ") + ")", nil},
		{"INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES (?, 'features', ?, ?)",
			[]any{name, name, srsID}},
		{"INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)", []any{name, geomColumn, geomType, srsID}},
		// Spec Annex F.3: the R-tree extension, its virtual table and the
		// registration; the triggers that keep it current follow at Close.
		{"CREATE VIRTUAL TABLE " + quote(rtree) + " USING rtree(id, minx, maxx, miny, maxy)", nil},
		{"INSERT INTO gpkg_extensions VALUES (?, ?, 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
			[]any{name, geomColumn}},
	}
	for _, s := range stmts {
		if _, err := w.tx.Exec(s.sql, s.args...); err != nil {
			return err
		}
	}

	marks := strings.Repeat(", ?", len(l.fields))
	names := []string{`"fid"`, quote(geomColumn)}
	for _, f := range l.fields {
		names = append(names, quote(f.Name))
	}
	var err error
	l.insert, err = w.tx.Prepare("INSERT INTO " + quote(name) + " (" + strings.Join(names, ", ") + ") VALUES (?, ?" + marks + ")")
	if err != nil {
		return err
	}
	l.rtree, err = w.tx.Prepare("INSERT INTO " + quote(rtree) + " VALUES (?, ?, ?, ?, ?)")
	if err != nil {
		return err
	}
	w.layers[lower] = l
	w.order = append(w.order, l)
	return nil
}

func rtreeName(table string) string { return "rtree_" + table + "_" + geomColumn }

// Write adds a feature to a layer. Properties not named are NULL; a
// property that is not a field is an error. Values: nil, bool, Go integer
// and float types, string, []byte and time.Time (stored as ISO 8601 text in
// UTC for DATE and DATETIME fields), each for a field of a fitting type.
// A FID of 0 lets the file choose the next id.
func (w *Writer) Write(layer string, f Feature) error {
	if w.closed {
		return errClosed
	}
	l := w.layers[strings.ToLower(layer)]
	if l == nil {
		return fmt.Errorf("layer %q: no such layer", layer)
	}
	l.writes++
	if err := w.write(l, f); err != nil {
		if f.FID != 0 {
			return fmt.Errorf("layer %q, feature %d: %w", l.name, f.FID, err)
		}
		return fmt.Errorf("layer %q, new feature %d: %w", l.name, l.writes, err)
	}
	return nil
}

func (w *Writer) write(l *writeLayer, f Feature) error {
	if f.Geometry != nil && !geometryTypes[l.geomType](f.Geometry) {
		return fmt.Errorf("geometry: a %s in a %s layer", f.Geometry.GeoJSONType(), l.geomType)
	}
	var bound orb.Bound
	if !isEmpty(f.Geometry) {
		// Checked before the insert, as the R-tree would refuse NaN after it.
		bound = f.Geometry.Bound()
		for _, v := range []float64{bound.Min[0], bound.Min[1], bound.Max[0], bound.Max[1]} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return errors.New("geometry: coordinates must be finite numbers")
			}
		}
	}
	blob, err := encodeGeometry(f.Geometry, l.srsID)
	if err != nil {
		return fmt.Errorf("geometry: %w", err)
	}
	args := make([]any, 2+len(l.fields))
	if f.FID != 0 {
		args[0] = f.FID
	}
	args[1] = blob
	for name := range f.Properties {
		if _, ok := l.index[name]; !ok {
			return fmt.Errorf("property %q is not a field of the layer", name)
		}
	}
	for i, fl := range l.fields {
		args[2+i], err = sqlValue(f.Properties[fl.Name], l.kinds[i])
		if err != nil {
			return fmt.Errorf("field %q (%s): %w", fl.Name, fl.Type, err)
		}
	}
	res, err := l.insert.Exec(args...)
	if err != nil {
		return err
	}
	if isEmpty(f.Geometry) {
		return nil
	}
	fid, err := res.LastInsertId()
	if err != nil {
		return err
	}
	if _, err := l.rtree.Exec(fid, bound.Min[0], bound.Max[0], bound.Min[1], bound.Max[1]); err != nil {
		return err
	}
	if l.hasBound {
		l.bound = l.bound.Union(bound)
	} else {
		l.bound, l.hasBound = bound, true
	}
	return nil
}

// sqlValue converts a property value to what the column stores.
func sqlValue(v any, k fieldKind) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch k {
	case kindInteger:
		switch v := v.(type) {
		case bool:
			if v {
				return int64(1), nil
			}
			return int64(0), nil
		case int:
			return int64(v), nil
		case int8:
			return int64(v), nil
		case int16:
			return int64(v), nil
		case int32:
			return int64(v), nil
		case int64:
			return v, nil
		case uint:
			return uintValue(uint64(v))
		case uint8:
			return int64(v), nil
		case uint16:
			return int64(v), nil
		case uint32:
			return int64(v), nil
		case uint64:
			return uintValue(v)
		}
	case kindReal:
		switch v := v.(type) {
		case float64:
			return v, nil
		case float32:
			return float64(v), nil
		case int:
			return float64(v), nil
		case int64:
			return float64(v), nil
		case int32:
			return float64(v), nil
		}
	case kindText:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case kindBlob:
		if b, ok := v.([]byte); ok {
			return b, nil
		}
	case kindDate, kindDateTime:
		switch v := v.(type) {
		case string:
			return v, nil
		case time.Time:
			// The formats of spec clause 1.1.1.1.3.
			if k == kindDate {
				return v.Format(time.DateOnly), nil
			}
			return v.UTC().Format("2006-01-02T15:04:05.000Z"), nil
		}
	}
	return nil, fmt.Errorf("cannot store a %T", v)
}

func uintValue(v uint64) (any, error) {
	if v > math.MaxInt64 {
		return nil, fmt.Errorf("%d does not fit in a 64-bit signed integer", v)
	}
	return int64(v), nil
}

// Close finishes the file: it writes each layer's extent into
// gpkg_contents, adds the triggers that keep the R-tree indexes current
// when other programs edit the file, and commits. If that fails, the file
// is removed, so no half-written export is left behind. Calling Close
// again does nothing.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.finish()
	if err != nil {
		w.tx.Rollback()
	}
	if cerr := w.db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(w.path)
		return fmt.Errorf("close %s: %w", w.path, err)
	}
	return nil
}

func (w *Writer) finish() error {
	for _, l := range w.order {
		l.insert.Close()
		l.rtree.Close()
		var ext [4]any // NULL for a layer without geometries
		if l.hasBound {
			ext = [4]any{l.bound.Min[0], l.bound.Min[1], l.bound.Max[0], l.bound.Max[1]}
		}
		_, err := w.tx.Exec(`UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?,
			last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name = ?`,
			ext[0], ext[1], ext[2], ext[3], l.name)
		if err != nil {
			return err
		}
		if _, err := w.tx.Exec(rtreeTriggers(l.name)); err != nil {
			return fmt.Errorf("layer %q: R-tree triggers: %w", l.name, err)
		}
	}
	return w.tx.Commit()
}

// rtreeTriggers returns the six triggers of spec Annex F.3 (GeoPackage
// 1.3.0) for a layer. They call ST_IsEmpty, ST_MinX and so on, which GDAL
// and QGIS define; this package fills the index itself and creates the
// triggers last, so they never run here.
func rtreeTriggers(table string) string {
	t, r := quote(table), quote(rtreeName(table))
	name := func(suffix string) string { return quote(rtreeName(table) + "_" + suffix) }
	const (
		g       = `"` + geomColumn + `"`
		hasGeom = `NEW.` + g + ` NOT NULL AND NOT ST_IsEmpty(NEW.` + g + `)`
		noGeom  = `NEW.` + g + ` IS NULL OR ST_IsEmpty(NEW.` + g + `)`
	)
	upsert := `INSERT OR REPLACE INTO ` + r + ` VALUES (NEW."fid", ST_MinX(NEW.` + g + `), ST_MaxX(NEW.` + g +
		`), ST_MinY(NEW.` + g + `), ST_MaxY(NEW.` + g + `));`
	return strings.Join([]string{
		// A new feature with a geometry gets an index entry.
		`CREATE TRIGGER ` + name("insert") + ` AFTER INSERT ON ` + t +
			` WHEN (` + hasGeom + `) BEGIN ` + upsert + ` END`,
		// A changed geometry, same id: replace the entry, or drop it
		// when the geometry became NULL or empty.
		`CREATE TRIGGER ` + name("update1") + ` AFTER UPDATE OF ` + g + ` ON ` + t +
			` WHEN OLD."fid" = NEW."fid" AND (` + hasGeom + `) BEGIN ` + upsert + ` END`,
		`CREATE TRIGGER ` + name("update2") + ` AFTER UPDATE OF ` + g + ` ON ` + t +
			` WHEN OLD."fid" = NEW."fid" AND (` + noGeom + `) BEGIN DELETE FROM ` + r + ` WHERE id = OLD."fid"; END`,
		// A changed id: move the entry, or drop both.
		`CREATE TRIGGER ` + name("update3") + ` AFTER UPDATE ON ` + t +
			` WHEN OLD."fid" != NEW."fid" AND (` + hasGeom + `) BEGIN DELETE FROM ` + r + ` WHERE id = OLD."fid"; ` + upsert + ` END`,
		`CREATE TRIGGER ` + name("update4") + ` AFTER UPDATE ON ` + t +
			` WHEN OLD."fid" != NEW."fid" AND (` + noGeom + `) BEGIN DELETE FROM ` + r + ` WHERE id IN (OLD."fid", NEW."fid"); END`,
		// A deleted feature loses its entry.
		`CREATE TRIGGER ` + name("delete") + ` AFTER DELETE ON ` + t +
			` WHEN OLD.` + g + ` NOT NULL BEGIN DELETE FROM ` + r + ` WHERE id = OLD."fid"; END`,
	}, ";\n") + ";"
}
