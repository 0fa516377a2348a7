// Package auth holds who may see and do what: the roles, the one
// visibility rule every output uses, API tokens and OIDC tokens.
package auth

import (
	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// Role is what a caller may do. The zero Role is an anonymous caller.
type Role string

// Roles, each allowed what the ones before it are.
const (
	Anonymous Role = ""
	Viewer    Role = "viewer"  // reads what the public reads (a named account)
	Analyst   Role = "analyst" // also reads internal indicators
	Editor    Role = "editor"  // also imports data and runs computations
	Admin     Role = "admin"   // also manages tokens
)

// Roles lists the named roles, least allowed first.
func Roles() []Role { return []Role{Viewer, Analyst, Editor, Admin} }

func (r Role) rank() int {
	switch r {
	case Viewer:
		return 1
	case Analyst:
		return 2
	case Editor:
		return 3
	case Admin:
		return 4
	}
	return 0
}

// Valid says whether r is a named role.
func (r Role) Valid() bool { return r.rank() > 0 }

// AtLeast says whether r is allowed what o is.
func (r Role) AtLeast(o Role) bool { return r.rank() >= o.rank() }

// Sees is the one visibility rule, used by every output (listings, values,
// statistics, OGC collections, tiles, maps, exports): public indicators
// are seen by everybody, internal ones by analysts and above, confidential
// ones (raw counts only the engine reads) by nobody. What a caller does
// not see answers 404, never 403, so its existence does not leak.
func (r Role) Sees(v atlas.Visibility) bool {
	switch v {
	case atlas.Public:
		return true
	case atlas.Internal:
		return r.AtLeast(Analyst)
	}
	return false
}

// Principal is the caller of a request.
type Principal struct {
	Name string // token name or OIDC subject; empty for anonymous
	Role Role
}
