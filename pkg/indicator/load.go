package indicator

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/strictyaml"
)

// DefaultK is the disclosure threshold when the catalog sets none: counts
// below 3 are suppressed, the usual rule of German statistics offices.
const DefaultK = 3

// maxProblems bounds the list of problems Load reports.
const maxProblems = 50

// Error lists every problem Load found, each with file and line.
type Error struct {
	Problems []string
	More     int // problems beyond the listed ones
}

func (e *Error) Error() string {
	s := "indicator catalog: " + strings.Join(e.Problems, "; ")
	if e.More > 0 {
		s += fmt.Sprintf("; and %d more", e.More)
	}
	return s
}

type problems struct{ e Error }

func (p *problems) add(format string, args ...any) {
	if len(p.e.Problems) < maxProblems {
		p.e.Problems = append(p.e.Problems, fmt.Sprintf(format, args...))
	} else {
		p.e.More++
	}
}

func (p *problems) err() error {
	if len(p.e.Problems) == 0 {
		return nil
	}
	e := p.e
	return atlas.Errorf(atlas.EINVALID, "%s", e.Error())
}

// file is one catalog file as written.
type file struct {
	Defaults    *Defaults     `yaml:"defaults"`
	Inventory   *Inventory    `yaml:"inventory"`
	Gaps        []*GapPair    `yaml:"gaps"`
	Inputs      []*Input      `yaml:"inputs"`
	Definitions []*Definition `yaml:"indicators"`
}

// Load reads every *.yaml file in dir of fsys (in name order) as one
// catalog and checks it. Errors are *atlas.Error of kind EINVALID whose
// message lists each problem with file and line.
func Load(fsys fs.FS, dir string) (*Catalog, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, atlas.Errorf(atlas.EINVALID, "indicator catalog: %v", err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if e.IsDir() || !(strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, atlas.Errorf(atlas.EINVALID, "indicator catalog: %v", err)
		}
		files[path.Join(dir, e.Name())] = b
	}
	if len(files) == 0 {
		return nil, atlas.Errorf(atlas.EINVALID, "indicator catalog: no .yaml files in %s", dir)
	}
	return Parse(files)
}

// Parse checks a catalog given as file name → contents.
func Parse(files map[string][]byte) (*Catalog, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var p problems
	c := &Catalog{inputs: map[string]*Input{}, defs: map[string]*Definition{}}
	defaultsFrom := ""
	for _, name := range names {
		f, err := parseFile(name, files[name])
		if err != nil {
			p.add("%s", err)
			continue
		}
		if f.Defaults != nil {
			if defaultsFrom != "" {
				p.add("%s: defaults are already set in %s; set them once", name, defaultsFrom)
			}
			defaultsFrom = name
			c.Defaults = *f.Defaults
		}
		if f.Inventory != nil {
			if c.Inventory != nil {
				p.add("%s:%d: inventory is already set in %s; set it once", name, f.Inventory.Line, c.Inventory.File)
			}
			c.Inventory = f.Inventory
		}
		c.Gaps = append(c.Gaps, f.Gaps...)
		for _, in := range f.Inputs {
			if prev, dup := c.inputs[in.ID]; dup {
				p.add("%s:%d: input %s is already declared at %s:%d", in.File, in.Line, in.ID, prev.File, prev.Line)
				continue
			}
			c.inputs[in.ID] = in
			c.Inputs = append(c.Inputs, in)
		}
		for _, d := range f.Definitions {
			if prev, dup := c.defs[d.ID]; dup {
				p.add("%s: indicator %s is already defined at %s:%d", d.where(""), d.ID, prev.File, prev.Line)
				continue
			}
			if _, dup := c.inputs[d.ID]; dup {
				p.add("%s: %s is declared as an input and defined as a computed indicator", d.where(""), d.ID)
				continue
			}
			c.defs[d.ID] = d
			c.Definitions = append(c.Definitions, d)
		}
	}
	for _, d := range c.Definitions {
		if _, dup := c.inputs[d.ID]; dup {
			p.add("%s: %s is declared as an input and defined as a computed indicator", d.where(""), d.ID)
		}
	}
	if c.Defaults.Disclosure == nil {
		c.Defaults.Disclosure = &Disclosure{K: DefaultK}
	}
	if c.Defaults.Align == "" {
		c.Defaults.Align = AlignLatest
	}
	if c.Defaults.Align != AlignSame && c.Defaults.Align != AlignLatest {
		p.add("defaults.align %q: want same or latest", c.Defaults.Align)
	}
	for _, in := range c.Inputs {
		checkInput(&p, in)
	}
	for _, d := range c.Definitions {
		checkDefinition(&p, c, d)
		checkTargets(&p, d)
	}
	if c.Inventory != nil {
		checkInventory(&p, c.Inventory)
	}
	checkGapPairs(&p, c)
	if len(p.e.Problems) == 0 {
		order(&p, c)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	for _, d := range c.Definitions {
		if d.Compute.Op == OpCross && d.Classification == nil {
			d.Classification = crossClasses(c.defs[d.Compute.Inputs[0]], c.defs[d.Compute.Inputs[1]])
		}
		d.Hash = hashOf(d)
	}
	return c, nil
}

func parseFile(name string, b []byte) (*file, error) {
	f := &file{}
	if err := strictyaml.Decode(b, f); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil || len(root.Content) != 1 {
		return f, nil
	}
	top := root.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		key, val := top.Content[i].Value, top.Content[i+1]
		switch key {
		case "inputs":
			for j, item := range val.Content {
				if j < len(f.Inputs) && f.Inputs[j] != nil {
					f.Inputs[j].File, f.Inputs[j].Line = name, item.Line
				}
			}
		case "inventory":
			if f.Inventory != nil {
				f.Inventory.File, f.Inventory.Line = name, val.Line
			}
		case "gaps":
			for j, item := range val.Content {
				if j < len(f.Gaps) && f.Gaps[j] != nil {
					f.Gaps[j].File, f.Gaps[j].Line = name, item.Line
				}
			}
		case "indicators":
			for j, item := range val.Content {
				if j < len(f.Definitions) && f.Definitions[j] != nil {
					d := f.Definitions[j]
					d.File, d.Line = name, item.Line
					d.lines = map[string]int{}
					fieldLines(item, "", d.lines)
				}
			}
		}
	}
	f.Inputs = slices.DeleteFunc(f.Inputs, func(in *Input) bool { return in == nil })
	f.Gaps = slices.DeleteFunc(f.Gaps, func(g *GapPair) bool { return g == nil })
	f.Definitions = slices.DeleteFunc(f.Definitions, func(d *Definition) bool { return d == nil })
	return f, nil
}

