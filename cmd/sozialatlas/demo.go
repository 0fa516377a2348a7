package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/sozialatlas/sozialatlas/pkg/synth"
)

// demo writes demo data sets; `demo synth` is a deterministic synthetic
// city for time series and benchmarks.
func demo(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "synth" {
		return usagef("want: demo synth -blocks N -seed S -out DIR")
	}
	fs := newFlagSet("demo synth", stdout)
	blocks := fs.Int("blocks", synth.DefaultBlocks, fmt.Sprintf("number of blocks (%d to %d)", synth.MinBlocks, synth.MaxBlocks))
	seed := fs.Int64("seed", 1, "random seed: the same seed gives the same files")
	dates := fs.Int("dates", synth.DefaultDates, fmt.Sprintf("yearly dates ending %d", synth.LastYear))
	offers := fs.Int("offers", 0, "number of help offers (0: one per 40 blocks)")
	out := fs.String("out", "synth", "directory to write")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	start := time.Now()
	sum, err := synth.Write(*out, synth.Options{Blocks: *blocks, Seed: *seed, Dates: *dates, Offers: *offers})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote a synthetic city to %s in %s: %d Stadtbezirke, %d Stadtteile, %d Sozialräume, %d blocks, %d offers, %d values\n",
		*out, time.Since(start).Round(time.Millisecond), sum.Stadtbezirke, sum.Stadtteile, sum.Sozialraeume, sum.Blocks, sum.Offers, sum.Values)
	fmt.Fprintf(stdout, "import it with: sozialatlas import %s/%s\n", *out, synth.ManifestName)
	return nil
}
