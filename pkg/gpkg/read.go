package gpkg

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/paulmach/orb"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Layer describes a feature table: a row of gpkg_contents with data_type
// "features" (spec clause 1.1.3), its gpkg_geometry_columns row (2.1.5)
// and the table's other columns.
type Layer struct {
	Name           string
	GeometryColumn string
	// GeometryType is the geometry_type_name, e.g. "MULTIPOLYGON".
	GeometryType string
	// SRSID is the file's own srs_id. It is a key into this file only;
	// Organization and OrgCoordsysID say what it means, e.g. "EPSG" 25833.
	SRSID         int
	Organization  string
	OrgCoordsysID int
	// Fields are the attribute columns in table order, without the
	// feature id and the geometry column.
	Fields []Field
	Count  int
}

// Field is an attribute column: its name and declared SQL type as written
// in the table (spec clause 1.1.1.1.3, e.g. "TEXT", "INTEGER", "DATE").
type Field struct {
	Name, Type string
}

// Feature is one row of a feature table.
type Feature struct {
	// FID is the integer primary key. When writing, 0 lets the file
	// choose the next id.
	FID        int64
	Properties map[string]any
	// Geometry is nil for NULL and empty geometries.
	Geometry orb.Geometry
}

// ErrNotGeoPackage is matched by errors.Is for files that are not
// GeoPackages at all (as opposed to damaged GeoPackages).
var ErrNotGeoPackage = errors.New("not a GeoPackage")

type notGeoPackageError struct{ path, reason string }

func (e *notGeoPackageError) Error() string {
	return e.path + " is not a GeoPackage: " + e.reason
}

func (e *notGeoPackageError) Is(target error) bool { return target == ErrNotGeoPackage }

// application_id values (spec clause 1.1.1.1.1, Requirement 2): "GPKG"
// since 1.2, "GP10" and "GP11" in 1.0 and 1.1.
const (
	appIDGPKG = 0x47504B47
	appIDGP10 = 0x47503130
	appIDGP11 = 0x47503131
)

