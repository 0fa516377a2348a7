package atlas

import "time"

// Token is an API token as the store keeps it: the secret only as its
// SHA-256 hash, so a copy of the database gives no access.
type Token struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Hash      string    `json:"-"` // hex SHA-256 of the secret
	Created   time.Time `json:"created"`
	CreatedBy string    `json:"created_by"`
	Revoked   time.Time `json:"revoked,omitzero"` // zero while valid
	RevokedBy string    `json:"revoked_by,omitempty"`
}

// Validate checks a token before it is stored.
func (t *Token) Validate() error {
	if err := checkText(t.Name, t.CreatedBy); err != nil {
		return Errorf(EINVALID, "token: %s", ErrorMessage(err))
	}
	if t.Name == "" || len(t.Name) > 100 {
		return Errorf(EINVALID, "token name %q: want 1 to 100 characters", t.Name)
	}
	if len(t.Hash) != 64 {
		return Errorf(EINVALID, "token %s: the hash is not a hex SHA-256", t.Name)
	}
	return nil
}
