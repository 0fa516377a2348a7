package api

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/auth"
	"github.com/sozialatlas/sozialatlas/pkg/engine"
	"github.com/sozialatlas/sozialatlas/pkg/importer"
)

// routesAdmin registers what changes the atlas: imports, computations and
// tokens, and the audit log of every change.
func (s *Server) routesAdmin(g *echo.Group) {
	editor, admin := require(auth.Editor), require(auth.Admin)
	g.POST("/imports", s.createImport, editor)
	g.GET("/imports", s.listImports, editor)
	g.GET("/imports/:importId", s.getImport, editor)
	g.POST("/compute", s.compute, editor)
	g.GET("/audit", s.audit, editor)
	g.POST("/tokens", s.createToken, admin)
	g.GET("/tokens", s.listTokens, admin)
	g.DELETE("/tokens/:tokenId", s.revokeToken, admin)
	g.GET("/me", s.me)
}

// meDoc says who the caller is to the server: what a client shows and
// offers (editing needs editor).
type meDoc struct {
	Name          string `json:"name"`
	Role          string `json:"role"` // "anonymous" without credentials
	SeesInternal  bool   `json:"sees_internal"`
	EditsOffers   bool   `json:"edits_offers"`
	ManagesTokens bool   `json:"manages_tokens"`
}

// me answers who the caller is; wrong credentials get 401 before this.
func (s *Server) me(c echo.Context) error {
	p := principal(c)
	role := string(p.Role)
	if p.Role == auth.Anonymous {
		role = "anonymous"
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "private, no-cache")
	return c.JSON(http.StatusOK, meDoc{Name: p.Name, Role: role, SeesInternal: p.Role.Sees(atlas.Internal),
		EditsOffers: p.Role.AtLeast(auth.Editor), ManagesTokens: p.Role.AtLeast(auth.Admin)})
}

// createImport takes a zip archive with a manifest (sozialatlas.yaml) and
// the files it names, as `sozialatlas import` takes a folder. It is all or
// nothing: a report with errors writes nothing and answers 422.
func (s *Server) createImport(c echo.Context) error {
	dryRun, err := boolParam(c, "dry_run")
	if err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, s.maxUpload))
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			return atlas.Errorf(atlas.ETOOLARGE, "the upload is larger than %d MB", s.maxUpload>>20)
		}
		return atlas.Errorf(atlas.EINVALID, "read the upload: %v", err)
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		return atlas.Errorf(atlas.EINVALID, "the upload is not a zip archive (%v): send the manifest sozialatlas.yaml and its files zipped, as application/zip", err)
	}
	m, err := importer.ReadManifest(zr, manifestName)
	if err != nil {
		return err
	}
	user := principal(c).Name
	start := time.Now()
	rep, err := importer.Import(c.Request().Context(), s.store, zr, m, importer.Options{DryRun: dryRun, User: user})
	if err != nil {
		return err
	}
	s.metrics.imports.Observe(time.Since(start).Seconds())
	defer s.dataChanged()
	doc := importDoc{Report: rep}
	if !rep.OK() {
		return c.JSON(http.StatusUnprocessableEntity, doc)
	}
	// What depends on the new data is computed again, as after a CLI import.
	if !dryRun && s.catalog != nil {
		start := time.Now()
		doc.Compute, err = (&engine.Engine{Store: s.store, Catalog: s.catalog, Log: s.log}).Recompute(c.Request().Context(), rep.Touched, user)
		if err != nil {
			return err
		}
		s.metrics.computes.Observe(time.Since(start).Seconds())
	}
	status := http.StatusCreated
	if dryRun {
		status = http.StatusOK
	}
	return c.JSON(status, doc)
}

// manifestName is the manifest an uploaded archive must hold.
const manifestName = "sozialatlas.yaml"

type importDoc struct {
	Report  *importer.Report `json:"report"`
	Compute *engine.Report   `json:"compute,omitempty"`
}

func (s *Server) listImports(c echo.Context) error {
	limit, err := intParam(c, "limit", 100, 1, 10000)
	if err != nil {
		return err
	}
	log, err := s.store.Imports(c.Request().Context(), limit)
	if err != nil {
		return err
	}
	if log == nil {
		log = []atlas.ImportRecord{}
	}
	return c.JSON(http.StatusOK, log)
}

func (s *Server) getImport(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("importId"), 10, 64)
	if err != nil || id < 1 {
		return atlas.Errorf(atlas.EINVALID, "import id %q: want a whole number", c.Param("importId"))
	}
	log, err := s.store.Imports(c.Request().Context(), 0)
	if err != nil {
		return err
	}
	for _, r := range log {
		if r.ID == id {
			return c.JSON(http.StatusOK, r)
		}
	}
	return atlas.Errorf(atlas.ENOTFOUND, "import %d does not exist", id)
}

