// Package postgis is the store for PostgreSQL with PostGIS: the system of
// record when several servers share one database, or when the data should
// be queried with other GIS tools.
//
// All tables live in the schema sozialatlas and every statement names them
// with it; the search_path of the store's connections is set to that schema
// and the one of the postgis extension, which is where PostGIS's types and
// functions are found. Nothing assumes that one process owns the database:
// migrations and imports are serialised with advisory locks.
//
// The first migration creates the postgis extension if it does not exist,
// which needs a superuser (or the database owner on a server that allows
// it). Where the store's role may not, a DBA runs `CREATE EXTENSION postgis`
// once before the first start.
//
// Imports copy units, offers and values into temporary staging tables with
// COPY and merge them with set-based statements; values of an indicator and
// date the database has none of yet are copied straight into their table
// (see writer.values).
//
// The connection string is a PostgreSQL URL or keyword/value string as
// pgxpool reads it, with its pool settings (pool_max_conns, default the
// number of CPUs, at least 4).
package postgis

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/migrate"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// schema holds every table of the store.
const schema = "sozialatlas"

// Advisory lock keys (pg_advisory_xact_lock takes one bigint): one for
// migrations, one for imports. Other applications sharing the database must
// not use them; they read "sozmig" and "sozimp" in ASCII.
const (
	migrateLock int64 = 0x736f7a6d6967
	importLock  int64 = 0x736f7a696d70
)

// Store is the PostGIS implementation of atlas.Store. It is safe for
// concurrent use.
type Store struct {
	pool     *pgxpool.Pool
	unitKeys atomic.Pointer[map[int32]unitKey] // see readUnitKeys
}

var _ atlas.Store = (*Store)(nil)

// Open connects to the database at databaseURL, applies pending migrations
// and returns the store.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL) // reads pool_max_conns and the like
	if err != nil {
		return nil, fmt.Errorf("postgis: %w", err)
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "sozialatlas"
	}

	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig.Copy())
	if err != nil {
		return nil, fmt.Errorf("postgis: connect: %w", err)
	}
	defer closeConn(conn)
	if err := migrateDB(ctx, conn, 0); err != nil {
		return nil, fmt.Errorf("postgis: migrate: %w", err)
	}
	path, err := searchPath(ctx, conn)
	if err != nil {
		return nil, fmt.Errorf("postgis: %w", err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = path
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgis: %w", err)
	}
	return &Store{pool: pool}, nil
}

// migrateDB applies the pending migrations up to version upTo (0: all),
// each in its own transaction under the migration lock, so that servers
// starting at the same time apply each migration once. Tests stop early to
// build a database as an older release left it.
func migrateDB(ctx context.Context, conn *pgx.Conn, upTo int) error {
	ms, err := migrate.Load(migrationFS, "migrations")
	if err != nil {
		return err
	}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
			return err
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT to_regclass('sozialatlas.schema_migrations') IS NOT NULL`).Scan(&exists); err != nil || exists {
			return err
		}
		// Created only when missing: CREATE SCHEMA IF NOT EXISTS would need
		// the CREATE privilege on the database even when the schema exists.
		_, err := tx.Exec(ctx, `
			CREATE SCHEMA IF NOT EXISTS sozialatlas;
			CREATE TABLE sozialatlas.schema_migrations (
				version integer PRIMARY KEY,
				name    text NOT NULL,
				applied timestamptz NOT NULL DEFAULT now()
			)`)
		return err
	})
	if err != nil {
		return err
	}
	for _, m := range ms {
		if upTo > 0 && m.Version > upTo {
			break
		}
		if err := applyMigration(ctx, conn, m); err != nil {
			return fmt.Errorf("%s: %w", m.Name, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, conn *pgx.Conn, m migrate.Migration) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
			return err
		}
		var done bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sozialatlas.schema_migrations WHERE version = $1)`, m.Version).Scan(&done); err != nil || done {
			return err
		}
		path, err := searchPath(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT set_config('search_path', $1, true)`, path); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO sozialatlas.schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name)
		return err
	})
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// searchPath returns the search_path for the store's connections: its own
// schema, then the schema of the postgis extension, then public (where the
// first migration creates the extension if it does not exist yet).
func searchPath(ctx context.Context, q querier) (string, error) {
	var ext *string
	err := q.QueryRow(ctx, `SELECT n.nspname::text FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'postgis'`).Scan(&ext)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("find the postgis extension: %w", err)
	}
	names := []string{schema}
	if ext != nil && *ext != schema && *ext != "public" {
		names = append(names, *ext)
	}
	names = append(names, "public")
	for i, n := range names {
		names[i] = pgx.Identifier{n}.Sanitize()
	}
	return strings.Join(names, ", "), nil
}

// with runs f with a connection of the pool.
func (s *Store) with(ctx context.Context, f func(c *pgx.Conn) error) error {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	return f(c.Conn())
}

// Ping checks that the database is reachable and migrated.
func (s *Store) Ping(ctx context.Context) error {
	err := s.with(ctx, func(c *pgx.Conn) error {
		var n int
		return c.QueryRow(ctx, `SELECT count(*) FROM sozialatlas.schema_migrations`).Scan(&n)
	})
	return atlas.Internalf(err, "ping database")
}

// Close closes the store's connections.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// closeConn closes a connection that is no longer needed; its error is of
// no use to anyone.
func closeConn(c *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c.Close(ctx)
}
