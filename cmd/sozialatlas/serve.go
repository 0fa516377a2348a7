package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/sozialatlas/sozialatlas"
	"github.com/sozialatlas/sozialatlas/api"
	"github.com/sozialatlas/sozialatlas/frontend"
	"github.com/sozialatlas/sozialatlas/geodata"
	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/auth"
	"github.com/sozialatlas/sozialatlas/pkg/engine"
	"github.com/sozialatlas/sozialatlas/pkg/importer"
	"github.com/sozialatlas/sozialatlas/pkg/indicator"
)

// shutdownGrace is how long in-flight requests may take after SIGTERM.
const shutdownGrace = 30 * time.Second

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr)
	var sf storeFlags
	sf.register(fs)
	var cf catalogFlag
	cf.register(fs)
	addr := fs.String("addr", envOr("SOZIALATLAS_ADDR", "127.0.0.1:8080"), "listen address (env SOZIALATLAS_ADDR)")
	demo := fs.Bool("demo", envOr("SOZIALATLAS_DEMO", "true") == "true", "import the Berlin demo when the store is empty (env SOZIALATLAS_DEMO)")
	cors := fs.String("cors-origins", os.Getenv("SOZIALATLAS_CORS_ORIGINS"), "comma-separated origins allowed to call the API from a browser, or * (env SOZIALATLAS_CORS_ORIGINS)")
	freshness := fs.Duration("freshness", envDuration("SOZIALATLAS_FRESHNESS", time.Second), "how long answers may come from memory before the store is asked for new data written by another process; 0: on every request (env SOZIALATLAS_FRESHNESS)")
	cacheMB := fs.Int64("cache-mb", 256, "memory for cached answers, in MB; 0 keeps none")
	tileCacheMB := fs.Int64("tile-cache-mb", 256, "memory for cached vector tiles (gzipped), in MB; 0 keeps none, so that every tile is made on request")
	prepareTiles := fs.Bool("prepare-tiles", true, "prepare the vector tiles' geometry of every level and zoom in the background at the start and after each import; false: when a tile first needs it")
	basemap := fs.String("basemap-style", os.Getenv("SOZIALATLAS_BASEMAP_STYLE"), "URL of a MapLibre style the web map draws under the units, e.g. the city's own tile server; default none: a neutral background and no request to another host (env SOZIALATLAS_BASEMAP_STYLE)")
	var oidc oidcFlags
	oidc.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	// Structured JSON logs, one object per line, for the log collector.
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	oidcCfg, err := oidc.config()
	if err != nil {
		return err
	}
	if err := checkStyleURL(*basemap); err != nil {
		return err
	}
	if *tileCacheMB < 0 || *cacheMB < 0 {
		return fmt.Errorf("-tile-cache-mb %d, -cache-mb %d: a cache's size is 0 MB or more", *tileCacheMB, *cacheMB)
	}
	cat, err := cf.load() // checked at start: a broken catalog stops the server with its problems
	if err != nil {
		return err
	}

	store, err := sf.open(ctx, log)
	if err != nil {
		return err
	}
	defer store.Close()
	if *demo {
		if err := importDemo(ctx, store, log); err != nil {
			return err
		}
	}
	if err := computeIfStale(ctx, store, cat, log); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	srv := &http.Server{
		Handler: api.New(store, api.Config{Logger: log, Frontend: frontend.Files(), OpenAPI: sozialatlas.OpenAPI, Catalog: cat,
			OIDC: oidcCfg, CORSOrigins: strings.FieldsFunc(*cors, func(r rune) bool { return r == ',' || r == ' ' }), Freshness: *freshness, CacheSize: cacheBytes(*cacheMB),
			TileCacheSize: cacheBytes(*tileCacheMB), PrepareTiles: *prepareTiles, BasemapStyle: *basemap}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	log.Info("serving", "url", "http://"+ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// oidcFlags configure JWTs from an OIDC provider (e.g. Keycloak).
type oidcFlags struct{ issuer, audience, jwks, claim, roles string }

func (o *oidcFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&o.issuer, "oidc-issuer", os.Getenv("SOZIALATLAS_OIDC_ISSUER"), "accept JWTs of this OIDC issuer, e.g. https://sso.example.de/realms/stadt (env SOZIALATLAS_OIDC_ISSUER)")
	fs.StringVar(&o.audience, "oidc-audience", envOr("SOZIALATLAS_OIDC_AUDIENCE", "sozialatlas"), "the JWTs' audience, the client id (env SOZIALATLAS_OIDC_AUDIENCE)")
	fs.StringVar(&o.jwks, "oidc-jwks-url", os.Getenv("SOZIALATLAS_OIDC_JWKS_URL"), "the provider's key set; default <issuer>/protocol/openid-connect/certs as Keycloak serves it (env SOZIALATLAS_OIDC_JWKS_URL)")
	fs.StringVar(&o.claim, "oidc-role-claim", envOr("SOZIALATLAS_OIDC_ROLE_CLAIM", "realm_access.roles"), "claim with the user's roles or groups, a dotted path (env SOZIALATLAS_OIDC_ROLE_CLAIM)")
	fs.StringVar(&o.roles, "oidc-roles", os.Getenv("SOZIALATLAS_OIDC_ROLES"), "claim value to role, e.g. sozialplanung=analyst,statistik=editor (env SOZIALATLAS_OIDC_ROLES)")
}

func (o *oidcFlags) config() (*auth.OIDC, error) {
	if o.issuer == "" {
		return nil, nil
	}
	roles, err := auth.ParseRoleMap(o.roles)
	if err != nil {
		return nil, usagef("-oidc-roles: %v", err)
	}
	if len(roles) == 0 {
		return nil, usagef("-oidc-issuer is set but -oidc-roles maps no claim value to a role")
	}
	jwks := o.jwks
	if jwks == "" {
		jwks = strings.TrimSuffix(o.issuer, "/") + "/protocol/openid-connect/certs"
	}
	return &auth.OIDC{Issuer: o.issuer, Audience: o.audience, JWKSURL: jwks, RoleClaim: o.claim, Roles: roles}, nil
}

// checkStyleURL accepts an empty basemap style (none), an http(s) URL or
// a path on this host, so that a typo fails at start, not in the browser.
func checkStyleURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && !(u.Scheme == "" && strings.HasPrefix(u.Path, "/"))) || (u.Scheme != "" && u.Host == "") {
		return usagef("-basemap-style %q: want an http(s) URL of a MapLibre style, or a path on this host such as /styles/basemap.json", v)
	}
	return nil
}

