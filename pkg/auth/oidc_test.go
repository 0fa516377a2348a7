package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// provider is a minimal OIDC provider: a key pair, its JWKS endpoint and a
// signer, as Keycloak would serve and sign.
type provider struct {
	url    string
	signer jose.Signer
}

func newProvider(t *testing.T) *provider {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwks := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(jwks)
	}))
	t.Cleanup(srv.Close)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &provider{url: srv.URL, signer: signer}
}

func (p *provider) sign(t *testing.T, claims map[string]any) string {
	b, _ := json.Marshal(claims)
	sig, err := p.signer.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sig.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOIDC(t *testing.T) {
	p := newProvider(t)
	roles, err := ParseRoleMap("sozialplanung=analyst, it-admins=admin,leser=viewer")
	if err != nil {
		t.Fatal(err)
	}
	o := &OIDC{Issuer: "https://sso.example.de/realms/stadt", Audience: "sozialatlas", JWKSURL: p.url + "/certs",
		RoleClaim: "realm_access.roles", Roles: roles}
	now := time.Now().Unix()
	claims := func(aud string, exp int64, groups ...string) map[string]any {
		return map[string]any{"iss": o.Issuer, "aud": aud, "sub": "u-1", "preferred_username": "m.muster",
			"iat": now, "exp": exp, "realm_access": map[string]any{"roles": groups}}
	}
	ctx := context.Background()

	got, err := o.Verify(ctx, p.sign(t, claims("sozialatlas", now+300, "leser", "sozialplanung", "offline_access")))
	if err != nil || got != (Principal{Name: "m.muster", Role: Analyst}) {
		t.Errorf("valid token: %+v %v, want m.muster as analyst (the highest mapped role)", got, err)
	}
	for name, tc := range map[string]struct {
		token string
		want  string
	}{
		"expired":        {p.sign(t, claims("sozialatlas", now-60, "it-admins")), "expired"},
		"other audience": {p.sign(t, claims("other-app", now+300, "it-admins")), "audience"},
		"no role":        {p.sign(t, claims("sozialatlas", now+300, "offline_access")), "no sozialatlas role"},
		"forged":         {p.sign(t, claims("sozialatlas", now+300, "it-admins"))[:40] + "x.y.z", "malformed"},
	} {
		if _, err := o.Verify(ctx, tc.token); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error about %q", name, err, tc.want)
		}
	}
	if _, err := ParseRoleMap("a=root"); err == nil {
		t.Error("a mapping to an unknown role was accepted")
	}
}

func TestNewToken(t *testing.T) {
	a, ha := NewToken()
	b, hb := NewToken()
	if a == b || ha == hb || !IsAPIToken(a) || len(ha) != 64 || HashToken(a) != ha || strings.Contains(ha, a) {
		t.Errorf("tokens %q %q hashes %q %q", a, b, ha, hb)
	}
}
