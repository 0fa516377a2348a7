package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// CreateToken stores a new token. See atlas.Store.
func (s *Store) CreateToken(ctx context.Context, t atlas.Token) (atlas.Token, error) {
	if err := t.Validate(); err != nil {
		return atlas.Token{}, err
	}
	t.Created, t.Revoked, t.RevokedBy = time.Now().UTC(), time.Time{}, ""
	res, err := s.db.ExecContext(ctx, `INSERT INTO tokens (name, role, hash, created, created_by) VALUES (?, ?, ?, ?, ?)`,
		t.Name, t.Role, t.Hash, t.Created.Format(time.RFC3339Nano), t.CreatedBy)
	if err != nil {
		return atlas.Token{}, atlas.Internalf(err, "store token %s", t.Name)
	}
	t.ID, err = res.LastInsertId()
	return t, atlas.Internalf(err, "store token %s", t.Name)
}

const tokenColumns = `id, name, role, hash, created, created_by, coalesce(revoked, ''), coalesce(revoked_by, '')`

func scanToken(sc interface{ Scan(...any) error }) (atlas.Token, error) {
	var t atlas.Token
	var created, revoked string
	if err := sc.Scan(&t.ID, &t.Name, &t.Role, &t.Hash, &created, &t.CreatedBy, &revoked, &t.RevokedBy); err != nil {
		return t, err
	}
	t.Created, _ = time.Parse(time.RFC3339Nano, created)
	if revoked != "" {
		t.Revoked, _ = time.Parse(time.RFC3339Nano, revoked)
	}
	return t, nil
}

// Tokens lists every token. See atlas.Store.
func (s *Store) Tokens(ctx context.Context) ([]atlas.Token, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY id`)
	if err != nil {
		return nil, atlas.Internalf(err, "read tokens")
	}
	defer rows.Close()
	var out []atlas.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, atlas.Internalf(err, "read tokens")
		}
		out = append(out, t)
	}
	return out, atlas.Internalf(rows.Err(), "read tokens")
}

// TokenByHash finds a valid token. See atlas.Store.
func (s *Store) TokenByHash(ctx context.Context, hash string) (atlas.Token, error) {
	t, err := scanToken(s.db.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = ? AND revoked IS NULL`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return t, atlas.Errorf(atlas.ENOTFOUND, "no such token")
	}
	return t, atlas.Internalf(err, "read token")
}

// RevokeToken revokes a token. See atlas.Store.
func (s *Store) RevokeToken(ctx context.Context, id int64, by string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE tokens SET revoked = ?, revoked_by = ? WHERE id = ? AND revoked IS NULL`,
		time.Now().UTC().Format(time.RFC3339Nano), by, id)
	if err != nil {
		return atlas.Internalf(err, "revoke token %d", id)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return atlas.Errorf(atlas.ENOTFOUND, "token %d does not exist or is revoked already", id)
	}
	return nil
}