// envDuration reads a duration from the environment, or def.
func envDuration(key string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(key)); err == nil {
		return d
	}
	return def
}

// computeIfStale computes the catalog when data arrived after the last
// computation (or none ran yet), e.g. after the demo import.
func computeIfStale(ctx context.Context, store atlas.Store, cat *indicator.Catalog, log *slog.Logger) error {
	if cat == nil {
		return nil
	}
	last, err := store.Imports(ctx, 1)
	if err != nil {
		return err
	}
	if len(last) == 0 || last[0].Source.Name == atlas.ComputeSource {
		return nil
	}
	log.Info("computing the indicator catalog")
	rep, err := (&engine.Engine{Store: store, Catalog: cat, Log: log}).Compute(ctx, engine.Options{User: "serve"})
	if err != nil {
		return fmt.Errorf("compute the indicator catalog: %w", err)
	}
	for _, s := range rep.Skipped {
		log.Info("indicator skipped", "id", s.ID, "reason", s.Reason)
	}
	return nil
}

// importDemo imports the embedded Berlin data set into an empty store. The
// import is one transaction: a SIGTERM during it rolls it back and the next
// start imports again.
func importDemo(ctx context.Context, store atlas.Store, log *slog.Logger) error {
	levels, err := store.Levels(ctx)
	if err != nil {
		return err
	}
	if len(levels) > 0 {
		return nil
	}
	log.Info("empty store: importing the Berlin demo")
	start := time.Now()
	m, err := importer.ReadManifest(geodata.Berlin(), geodata.BerlinManifest)
	if err != nil {
		return err
	}
	rep, err := importer.Import(ctx, store, geodata.Berlin(), m, importer.Options{User: "demo"})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("demo import interrupted; nothing was written: %w", ctx.Err())
		}
		return err
	}
	if !rep.OK() {
		var b strings.Builder
		rep.WriteText(&b)
		return fmt.Errorf("the embedded demo does not import:\n%s", b.String())
	}
	log.Info("demo imported", "units", rep.Changes.Units.Inserted, "offers", rep.Changes.Offers.Inserted,
		"values", rep.Changes.Values.Inserted, "warnings", rep.Warnings, "seconds", time.Since(start).Seconds())
	return nil
}

// cacheBytes is a cache's size in MB as api.Config takes it: there 0
// means the default, and less than 0 keeps nothing.
func cacheBytes(mb int64) int64 {
	if mb == 0 {
		return -1
	}
	return mb << 20
}