// fieldLines records the line of every key of a mapping, nested keys as
// "compute.numerator". Keys merged with << count unless the mapping sets
// them itself, as YAML's merge does.
func fieldLines(n *yaml.Node, prefix string, out map[string]int) {
	fieldLinesExcept(n, prefix, out, nil)
}

func fieldLinesExcept(n *yaml.Node, prefix string, out map[string]int, skip map[string]bool) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return
	}
	own := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		own[n.Content[i].Value] = true
	}
	for k := range skip {
		own[k] = true
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Value == "<<" {
			fieldLinesExcept(n.Content[i+1], prefix, out, own)
			continue
		}
		if skip[k.Value] {
			continue
		}
		out[prefix+k.Value] = k.Line
		fieldLines(n.Content[i+1], prefix+k.Value+".", out)
	}
}

// UnmarshalYAML accepts {k: 3} or none.
func (d *Disclosure) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		if n.Value == "none" {
			*d = Disclosure{K: 0}
			return nil
		}
		return fmt.Errorf("line %d: disclosure %q: want none or {k: N}", n.Line, n.Value)
	}
	var v struct {
		K *int `yaml:"k"`
	}
	if err := n.Decode(&v); err != nil {
		return err
	}
	if v.K == nil || *v.K < 1 || *v.K > 100 {
		return fmt.Errorf("line %d: disclosure: want {k: N} with N from 1 to 100, or none", n.Line)
	}
	d.K = *v.K
	return nil
}

// MarshalYAML writes the rule back in the same form.
func (d Disclosure) MarshalYAML() (any, error) {
	if d.K == 0 {
		return "none", nil
	}
	return map[string]int{"k": d.K}, nil
}

// crossClasses labels the classes of a cross: group n is
// "label of a / label of b", in the order cross numbers them.
func crossClasses(a, b *Definition) *Classification {
	cl := &Classification{Method: "manual"}
	for _, la := range a.Classification.Labels {
		for _, lb := range b.Classification.Labels {
			cl.Labels = append(cl.Labels, la+" / "+lb)
		}
	}
	for n := 1; n < len(cl.Labels); n++ {
		cl.Breaks = append(cl.Breaks, float64(n)+0.5)
	}
	return cl
}
