// Package strictyaml decodes the YAML files users write (import manifests,
// the indicator catalog) strictly: an unknown key is an error, so that a
// typo does not silently drop a setting, and each of yaml's messages is
// reported once, with its line.
package strictyaml

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// Decode decodes b into v. An empty document is no error. The error's text
// is yaml's messages, each once (an alias used ten times would repeat its
// error ten times), without the "yaml: " prefix.
func Decode(b []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	err := dec.Decode(v)
	if err == nil || err == io.EOF {
		return nil
	}
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var msgs []string
	seen := map[string]bool{}
	for _, e := range te.Errors {
		if !seen[e] {
			seen[e] = true
			msgs = append(msgs, e)
		}
	}
	return errors.New(strings.Join(msgs, "; "))
}
