package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/classify"
)

// indicatorDoc is an indicator as the API lists it.
type indicatorDoc struct {
	atlas.Indicator
	Computed       bool              `json:"computed"`
	Levels         []string          `json:"levels"`
	Dates          []atlas.Date      `json:"dates"`
	Classification classificationDoc `json:"classification"`
}

// classificationDoc is an indicator's default classification.
type classificationDoc struct {
	Method  string    `json:"method"`
	K       int       `json:"k,omitempty"`
	Cutoffs []float64 `json:"cutoffs,omitempty"`
	Labels  []string  `json:"labels,omitempty"`
	Scheme  string    `json:"scheme"`
}

// classificationOf is an indicator's default classification: the catalog's,
// or quantiles in 5 classes.
func (s *Server) classificationOf(ind atlas.Indicator) classificationDoc {
	cd := classificationDoc{Method: string(classify.Quantile), K: 5}
	if s.catalog != nil {
		if d, found := s.catalog.Definition(ind.ID); found && d.Classification != nil {
			cl := d.Classification
			cd = classificationDoc{Method: cl.Method, K: cl.K, Labels: cl.Labels, Scheme: cl.Scheme}
			if cl.Method == string(classify.Manual) {
				cd.Cutoffs, cd.K = cl.Breaks, 0
			} else if cd.K == 0 {
				cd.K = 5
			}
		}
	}
	if cd.Scheme == "" {
		cd.Scheme = classify.DefaultScheme(string(ind.Polarity))
	}
	return cd
}

func (s *Server) indicators(c echo.Context) error {
	vis, err := s.visible(c)
	if err != nil {
		return err
	}
	series, err := s.series(c.Request().Context())
	if err != nil {
		return err
	}
	levels, err := s.store.Levels(c.Request().Context())
	if err != nil {
		return err
	}
	depth := map[string]int{}
	for i, l := range levels {
		depth[l.ID] = i
	}
	docs := map[string]*indicatorDoc{}
	for _, ind := range vis {
		d := &indicatorDoc{Indicator: ind, Levels: []string{}, Dates: []atlas.Date{}, Classification: s.classificationOf(ind)}
		if s.catalog != nil {
			_, d.Computed = s.catalog.Definition(ind.ID)
		}
		docs[ind.ID] = d
	}
	for _, sr := range series {
		d := docs[sr.Indicator]
		if d == nil {
			continue
		}
		d.Levels = append(d.Levels, sr.Level)
		for _, t := range sr.Dates {
			if !slices.Contains(d.Dates, t) {
				d.Dates = append(d.Dates, t)
			}
		}
	}
	topic, q := c.QueryParam("topic"), strings.ToLower(c.QueryParam("q"))
	out := []*indicatorDoc{}
	for _, d := range docs {
		if topic != "" && d.Topic != topic {
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(d.ID+" "+d.Name+" "+d.Description+" "+d.Topic), q) {
			continue
		}
		slices.SortFunc(d.Levels, func(a, b string) int { return depth[a] - depth[b] })
		slices.Sort(d.Dates)
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b *indicatorDoc) int { return strings.Compare(a.Topic+"\x00"+a.ID, b.Topic+"\x00"+b.ID) })
	return c.JSON(http.StatusOK, out)
}

// valueDoc is one unit's value in a values answer. A withheld or missing
// value has no number: Value is null, never a hint of the withheld one.
type valueDoc struct {
	Code        string      `json:"code"`
	Name        string      `json:"name"`
	Value       *float64    `json:"value"`
	Numerator   atlas.Float `json:"numerator"`
	Denominator atlas.Float `json:"denominator"`
	Status      string      `json:"status"`
	Class       *string     `json:"class"`
}

type valuesDoc struct {
	tableHead
	Classification *classify.Legend `json:"classification"`
	Values         []valueDoc       `json:"values"`
}

func (s *Server) indicatorValues(c echo.Context) error {
	// The same values as CSV or XLSX, when ?format= or Accept asks.
	c.Response().Header().Add(echo.HeaderVary, echo.HeaderAccept)
	f, err := tableFormatOf(c)
	if err != nil {
		return err
	}
	if f != nil {
		return s.exportValues(c, f)
	}
	t, err := s.tableOf(c, c.Param("id"))
	if err != nil {
		return err
	}
	if err := s.classify(c, t); err != nil {
		return err
	}
	doc := valuesDoc{tableHead: t.head(),
		Classification: t.Legend, Values: make([]valueDoc, 0, len(t.Rows))}
	for _, r := range t.Rows {
		doc.Values = append(doc.Values, valueDoc{Code: r.Code, Name: r.Name, Value: r.Value, Numerator: r.Numerator,
			Denominator: r.Denominator, Status: string(r.Status), Class: t.classOf(r.Value)})
	}
	return c.JSON(http.StatusOK, doc)
}

// legendOptions reads method, k and scheme from the request, defaulting to
// the indicator's classification.
func (s *Server) legendOptions(c echo.Context, ind atlas.Indicator) (classify.Options, error) {
	cd := s.classificationOf(ind)
	o := classify.Options{Method: classify.Method(cd.Method), K: cd.K, Cutoffs: cd.Cutoffs, Labels: cd.Labels,
		Scheme: cd.Scheme, Polarity: string(ind.Polarity)}
	if m := c.QueryParam("method"); m != "" {
		if !slices.Contains(classify.Methods(), classify.Method(m)) || m == string(classify.Manual) {
			return o, atlas.Errorf(atlas.EINVALID, "method %q: want quantile, equal_interval, jenks or stddev", m)
		}
		o.Method, o.Cutoffs, o.Labels = classify.Method(m), nil, nil
		if o.K == 0 {
			o.K = 5
		}
	}
	if v := c.QueryParam("k"); v != "" {
		k, err := strconv.Atoi(v)
		if err != nil || k < classify.MinK || k > classify.MaxK {
			return o, atlas.Errorf(atlas.EINVALID, "k %q: want a whole number from %d to %d", v, classify.MinK, classify.MaxK)
		}
		if o.Method == classify.Manual {
			return o, atlas.Errorf(atlas.EINVALID, "k applies to a method: the classes of %s are fixed (say method too)", ind.ID)
		}
		o.K = k
	}
	if v := c.QueryParam("scheme"); v != "" {
		known := false
		for _, sc := range classify.Schemes() {
			known = known || sc.Name == v
		}
		if !known {
			return o, atlas.Errorf(atlas.EINVALID, "scheme %q is not a ColorBrewer scheme sozialatlas knows", v)
		}
		o.Scheme = v
	}
	return o, nil
}

func joinDates(ds []atlas.Date) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = d.String()
	}
	return strings.Join(s, ", ")
}