// compute runs the catalog (or the definitions in ?only=a,b).
func (s *Server) compute(c echo.Context) error {
	if s.catalog == nil {
		return atlas.Errorf(atlas.ECONFLICT, "the server runs without an indicator catalog (-catalog none)")
	}
	dryRun, err := boolParam(c, "dry_run")
	if err != nil {
		return err
	}
	opts := engine.Options{DryRun: dryRun, User: principal(c).Name}
	if v := c.QueryParam("only"); v != "" {
		opts.Only = strings.Split(v, ",")
		for _, id := range opts.Only {
			if _, found := s.catalog.Definition(id); !found {
				return atlas.Errorf(atlas.EINVALID, "only: %q is not a definition of the catalog", id)
			}
		}
	}
	start := time.Now()
	defer s.dataChanged()
	rep, err := (&engine.Engine{Store: s.store, Catalog: s.catalog, Log: s.log}).Compute(c.Request().Context(), opts)
	if err != nil {
		return err
	}
	s.metrics.computes.Observe(time.Since(start).Seconds())
	return c.JSON(http.StatusOK, rep)
}

// auditEntry is one change: an import, a computation, an offer created,
// changed, closed or imported from a provider's list, a token created or
// revoked.
type auditEntry struct {
	Time    time.Time `json:"time"`
	User    string    `json:"user"`
	Action  string    `json:"action"`
	Subject string    `json:"subject"`
	Rows    int       `json:"rows"`
}

// audit lists every change, newest first. The import log and the token
// table are the records; this is their common view.
func (s *Server) audit(c echo.Context) error {
	limit, err := intParam(c, "limit", 100, 1, 10000)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	log, err := s.store.Imports(ctx, limit)
	if err != nil {
		return err
	}
	toks, err := s.store.Tokens(ctx)
	if err != nil {
		return err
	}
	out := []auditEntry{}
	for _, r := range log {
		action := "import"
		switch {
		case r.Source.Action != "": // an edit of the offer inventory: offer_create, …
			action = r.Source.Action
		case r.Source.Name == atlas.ComputeSource:
			action = "compute"
		}
		rows := 0
		for _, k := range []atlas.Count{r.Changes.Levels, r.Changes.Units, r.Changes.Layers, r.Changes.Offers, r.Changes.Indicators, r.Changes.Values} {
			rows += k.Inserted + k.Updated
		}
		subject := r.Source.Name + " (import " + strconv.FormatInt(r.ID, 10) + ")"
		if r.Source.Note != "" { // what changed
			subject += ": " + r.Source.Note
		}
		out = append(out, auditEntry{Time: r.Started, User: r.Source.User, Action: action, Subject: subject, Rows: rows})
	}
	for _, t := range toks {
		subject := "token " + strconv.FormatInt(t.ID, 10) + " " + t.Name + " (" + t.Role + ")"
		out = append(out, auditEntry{Time: t.Created, User: t.CreatedBy, Action: "token_create", Subject: subject, Rows: 1})
		if !t.Revoked.IsZero() {
			out = append(out, auditEntry{Time: t.Revoked, User: t.RevokedBy, Action: "token_revoke", Subject: subject, Rows: 1})
		}
	}
	slices.SortStableFunc(out, func(a, b auditEntry) int { return b.Time.Compare(a.Time) })
	return c.JSON(http.StatusOK, out[:min(limit, len(out))])
}

type tokenRequest struct {
	Name string    `json:"name"`
	Role auth.Role `json:"role"`
}

// createToken makes a token; its secret is in this answer only.
func (s *Server) createToken(c echo.Context) error {
	var req tokenRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if !req.Role.Valid() {
		return atlas.Errorf(atlas.EINVALID, "role %q: want viewer, analyst, editor or admin", req.Role)
	}
	secret, hash := auth.NewToken()
	t, err := s.store.CreateToken(c.Request().Context(), atlas.Token{Name: req.Name, Role: string(req.Role), Hash: hash, CreatedBy: principal(c).Name})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, struct {
		atlas.Token
		Secret string `json:"token"`
	}{t, secret})
}

func (s *Server) listTokens(c echo.Context) error {
	toks, err := s.store.Tokens(c.Request().Context())
	if err != nil {
		return err
	}
	if toks == nil {
		toks = []atlas.Token{}
	}
	return c.JSON(http.StatusOK, toks)
}

func (s *Server) revokeToken(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("tokenId"), 10, 64)
	if err != nil || id < 1 {
		return atlas.Errorf(atlas.EINVALID, "token id %q: want a whole number", c.Param("tokenId"))
	}
	if err := s.store.RevokeToken(c.Request().Context(), id, principal(c).Name); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// decodeJSON reads a small JSON body strictly: unknown fields are errors.
func decodeJSON(c echo.Context, v any) error {
	dec := jsonDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, 1<<20))
	if err := dec.Decode(v); err != nil {
		return atlas.Errorf(atlas.EINVALID, "request body: %v", err)
	}
	return nil
}

// boolParam reads an optional true/false query parameter.
func boolParam(c echo.Context, name string) (bool, error) {
	v := c.QueryParam(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, atlas.Errorf(atlas.EINVALID, "%s %q: want true or false", name, v)
	}
	return b, nil
}

// intParam reads an optional whole number within bounds.
func intParam(c echo.Context, name string, def, lo, hi int) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, atlas.Errorf(atlas.EINVALID, "%s %q: want a whole number from %d to %d", name, v, lo, hi)
	}
	return n, nil
}
