// Package gpkg reads and writes the feature tables of OGC GeoPackage files
// (OGC GeoPackage Encoding Standard 1.2 and 1.3, OGC 12-128) in pure Go.
//
// The importer uses [Layers] and [Read] for the area and offer files that
// city offices send; exports use [Writer] to hand results to QGIS and GDAL.
// Only what those need is here: vector feature tables (spec clause 2.1) with
// the linear geometry types. Tiles, attribute-only tables and the
// non-linear geometry extension (curves) are not supported.
//
// # Geometries
//
// Geometry blobs are GeoPackage binary (clause 2.1.3): a small header, then
// ISO WKB. They are decoded into orb geometries. orb is two-dimensional, so
// Z and M ordinates are read and dropped: a POLYGON Z comes back as an
// orb.Polygon of its X and Y, and the layer's GeometryType still says
// POLYGON. Callers that need heights must not use this package. NULL and
// empty geometries come back as a nil Geometry.
//
// # Property values
//
// Values come back as SQLite stores them: int64, float64, string, []byte or
// nil. DATE and DATETIME columns hold ISO 8601 text (clause 1.1.1.1.3) and
// are returned as that text, unparsed, so nothing is lost to time zones.
// BOOLEAN columns hold 0 or 1 and come back as int64.
//
// # Errors
//
// Errors about the file name it ("x.gpkg is not a GeoPackage: table
// gpkg_contents is missing"; errors.Is(err, ErrNotGeoPackage) holds).
// Errors about one feature name the layer and the feature id
// (`layer "units", feature 12: geometry: bad GeoPackage header magic`);
// the caller adds the file name.
package gpkg
