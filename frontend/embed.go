// Package frontend holds the web app served at /. Until the map is built it
// is a plain page that lists the levels.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed index.html
var files embed.FS

// Files returns the web app's files.
func Files() fs.FS { return files }
