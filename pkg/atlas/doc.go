// Package atlas holds sozialatlas's domain: spatial levels and their units,
// offer layers and offers, indicators and their values, the store interface
// and the error kinds. It imports no infrastructure: stores, importers and
// the HTTP layer depend on it, never the other way round.
//
// Geometries are orb types in WGS84 (EPSG:4326, longitude first), whatever
// the coordinate system of the file they came from.
package atlas
