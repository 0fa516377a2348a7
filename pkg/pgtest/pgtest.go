// Package pgtest gives tests a fresh PostGIS database of their own.
//
// Tests find the server in SOZIALATLAS_TEST_DATABASE_URL, which `make test`
// sets after starting a throwaway cluster (scripts/pgtmp). Without it a test
// is skipped, unless SOZIALATLAS_REQUIRE_POSTGIS=1 (as `make test` sets),
// where it fails: no PostGIS test is skipped under `make test`.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// URL returns the URL of the test server's maintenance database.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("SOZIALATLAS_TEST_DATABASE_URL")
	if u == "" {
		if os.Getenv("SOZIALATLAS_REQUIRE_POSTGIS") == "1" {
			t.Fatal("SOZIALATLAS_TEST_DATABASE_URL is not set but PostGIS is required: run `make test`, which starts a throwaway PostGIS cluster")
		}
		t.Skip("no PostGIS: set SOZIALATLAS_TEST_DATABASE_URL or run `make test`")
	}
	return u
}

// NewDatabase creates an empty database with the postgis extension, drops it
// when the test ends, and returns its URL.
func NewDatabase(t testing.TB) string {
	t.Helper()
	admin := URL(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to test server: %v", err)
	}
	defer conn.Close(ctx)

	b := make([]byte, 6)
	rand.Read(b)
	name := "test_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})

	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("parse SOZIALATLAS_TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	dbURL := u.String()
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("connect to %s: %v", name, err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS postgis"); err != nil {
		t.Fatalf("create extension postgis: %v", err)
	}
	return dbURL
}