// Layers lists the feature tables of the GeoPackage at path, sorted by
// name (read-only; the file is never modified). A GeoPackage that holds
// only tiles has no feature tables and gives an empty list.
func Layers(ctx context.Context, path string) ([]Layer, error) {
	db, err := openGeoPackage(ctx, path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return layers(ctx, db, path)
}

// Read reads all features of a layer, ordered by feature id, read-only
// like Layers. With layer "" the file must have exactly one feature layer;
// if it has several, the error lists them, so that the importer never
// guesses. Layer names match case-insensitively, as SQLite table names do.
func Read(ctx context.Context, path, layer string) (Layer, []Feature, error) {
	db, err := openGeoPackage(ctx, path)
	if err != nil {
		return Layer{}, nil, err
	}
	defer db.Close()
	ls, err := layers(ctx, db, path)
	if err != nil {
		return Layer{}, nil, err
	}
	l, err := pickLayer(ls, path, layer)
	if err != nil {
		return Layer{}, nil, err
	}
	fs, err := readFeatures(ctx, db, l)
	if err != nil {
		return Layer{}, nil, err
	}
	l.Count = len(fs)
	return l, fs, nil
}

func pickLayer(ls []Layer, path, name string) (Layer, error) {
	names := make([]string, len(ls))
	for i, l := range ls {
		names[i] = l.Name
		if name != "" && strings.EqualFold(l.Name, name) {
			return l, nil
		}
	}
	switch {
	case len(ls) == 0:
		return Layer{}, fmt.Errorf("%s has no feature layers", path)
	case name != "":
		return Layer{}, fmt.Errorf("%s has no feature layer %q (it has: %s)", path, name, strings.Join(names, ", "))
	case len(ls) > 1:
		return Layer{}, fmt.Errorf("%s has %d feature layers, name one of: %s", path, len(ls), strings.Join(names, ", "))
	}
	return ls[0], nil
}

// sqliteMagic starts every SQLite 3 database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// openGeoPackage opens path read-only and checks that it is a GeoPackage.
//
// The file is opened with SQLite's mode=ro, so nothing can write to it.
// A file in WAL mode is the exception to "nothing": to read it SQLite
// makes -wal and -shm files beside it, and leaves them behind. When no
// -wal file exists, the database holds everything, and immutable=1 reads
// it without those files. immutable=1 is not used otherwise: it skips
// locking and ignores a -wal file, and the file may be open in QGIS while
// it is imported.
func openGeoPackage(ctx context.Context, path string) (*sql.DB, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	// The database header (https://www.sqlite.org/fileformat.html#the_database_header):
	// the magic string, and at offsets 18 and 19 the write and read
	// versions, which are 2 in WAL mode.
	head := make([]byte, 20)
	n, err := io.ReadFull(f, head)
	f.Close()
	switch {
	case err != nil && err != io.EOF && err != io.ErrUnexpectedEOF:
		return nil, err // a directory, for one
	case n == 0:
		// SQLite would take an empty file for an empty database.
		return nil, &notGeoPackageError{path, "the file is empty"}
	case n < len(head) || !bytes.HasPrefix(head, sqliteMagic):
		return nil, &notGeoPackageError{path, "not an SQLite database file"}
	}
	query := "mode=ro"
	if head[18] == 2 {
		if _, err := os.Stat(path + "-wal"); errors.Is(err, fs.ErrNotExist) {
			query += "&immutable=1"
		}
	}

	dsn, err := fileURI(path, query)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if err := checkGeoPackage(ctx, db, path); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// fileURI makes an SQLite URI (https://www.sqlite.org/uri.html) for path
// with query parameters such as "mode=ro". Only a "file:" name makes
// SQLite honour them, and unlike a plain name it keeps a "?" in the path.
func fileURI(path, query string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") { // Windows: C:/x becomes /C:/x
		p = "/" + p
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: query}
	return u.String(), nil
}

func checkGeoPackage(ctx context.Context, db *sql.DB, path string) error {
	var appID int64
	if err := db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	switch uint32(appID) {
	case appIDGPKG, appIDGP10, appIDGP11:
	case 0:
		// Some writers leave application_id unset. GDAL reads such files
		// with a warning; so do we, if the tables below are there.
	default:
		return &notGeoPackageError{path, fmt.Sprintf("application_id is %#08x, not 'GPKG'", uint32(appID))}
	}
	for _, table := range []string{"gpkg_contents", "gpkg_spatial_ref_sys"} {
		ok, err := hasTable(ctx, db, table)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if !ok {
			return &notGeoPackageError{path, "table " + table + " is missing"}
		}
	}
	return nil
}

func hasTable(ctx context.Context, db *sql.DB, name string) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx,
		"SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?", name).Scan(&n)
	return n > 0, err
}

func layers(ctx context.Context, db *sql.DB, path string) ([]Layer, error) {
	// gpkg_geometry_columns is required only once there are features
	// (spec clause 2.1.5), so a tiles-only GeoPackage may lack it.
	ok, err := hasTable(ctx, db, "gpkg_geometry_columns")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !ok {
		return nil, nil
	}
	rows, err := db.QueryContext(ctx, `
		SELECT c.table_name, g.column_name, upper(g.geometry_type_name), g.srs_id,
		       s.organization, s.organization_coordsys_id
		FROM gpkg_contents c
		JOIN gpkg_geometry_columns g ON g.table_name = c.table_name
		LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id
		WHERE c.data_type = 'features'
		ORDER BY c.table_name`)
	if err != nil {
		return nil, fmt.Errorf("%s: reading gpkg_contents: %w", path, err)
	}
	defer rows.Close()
	var ls []Layer
	for rows.Next() {
		var l Layer
		var org sql.NullString
		var orgID sql.NullInt64
		if err := rows.Scan(&l.Name, &l.GeometryColumn, &l.GeometryType, &l.SRSID, &org, &orgID); err != nil {
			return nil, fmt.Errorf("%s: reading gpkg_contents: %w", path, err)
		}
		if !org.Valid {
			return nil, fmt.Errorf("%s: layer %q: srs_id %d is not in gpkg_spatial_ref_sys", path, l.Name, l.SRSID)
		}
		l.Organization, l.OrgCoordsysID = org.String, int(orgID.Int64)
		ls = append(ls, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: reading gpkg_contents: %w", path, err)
	}
	rows.Close()

	for i := range ls {
		l := &ls[i]
		cols, err := tableColumns(ctx, db, l.Name)
		if err != nil {
			return nil, fmt.Errorf("%s: layer %q: %w", path, l.Name, err)
		}
		l.Fields = cols.fields(l.GeometryColumn)
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+quote(l.Name)).Scan(&l.Count); err != nil {
			return nil, fmt.Errorf("%s: layer %q: %w", path, l.Name, err)
		}
	}
	return ls, nil
}

