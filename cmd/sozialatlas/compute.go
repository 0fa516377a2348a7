package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/sozialatlas/sozialatlas/indicators"
	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/engine"
	"github.com/sozialatlas/sozialatlas/pkg/indicator"
)

// catalogFlag selects the indicator catalog: a directory of YAML files, a
// catalog shipped in the binary (berlin, synth), or none.
type catalogFlag struct{ value string }

func (c *catalogFlag) register(fs *flag.FlagSet) {
	fs.StringVar(&c.value, "catalog", envOr("SOZIALATLAS_CATALOG", "berlin"),
		"indicator catalog: a directory of YAML files, a shipped one (berlin, synth), or none (env SOZIALATLAS_CATALOG)")
}

// load reads and checks the catalog; nil for none.
func (c *catalogFlag) load() (*indicator.Catalog, error) {
	switch c.value {
	case "", "none":
		return nil, nil
	case "berlin", "synth":
		if _, err := os.Stat(c.value); err != nil { // a directory of that name wins
			return indicator.Load(indicators.FS(), c.value)
		}
	}
	return indicator.Load(os.DirFS(c.value), ".")
}

func computeCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("compute", stderr)
	var sf storeFlags
	sf.register(fs)
	var cf catalogFlag
	cf.register(fs)
	only := fs.String("only", "", "comma-separated indicator ids to compute (with what they read); default: all")
	dryRun := fs.Bool("dry-run", false, "compute and report what would change; write nothing")
	user := fs.String("user", envOr("USER", ""), "who computes, for the log")
	jsonReport := fs.Bool("json", false, "print the report as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cat, err := cf.load()
	if err != nil {
		return err
	}
	if cat == nil {
		return usagef("-catalog none: nothing to compute")
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	store, err := sf.open(ctx, log)
	if err != nil {
		return err
	}
	defer store.Close()
	opts := engine.Options{DryRun: *dryRun, User: *user}
	if *only != "" {
		opts.Only = strings.Split(*only, ",")
	}
	rep, err := (&engine.Engine{Store: store, Catalog: cat, Log: log}).Compute(ctx, opts)
	if err != nil {
		return err
	}
	if *jsonReport {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(rep)
	}
	writeComputeReport(stdout, rep, *dryRun)
	return nil
}

func writeComputeReport(w io.Writer, rep *engine.Report, dryRun bool) {
	verb := "computed"
	if dryRun {
		verb = "would compute (dry run)"
	}
	fmt.Fprintf(w, "%s %d indicators in %.1f s\n", verb, len(rep.Computed), rep.Duration.Seconds())
	for _, c := range rep.Computed {
		fmt.Fprintf(w, "  %-36s %7d values (%d suppressed, %d missing) at %s, %d dates\n",
			c.ID, c.Values, c.Suppressed, c.Missing, strings.Join(c.Levels, ", "), c.Dates)
	}
	for _, s := range rep.Skipped {
		fmt.Fprintf(w, "  skipped %s: %s\n", s.ID, s.Reason)
	}
	v := rep.Changes.Values
	fmt.Fprintf(w, "values: %d inserted, %d updated, %d unchanged\n", v.Inserted, v.Updated, v.Unchanged)
}

// recompute brings computed indicators up to date after an import.
func recompute(ctx context.Context, store atlas.Store, cat *indicator.Catalog, touched atlas.Touched, user string, log *slog.Logger) (*engine.Report, error) {
	if cat == nil {
		return nil, nil
	}
	return (&engine.Engine{Store: store, Catalog: cat, Log: log}).Recompute(ctx, touched, user)
}
