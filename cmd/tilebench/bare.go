package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// stored is one answer of our server, kept to be sent again as it was.
type stored struct {
	status int
	header http.Header
	body   []byte
}

// copiedHeaders are the headers of our answers that the bare handler sends
// too, so that both put the same bytes on the wire.
var copiedHeaders = []string{"Content-Type", "Content-Encoding", "ETag", "Cache-Control", "Vary"}

// bare is the subcommand: fetches every tile of the list once from our
// server (with Accept-Encoding: gzip) and serves those exact answers from
// a map, under the same paths: the fastest a Go HTTP server can hand out
// these bytes, the ceiling for our warm cache.
func bare(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bare", flag.ContinueOnError)
	var tf tileFlags
	tf.register(fs)
	source := fs.String("source", "", "our server's tile URL template with {z}, {x}, {y} on 127.0.0.1")
	addr := fs.String("addr", "127.0.0.1:18092", "listen address (loopback)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkLoopback(*source); err != nil {
		return err
	}
	if err := checkLoopback("http://" + *addr + "/"); err != nil {
		return err
	}
	lists, zooms, err := tf.lists()
	if err != nil {
		return err
	}
	answers := map[string]stored{}
	client := newClient(1)
	for _, z := range zooms {
		for _, t := range lists[z] {
			u := tileURL(*source, t)
			s, err := fetchStored(ctx, client, u)
			if err != nil {
				return err
			}
			p, _ := url.Parse(u)
			answers[p.Path] = s
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.Handle("/", bareHandler(answers))
	byStatus := map[int]int{}
	for _, a := range answers {
		byStatus[a.status]++
	}
	fmt.Printf("bare: %d answers in memory, by status %v\n", len(answers), byStatus)
	return listenAndServe(ctx, *addr, mux, "bare")
}

func fetchStored(ctx context.Context, client *http.Client, u string) (stored, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return stored{}, err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := client.Do(req)
	if err != nil {
		return stored{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return stored{}, err
	}
	// Other answers (a 400 for a zoom the server does not serve) are kept
	// too: the bare handler answers exactly as ours did.
	s := stored{status: resp.StatusCode, header: http.Header{}, body: body}
	for _, k := range copiedHeaders {
		if v := resp.Header.Values(k); len(v) > 0 {
			s.header[k] = v
		}
	}
	if resp.StatusCode != http.StatusNoContent {
		s.header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	return s, nil
}

// bareHandler answers from the map; the map is never written after the
// start, so no lock is needed.
func bareHandler(answers map[string]stored) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, ok := answers[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		for k, v := range s.header {
			h[k] = v
		}
		w.WriteHeader(s.status)
		w.Write(s.body)
	}
}

// listenAndServe serves until ctx ends (SIGINT or SIGTERM).
func listenAndServe(ctx context.Context, addr string, h http.Handler, name string) error {
	srv := &http.Server{Addr: addr, Handler: h}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	fmt.Printf("%s: serving on http://%s\n", name, addr)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