// columns are a table's columns and its integer primary key.
type columns struct {
	all []Field
	pk  string // "" if the table has no INTEGER PRIMARY KEY
}

func tableColumns(ctx context.Context, db *sql.DB, table string) (columns, error) {
	rows, err := db.QueryContext(ctx, "SELECT name, type, pk FROM pragma_table_info(?)", table)
	if err != nil {
		return columns{}, err
	}
	defer rows.Close()
	var c columns
	npk := 0
	for rows.Next() {
		var f Field
		var pk int
		if err := rows.Scan(&f.Name, &f.Type, &pk); err != nil {
			return columns{}, err
		}
		if pk > 0 {
			npk++
			if strings.EqualFold(f.Type, "INTEGER") {
				c.pk = f.Name
			}
		}
		c.all = append(c.all, f)
	}
	if err := rows.Err(); err != nil {
		return columns{}, err
	}
	if len(c.all) == 0 {
		return columns{}, errors.New("table is missing")
	}
	if npk != 1 {
		c.pk = "" // a composite key is not a feature id
	}
	return c, nil
}

// fields are the attribute columns: all but the feature id and geometry.
func (c columns) fields(geom string) []Field {
	var fs []Field
	for _, f := range c.all {
		if f.Name != c.pk && !strings.EqualFold(f.Name, geom) {
			fs = append(fs, f)
		}
	}
	return fs
}

func readFeatures(ctx context.Context, db *sql.DB, l Layer) ([]Feature, error) {
	cols, err := tableColumns(ctx, db, l.Name)
	if err != nil {
		return nil, fmt.Errorf("layer %q: %w", l.Name, err)
	}
	// Spec clause 2.1.6.1.1 asks for an INTEGER PRIMARY KEY; without one,
	// the rowid is the best feature id there is.
	fid := "rowid"
	if cols.pk != "" {
		fid = quote(cols.pk)
	}
	// The unary + makes each value an expression without a declared type:
	// the driver would otherwise parse DATE and DATETIME text into
	// time.Time. "+x" is a no-op in SQLite for every value type.
	sel := []string{fid, quote(l.GeometryColumn)}
	for _, f := range l.Fields {
		sel = append(sel, "+"+quote(f.Name))
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + quote(l.Name) + " ORDER BY 1"
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("layer %q: %w", l.Name, err)
	}
	defer rows.Close()

	var fs []Feature
	vals := make([]any, len(sel))
	ptrs := make([]any, len(sel))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("layer %q: %w", l.Name, err)
		}
		f := Feature{Properties: make(map[string]any, len(l.Fields))}
		id, ok := vals[0].(int64)
		if !ok {
			return nil, fmt.Errorf("layer %q: feature id %v is not an integer", l.Name, vals[0])
		}
		f.FID = id
		switch g := vals[1].(type) {
		case nil:
		case []byte:
			f.Geometry, err = decodeGeometry(g)
			if err != nil {
				return nil, fmt.Errorf("layer %q, feature %d: geometry: %w", l.Name, id, err)
			}
		default:
			return nil, fmt.Errorf("layer %q, feature %d: geometry: stored as %T, want a BLOB", l.Name, id, g)
		}
		for i, fl := range l.Fields {
			f.Properties[fl.Name] = vals[i+2]
		}
		fs = append(fs, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("layer %q: %w", l.Name, err)
	}
	return fs, nil
}

// quote quotes an SQL identifier.
func quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
