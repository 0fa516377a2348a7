package auth

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/coreos/go-oidc/v3/oidc"
)

// OIDC maps JWTs from an OpenID Connect provider (Keycloak, Entra ID, …)
// to roles. The provider's keys are fetched from JWKSURL when first needed
// and cached; a JWT is accepted when its signature, issuer, audience and
// expiry check out, and it gets the highest role its claims map to.
type OIDC struct {
	Issuer   string // the iss claim, e.g. https://sso.example.de/realms/stadt
	Audience string // the aud claim to expect (the client id)
	JWKSURL  string // the provider's keys, e.g. <issuer>/protocol/openid-connect/certs
	// RoleClaim is the claim holding the user's groups or roles, as a dotted
	// path into the claims (Keycloak: realm_access.roles); a string or a
	// list of strings.
	RoleClaim string
	// Roles maps claim values to sozialatlas roles, e.g. sozialplanung →
	// analyst. Claim values not listed give nothing.
	Roles map[string]Role

	once     sync.Once
	verifier *oidc.IDTokenVerifier
}

// ParseRoleMap reads "group=role,group=role" as the configuration gives it.
func ParseRoleMap(s string) (map[string]Role, error) {
	out := map[string]Role{}
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		claim, role, found := strings.Cut(pair, "=")
		r := Role(strings.TrimSpace(role))
		if !found || strings.TrimSpace(claim) == "" || !r.Valid() {
			return nil, fmt.Errorf("role mapping %q: want claim-value=role with role one of viewer, analyst, editor, admin", pair)
		}
		out[strings.TrimSpace(claim)] = r
	}
	return out, nil
}

// Verify checks a JWT and returns its caller. A valid JWT whose claims map
// to no role is an error: the provider knows the user, sozialatlas does not.
func (o *OIDC) Verify(ctx context.Context, raw string) (Principal, error) {
	o.once.Do(func() {
		o.verifier = oidc.NewVerifier(o.Issuer, oidc.NewRemoteKeySet(context.WithoutCancel(ctx), o.JWKSURL),
			&oidc.Config{ClientID: o.Audience})
	})
	tok, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return Principal{}, err
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return Principal{}, err
	}
	p := Principal{Name: tok.Subject}
	if u, ok := claims["preferred_username"].(string); ok && u != "" {
		p.Name = u
	}
	for _, v := range claimValues(claims, o.RoleClaim) {
		if r := o.Roles[v]; r.AtLeast(p.Role) {
			p.Role = r
		}
	}
	if !p.Role.Valid() {
		return Principal{}, fmt.Errorf("user %s has no sozialatlas role (claim %s)", p.Name, o.RoleClaim)
	}
	return p, nil
}

// claimValues reads the strings at a dotted path in the claims.
func claimValues(claims map[string]any, path string) []string {
	var cur any = claims
	for _, key := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[key]
	}
	switch v := cur.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
