package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// tokenPrefix marks sozialatlas API tokens, so that a leaked one is
// recognisable (secret scanners) and never confused with a JWT.
const tokenPrefix = "sat_"

// NewToken returns a new random API token and its hash. The token is shown
// once to whoever creates it; only the hash is stored.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	token = tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the stored form of a token: hex SHA-256. A fast hash is
// right here: the token is 256 random bits, not a password to guess.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// IsAPIToken says whether a bearer credential is a sozialatlas token (and
// not a JWT from an OIDC provider).
func IsAPIToken(s string) bool { return strings.HasPrefix(s, tokenPrefix) }
