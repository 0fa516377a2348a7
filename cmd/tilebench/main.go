// Command tilebench measures the vector tiles of `sozialatlas serve`
// against a per-request ST_AsMVT baseline and a bare Go handler, on
// loopback (make bench-tiles, scripts/bench-tiles, docs/benchmarks.md):
//
//	tilebench baseline -database-url URL -addr 127.0.0.1:PORT
//	tilebench bare     -source TEMPLATE -bbox B -zoom Z -addr 127.0.0.1:PORT
//	tilebench load     -url TEMPLATE -bbox B -zoom Z [-passes N | -duration D] -out FILE
//	tilebench report   FILE
//	tilebench list     -url TEMPLATE -bbox B -zoom Z [-max N]
//
// A TEMPLATE is a tile URL with {z}, {x} and {y}; every target is asked
// for the same tiles: those covering the bounding box B at zoom Z, in an
// order fixed by -seed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "tilebench:", err)
		}
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: tilebench baseline|bare|load|report|list [flags]")
	}
	switch args[0] {
	case "baseline":
		return baseline(ctx, args[1:])
	case "bare":
		return bare(ctx, args[1:])
	case "load":
		return load(ctx, args[1:])
	case "report":
		return report(args[1:])
	case "list":
		return list(args[1:])
	}
	return fmt.Errorf("unknown command %q: want baseline, bare, load, report or list", args[0])
}

// list prints the URLs of the tile list, one a line.
func list(args []string) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	var tf tileFlags
	tf.register(fs)
	template := fs.String("url", "{z}/{x}/{y}", "tile URL template with {z}, {x}, {y}")
	if err := fs.Parse(args); err != nil {
		return err
	}
	lists, zooms, err := tf.lists()
	if err != nil {
		return err
	}
	for _, z := range zooms {
		for _, t := range lists[z] {
			fmt.Println(tileURL(*template, t))
		}
	}
	return nil
}
