package postgis

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// CreateToken stores a new token. See atlas.Store.
func (s *Store) CreateToken(ctx context.Context, t atlas.Token) (atlas.Token, error) {
	if err := t.Validate(); err != nil {
		return atlas.Token{}, err
	}
	t.Revoked, t.RevokedBy = time.Time{}, ""
	err := s.with(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `INSERT INTO sozialatlas.tokens (name, role, hash, created_by) VALUES ($1, $2, $3, $4)
			RETURNING id, created`, t.Name, t.Role, t.Hash, t.CreatedBy).Scan(&t.ID, &t.Created)
	})
	t.Created = t.Created.UTC()
	return t, atlas.Internalf(err, "store token %s", t.Name)
}

const tokenColumns = `id, name, role, hash, created, created_by, revoked, coalesce(revoked_by, '')`

func scanToken(row pgx.Row) (atlas.Token, error) {
	var t atlas.Token
	var revoked *time.Time
	if err := row.Scan(&t.ID, &t.Name, &t.Role, &t.Hash, &t.Created, &t.CreatedBy, &revoked, &t.RevokedBy); err != nil {
		return t, err
	}
	t.Created = t.Created.UTC()
	if revoked != nil {
		t.Revoked = revoked.UTC()
	}
	return t, nil
}

// Tokens lists every token. See atlas.Store.
func (s *Store) Tokens(ctx context.Context) ([]atlas.Token, error) {
	var out []atlas.Token
	err := s.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, `SELECT `+tokenColumns+` FROM sozialatlas.tokens ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanToken(rows)
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	return out, atlas.Internalf(err, "read tokens")
}

// TokenByHash finds a valid token. See atlas.Store.
func (s *Store) TokenByHash(ctx context.Context, hash string) (atlas.Token, error) {
	var t atlas.Token
	err := s.with(ctx, func(c *pgx.Conn) error {
		var err error
		t, err = scanToken(c.QueryRow(ctx, `SELECT `+tokenColumns+` FROM sozialatlas.tokens WHERE hash = $1 AND revoked IS NULL`, hash))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return t, atlas.Errorf(atlas.ENOTFOUND, "no such token")
	}
	return t, atlas.Internalf(err, "read token")
}

// RevokeToken revokes a token. See atlas.Store.
func (s *Store) RevokeToken(ctx context.Context, id int64, by string) error {
	var n int64
	err := s.with(ctx, func(c *pgx.Conn) error {
		tag, err := c.Exec(ctx, `UPDATE sozialatlas.tokens SET revoked = clock_timestamp(), revoked_by = $1
			WHERE id = $2 AND revoked IS NULL`, by, id)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return atlas.Internalf(err, "revoke token %d", id)
	}
	if n == 0 {
		return atlas.Errorf(atlas.ENOTFOUND, "token %d does not exist or is revoked already", id)
	}
	return nil
}
