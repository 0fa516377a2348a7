// Package geodata holds the demo data shipped in the binary: the real
// Berlin data set (geodata/berlin), imported on the first start through
// the same importer as any city's data.
package geodata

import (
	"embed"
	"io/fs"
)

//go:embed berlin
var files embed.FS

// BerlinManifest is the name of the Berlin manifest within Berlin().
const BerlinManifest = "sozialatlas.yaml"

// Berlin returns the Berlin data set: the manifest and its files.
func Berlin() fs.FS {
	sub, err := fs.Sub(files, "berlin")
	if err != nil {
		panic(err) // embedded at build time; cannot fail at run time
	}
	return sub
}
