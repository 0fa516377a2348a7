package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/auth"
)

// tokenCmd manages API tokens: create prints the secret once (only its
// hash is stored), list shows every token, revoke ends one.
func tokenCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("want create, list or revoke")
	}
	fs := newFlagSet("token "+args[0], stderr)
	var sf storeFlags
	sf.register(fs)
	user := fs.String("user", envOr("USER", "cli"), "who does it, for the audit log")
	var name, role *string
	var id *int64
	switch args[0] {
	case "create":
		name = fs.String("name", "", "what the token is for, e.g. \"QGIS Sozialplanung\" (required)")
		role = fs.String("role", "viewer", "viewer, analyst (sees internal indicators), editor (imports, computes) or admin (tokens)")
	case "revoke":
		id = fs.Int64("id", 0, "id of the token to revoke (see token list)")
	case "list":
	default:
		return usagef("unknown token command %q: want create, list or revoke", args[0])
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := sf.open(ctx, log)
	if err != nil {
		return err
	}
	defer store.Close()
	switch args[0] {
	case "create":
		if *name == "" {
			return usagef("-name is required")
		}
		if !auth.Role(*role).Valid() {
			return usagef("-role %q: want viewer, analyst, editor or admin", *role)
		}
		secret, hash := auth.NewToken()
		t, err := store.CreateToken(ctx, atlas.Token{Name: *name, Role: *role, Hash: hash, CreatedBy: *user})
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "token %d %q (%s) created; it is shown once, keep it safe:\n", t.ID, t.Name, t.Role)
		fmt.Fprintln(stdout, secret)
	case "list":
		toks, err := store.Tokens(ctx)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if toks == nil {
			toks = []atlas.Token{}
		}
		return enc.Encode(toks)
	case "revoke":
		if *id < 1 {
			return usagef("-id is required")
		}
		if err := store.RevokeToken(ctx, *id, *user); err != nil {
			return err
		}
		fmt.Fprintln(stderr, "token "+strconv.FormatInt(*id, 10)+" revoked")
	}
	return nil
}
