// Package indicators holds the shipped indicator catalogs as data: one
// directory per data set (berlin for the demo, synth for the synthetic
// city), loaded and checked by pkg/indicator.
package indicators

import (
	"embed"
	"io/fs"
)

//go:embed berlin synth
var files embed.FS

// FS returns the shipped catalogs; Load(FS(), "berlin") reads one.
func FS() fs.FS { return files }
