// Package sozialatlas embeds the API contract, openapi.yaml, so that the
// binary serves the same file the repository documents.
package sozialatlas

import _ "embed"

// OpenAPI is the contents of openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte
