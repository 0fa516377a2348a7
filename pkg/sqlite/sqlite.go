// Package sqlite is the embedded store: one SQLite file, no server, no cgo
// (modernc.org/sqlite). It is the default so that `make run` works anywhere.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/migrate"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Store is the SQLite implementation of atlas.Store.
type Store struct {
	db       *sql.DB
	unitKeys atomic.Pointer[map[int64]unitKey] // see readUnitKeys
}

var _ atlas.Store = (*Store)(nil)

// Open opens (and on first use creates) the store file at path and applies
// pending migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, 0)
}

// open opens the store file and migrates it to version upTo (0: the newest),
// which lets tests build a database as an older release left it.
func open(ctx context.Context, path string, upTo int) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	q := url.Values{}
	for _, p := range []string{
		"foreign_keys(1)",
		"journal_mode(WAL)",   // readers do not block the writer
		"synchronous(NORMAL)", // safe with WAL; a crash loses at most the last commit
		"busy_timeout(30000)", // writers from other processes wait instead of failing
		"cache_size(-65536)",  // 64 MiB page cache per connection
	} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate") // take the write lock at BEGIN: no upgrade deadlocks
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	s := &Store{db: db}
	if err := s.migrate(ctx, upTo); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	return s, nil
}

// migrate applies the migrations up to version upTo (0: all) that the
// database has not had yet.
func (s *Store) migrate(ctx context.Context, upTo int) error {
	ms, err := migrate.Load(migrationFS, "migrations")
	if err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)`); err != nil {
		return err
	}
	for _, m := range ms {
		if upTo > 0 && m.Version > upTo {
			break
		}
		if err := s.applyMigration(ctx, m); err != nil {
			return fmt.Errorf("%s: %w", m.Name, err)
		}
	}
	return nil
}

// applyMigration runs one migration in its own transaction unless another
// process has applied it already (BEGIN IMMEDIATE serialises the check).
func (s *Store) applyMigration(ctx context.Context, m migrate.Migration) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.Version, m.Name); err != nil {
		return err
	}
	return tx.Commit()
}

// Ping checks that the file can be read.
func (s *Store) Ping(ctx context.Context) error {
	var n int
	return s.db.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n)
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }
