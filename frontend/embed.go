// Package frontend holds the web map served at /: a Vite build of the
// TypeScript app in src/, written to dist/ by `make frontend` (scripts/frontend)
// and embedded here. A clone where the app was never built still compiles:
// dist/ then holds only .keep, and the server answers / with a page that
// says how to build it (api/app.go).
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var files embed.FS

// Files returns the built app: index.html at the top, hashed assets under
// assets/.
func Files() fs.FS {
	sub, err := fs.Sub(files, "dist")
	if err != nil {
		panic(err) // "dist" is a valid path: fs.Sub fails only on invalid ones
	}
	return sub
}
