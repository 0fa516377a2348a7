// Command sozialatlas serves and imports small-area social monitoring data.
//
//	sozialatlas serve            serve the API and the map (Berlin demo on first start)
//	sozialatlas import ...       import a city's data (manifest or single file)
//	sozialatlas token ...        create, list and revoke API tokens
//	sozialatlas demo synth ...   write a synthetic city for tests and benchmarks
//
// This package holds configuration and wiring only.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/postgis"
	"github.com/sozialatlas/sozialatlas/pkg/sqlite"
)

// Exit statuses: 1 for refused input or failures, 2 for wrong usage.
const (
	exitFail  = 1
	exitUsage = 2
)

func main() {
	// SIGTERM and SIGINT cancel the context: servers drain, imports roll back.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], stderr)
	case "import":
		err = importCmd(ctx, args[1:], stdout, stderr)
	case "compute":
		err = computeCmd(ctx, args[1:], stdout, stderr)
	case "token":
		err = tokenCmd(ctx, args[1:], stdout, stderr)
	case "demo":
		err = demo(ctx, args[1:], stdout)
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "sozialatlas: unknown command %q\n", args[0])
		usage(stderr)
		return exitUsage
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "sozialatlas %s: %v\n", args[0], err)
		return exitUsage
	case errors.Is(err, errRefused):
		return exitFail
	}
	fmt.Fprintf(stderr, "sozialatlas %s: %s\n", args[0], atlas.ErrorMessage(err))
	if atlas.ErrorCode(err) == atlas.EINTERNAL {
		fmt.Fprintf(stderr, "  cause: %v\n", err)
	}
	return exitFail
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: sozialatlas <command> [flags]

commands:
  serve                       serve the API and the map
  import MANIFEST.yaml        import a city's data set (see docs/importing.md)
  import units|offers|values  import a single file
  compute                     compute the indicator catalog (see docs/indicators.md)
  token create|list|revoke    manage API tokens (see docs/api.md)
  demo synth                  write a synthetic city (for tests and benchmarks)

Run "sozialatlas <command> -h" for the flags of a command.
Environment: SOZIALATLAS_ADDR, SOZIALATLAS_DATA, SOZIALATLAS_DATABASE_URL,
SOZIALATLAS_CATALOG, SOZIALATLAS_CORS_ORIGINS, SOZIALATLAS_OIDC_ISSUER,
SOZIALATLAS_OIDC_AUDIENCE, SOZIALATLAS_OIDC_JWKS_URL, SOZIALATLAS_OIDC_ROLE_CLAIM,
SOZIALATLAS_OIDC_ROLES.
`)
}

// usageError marks errors in the command line.
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// errRefused says an import was refused; its report has been printed.
var errRefused = errors.New("import refused")

// storeFlags are the flags every command that opens the store has.
type storeFlags struct {
	data        string
	databaseURL string
}

func (s *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.data, "data", envOr("SOZIALATLAS_DATA", "./data"), "data directory of the embedded store (env SOZIALATLAS_DATA)")
	fs.StringVar(&s.databaseURL, "database-url", os.Getenv("SOZIALATLAS_DATABASE_URL"), "PostgreSQL/PostGIS URL; when set, used instead of the embedded store (env SOZIALATLAS_DATABASE_URL)")
}

// open opens PostGIS when a database URL is set, else the SQLite file in the
// data directory (created on first use).
func (s *storeFlags) open(ctx context.Context, log *slog.Logger) (atlas.Store, error) {
	if s.databaseURL != "" {
		log.Info("opening store", "kind", "postgis")
		return postgis.Open(ctx, s.databaseURL)
	}
	path := filepath.Join(s.data, "sozialatlas.db")
	log.Info("opening store", "kind", "sqlite", "path", path)
	return sqlite.Open(ctx, path)
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func newFlagSet(name string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("sozialatlas "+name, flag.ContinueOnError)
	fs.SetOutput(out)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	return nil
}
