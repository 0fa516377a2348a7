package main

import (
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The baseline's table: the level's units with their geometry transformed
// to EPSG:3857 once, beforehand, with a GiST index, so that a request
// transforms nothing and filters with && on the index. It carries what
// our tiles carry: code, name and parent code as properties, and as
// feature id the unit's position in the level ordered by code.
const baselineSetup = `
DROP TABLE IF EXISTS public.tilebench_units;
CREATE TABLE public.tilebench_units AS
  SELECT (row_number() OVER (ORDER BY u.code) - 1)::bigint AS fid, u.code, u.name, p.code AS parent,
         ST_Transform(u.geom, 3857)::geometry(MultiPolygon, 3857) AS geom
  FROM sozialatlas.units u JOIN sozialatlas.levels l ON l.id = u.level_id
  LEFT JOIN sozialatlas.units p ON p.id = u.parent_id
  WHERE l.key = $1;
CREATE INDEX tilebench_units_geom ON public.tilebench_units USING gist (geom);
ANALYZE public.tilebench_units;`

// baselineSQL is one tile, pg_tileserv/Martin style: the tile's envelope
// from ST_TileEnvelope (widened by the 64-unit buffer for the index
// filter, as Martin does, so that features in the buffer are not lost),
// ST_AsMVTGeom to clip and quantise, ST_AsMVT to encode. Extent 4096 and
// buffer 64 as in pkg/tiles.
const baselineSQL = `
WITH b AS (
  SELECT ST_TileEnvelope($1, $2, $3) AS env,
         ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096) AS benv
), mvtgeom AS (
  SELECT ST_AsMVTGeom(t.geom, b.env, 4096, 64, true) AS geom, t.fid, t.code, t.name, t.parent
  FROM public.tilebench_units t, b
  WHERE t.geom && b.benv
)
SELECT ST_AsMVT(mvtgeom.*, $4, 4096, 'geom', 'fid') FROM mvtgeom`

const mvtType = "application/vnd.mapbox-vector-tile"

// baseline is the subcommand: per-request ST_AsMVT behind a small HTTP
// server at /{z}/{x}/{y}.mvt, one prepared statement per request on a
// fixed pool of connections.
func baseline(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("baseline", flag.ContinueOnError)
	dbURL := fs.String("database-url", "", "the PostGIS database the city was imported into")
	addr := fs.String("addr", "127.0.0.1:18091", "listen address (loopback)")
	level := fs.String("level", "baublock", "the level whose units the tiles show; also the layer's name")
	poolSize := fs.Int("pool", 8, "database connections")
	gzipLevel := fs.Int("gzip-level", gzip.DefaultCompression, "gzip level of the answers to clients that accept gzip")
	setup := fs.Bool("setup", true, "(re)build the 3857 table and its index before serving")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dbURL == "" {
		return errors.New("baseline: -database-url is required")
	}
	if *gzipLevel < gzip.HuffmanOnly || *gzipLevel > gzip.BestCompression {
		return fmt.Errorf("baseline: -gzip-level %d: want %d to %d", *gzipLevel, gzip.HuffmanOnly, gzip.BestCompression)
	}
	if err := checkLoopback("http://" + *addr + "/"); err != nil {
		return err
	}
	if *setup {
		if err := setupBaseline(ctx, *dbURL, *level); err != nil {
			return err
		}
	}
	cfg, err := pgxpool.ParseConfig(*dbURL)
	if err != nil {
		return err
	}
	cfg.MaxConns, cfg.MinConns = int32(*poolSize), int32(*poolSize)
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Prepare(ctx, "tile", baselineSQL)
		return err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := pool.Ping(ctx); err != nil {
		return err
	}
	h := &baselineHandler{pool: pool, layer: *level, gz: newGzipPool(*gzipLevel)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.Handle("GET /{z}/{x}/{y}", h)
	return listenAndServe(ctx, *addr, mux, "baseline")
}

func setupBaseline(ctx context.Context, dbURL, level string) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	for _, stmt := range strings.Split(baselineSetup, ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		var args []any
		if strings.Contains(stmt, "$1") {
			args = []any{level}
		}
		if _, err := tx.Exec(ctx, stmt, args...); err != nil {
			return fmt.Errorf("baseline setup: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM public.tilebench_units").Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("baseline setup: level %q has no units in this database", level)
	}
	return nil
}

type baselineHandler struct {
	pool  *pgxpool.Pool
	layer string
	gz    *gzipPool
}

func (h *baselineHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t, err := parseTilePath(r.PathValue("z"), r.PathValue("x"), r.PathValue("y"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var mvt []byte
	if err := h.pool.QueryRow(r.Context(), "tile", t.Z, t.X, t.Y, h.layer).Scan(&mvt); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if len(mvt) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Content-Type", mvtType)
	if acceptsGzip(r) {
		mvt = h.gz.compress(mvt)
		w.Header().Set("Content-Encoding", "gzip")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(mvt)))
	w.Write(mvt)
}

// parseTilePath reads z, x and "y.mvt" and checks that the tile exists.
func parseTilePath(zs, xs, ys string) (tile, error) {
	ys, ok := strings.CutSuffix(ys, ".mvt")
	z, err1 := strconv.Atoi(zs)
	x, err2 := strconv.Atoi(xs)
	y, err3 := strconv.Atoi(ys)
	if !ok || err1 != nil || err2 != nil || err3 != nil {
		return tile{}, fmt.Errorf("want /{z}/{x}/{y}.mvt with whole numbers")
	}
	if z < 0 || z > 22 || x < 0 || y < 0 || x >= 1<<z || y >= 1<<z {
		return tile{}, fmt.Errorf("tile %d/%d/%d does not exist", z, x, y)
	}
	return tile{z, x, y}, nil
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		if enc, _, _ := strings.Cut(strings.TrimSpace(part), ";"); enc == "gzip" {
			return true
		}
	}
	return false
}

// gzipPool reuses gzip writers: allocating one per answer would make the
// baseline slower than it needs to be.
type gzipPool struct {
	level int
	pool  sync.Pool
}

type gzipBuf struct {
	buf bytesBuffer
	w   *gzip.Writer
}

func newGzipPool(level int) *gzipPool {
	p := &gzipPool{level: level}
	p.pool.New = func() any {
		g := &gzipBuf{}
		g.w, _ = gzip.NewWriterLevel(&g.buf, level)
		return g
	}
	return p
}

func (p *gzipPool) compress(b []byte) []byte {
	g := p.pool.Get().(*gzipBuf)
	defer p.pool.Put(g)
	g.buf = g.buf[:0]
	g.w.Reset(&g.buf)
	g.w.Write(b)
	g.w.Close()
	return append([]byte(nil), g.buf...)
}

// bytesBuffer is an io.Writer that appends to itself.
type bytesBuffer []byte

func (b *bytesBuffer) Write(p []byte) (int, error) { *b = append(*b, p...); return len(p), nil }
