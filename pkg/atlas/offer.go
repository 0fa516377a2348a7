package atlas

import (
	"regexp"
	"slices"
	"strings"

	"github.com/paulmach/orb"
)

// OfferLayer is a set of help offers of one kind (Kitas, youth centres,
// counselling), usually from one source.
type OfferLayer struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Source      string `json:"source,omitempty"`
	Licence     string `json:"licence,omitempty"`
	Attribution string `json:"attribution,omitempty"`
	// Visibility decides who sees the layer's offers, by the same rule as
	// an indicator's (auth.Role.Sees): public, internal (analysts and
	// above) or confidential (nobody; the engine still counts them, e.g.
	// the addresses of women's shelters). Stores read "" as public.
	Visibility Visibility `json:"visibility"`
	// Offers is the number of offers in the layer, filled in by the store.
	Offers int `json:"offers"`
}

// Validate checks the layer on its own.
func (l *OfferLayer) Validate() error {
	if err := checkID("offer layer", l.ID); err != nil {
		return err
	}
	if strings.TrimSpace(l.Name) == "" {
		return Errorf(EINVALID, "offer layer %s: name is empty", l.ID)
	}
	if err := checkText(l.Name, l.Description, l.Source, l.Licence, l.Attribution); err != nil {
		return Errorf(EINVALID, "offer layer %s: %s", l.ID, ErrorMessage(err))
	}
	switch l.Visibility {
	case "", Public, Internal, Confidential:
	default:
		return Errorf(EINVALID, "offer layer %s: visibility %q: want public, internal or confidential", l.ID, l.Visibility)
	}
	return nil
}

// Offer is one help offer (Angebot): a place with a category, a provider
// (Träger) and, where known, a capacity.
type Offer struct {
	Layer        string   `json:"layer"`
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Category     string   `json:"category,omitempty"`
	Subcategory  string   `json:"subcategory,omitempty"`
	Provider     string   `json:"provider,omitempty"`
	ProviderType string   `json:"provider_type,omitempty"`
	Capacity     *int     `json:"capacity,omitempty"` // places; nil when unknown, never 0 for unknown
	Address      string   `json:"address,omitempty"`
	TargetGroups []string `json:"target_groups,omitempty"`
	// Attributes are the publisher's other fields, kept as they came.
	Attributes map[string]any `json:"attributes,omitempty"`
	Validity
	Geometry orb.Point `json:"-"` // WGS84

	// The inventory of a poverty-prevention office asks of every offer:
	// for whom (ages, household types, the other target groups above), on
	// which conditions, towards which goals, and how to get there.
	AgeMin         *int     `json:"age_min,omitempty"`         // years, inclusive; nil: no lower bound given
	AgeMax         *int     `json:"age_max,omitempty"`         // years, inclusive
	HouseholdTypes []string `json:"household_types,omitempty"` // HouseholdTypes()
	Conditions     []string `json:"conditions,omitempty"`      // Conditions()
	ConditionsNote string   `json:"conditions_note,omitempty"` // what the vocabulary cannot say
	// Goals are dimensions of poverty prevention from the catalog's
	// vocabulary (DefaultGoals unless the catalog sets its own).
	Goals        []string `json:"goals,omitempty"`
	Languages    []string `json:"languages,omitempty"`    // ISO 639 codes: de, en, tr, ar, …
	BarrierFree  *bool    `json:"barrier_free,omitempty"` // nil: not known
	OpeningHours string   `json:"opening_hours,omitempty"`
	Contact      string   `json:"contact,omitempty"` // phone, e-mail or URL, as text
}

// The vocabularies of the inventory. Provider types and the vocabularies
// below are fixed; goals come from the catalog.
var (
	providerTypes  = []string{"municipal", "non_profit", "private"}
	householdTypes = []string{"single", "couple", "family", "single_parent"}
	conditions     = []string{"sgb2_receipt", "residence_in_area", "referral_needed", "free_of_charge", "fee"}
	// DefaultGoals are the dimensions of poverty prevention an inventory
	// sorts offers by when the catalog names none.
	DefaultGoals = []string{"Existenzsicherung", "Bildung", "Gesundheit", "Wohnen", "Arbeit", "soziale Teilhabe"}
)

// ProviderTypes are the kinds of provider (Trägerart) an offer entered into
// the inventory names: municipal (kommunal), non_profit (freier
// gemeinnütziger Träger) and private (privat-gewerblich). Offers imported
// from publishers' files keep the publisher's own words.
func ProviderTypes() []string { return slices.Clone(providerTypes) }

// HouseholdTypes are the households an offer is for: single (allein
// lebend), couple (Paar ohne Kinder), family (Paar mit Kindern),
// single_parent (Alleinerziehende).
func HouseholdTypes() []string { return slices.Clone(householdTypes) }

// Conditions are the conditions of access: receipt of SGB II benefits,
// residence in the area, a referral, free of charge, a fee.
func Conditions() []string { return slices.Clone(conditions) }

// CheckProviderType refuses a provider type outside ProviderTypes.
func CheckProviderType(s string) error {
	if !slices.Contains(providerTypes, s) {
		return Errorf(EINVALID, "provider_type %q: want one of %s", s, strings.Join(providerTypes, ", "))
	}
	return nil
}

// CheckGoals refuses goals outside the vocabulary.
func CheckGoals(goals, vocabulary []string) error {
	for _, g := range goals {
		if !slices.Contains(vocabulary, g) {
			return Errorf(EINVALID, "goal %q: want one of %s", g, strings.Join(vocabulary, ", "))
		}
	}
	return nil
}

// CheckGoalVocabulary checks a catalog's goal vocabulary: names that fit
// in a list cell (no commas) and in a URL, none twice.
func CheckGoalVocabulary(goals []string) error {
	if len(goals) == 0 || len(goals) > 30 {
		return Errorf(EINVALID, "goals: want 1 to 30 names, got %d", len(goals))
	}
	seen := map[string]bool{}
	for _, g := range goals {
		if err := checkListItem("goal", g); err != nil {
			return err
		}
		if seen[g] {
			return Errorf(EINVALID, "goal %q is named twice", g)
		}
		seen[g] = true
	}
	return nil
}

// maxAge bounds the age range of an offer, in years.
const maxAge = 130

// maxInventoryText bounds the free texts of an offer (opening hours,
// contact, conditions note).
const maxInventoryText = 2000

var languageCode = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$`)

// checkListItem refuses an item of a list field that a comma-separated
// cell (GeoJSON properties, CSV) or a filter could not carry.
func checkListItem(kind, s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return Errorf(EINVALID, "empty %s", kind)
	case strings.TrimSpace(s) != s:
		return Errorf(EINVALID, "%s %q has leading or trailing spaces", kind, s)
	case strings.ContainsAny(s, ",;"):
		return Errorf(EINVALID, "%s %q contains a comma or semicolon, which separate list items", kind, s)
	case len(s) > 100:
		return Errorf(EINVALID, "%s %.20q… is longer than 100 bytes", kind, s)
	}
	return checkText(s)
}

// FieldError is a problem with one field of an offer.
type FieldError struct {
	Field   string // as in JSON: age_min, conditions, …
	Message string
}

// InventoryErrors checks the inventory fields against the fixed
// vocabularies and bounds, each problem with its field; goals are checked
// against the catalog's vocabulary by CheckGoals.
func (o *Offer) InventoryErrors() []FieldError {
	var out []FieldError
	add := func(field string, err error) {
		if err != nil {
			out = append(out, FieldError{field, ErrorMessage(err)})
		}
	}
	for _, a := range []struct {
		field string
		v     *int
	}{{"age_min", o.AgeMin}, {"age_max", o.AgeMax}} {
		if a.v != nil && (*a.v < 0 || *a.v > maxAge) {
			add(a.field, Errorf(EINVALID, "%s %d: want whole years from 0 to %d", a.field, *a.v, maxAge))
		}
	}
	if o.AgeMin != nil && o.AgeMax != nil && *o.AgeMin > *o.AgeMax {
		add("age_max", Errorf(EINVALID, "age_min %d is above age_max %d", *o.AgeMin, *o.AgeMax))
	}
	for _, l := range []struct {
		field, kind string
		items       []string
		vocab       []string
	}{{"household_types", "household type", o.HouseholdTypes, householdTypes}, {"conditions", "condition", o.Conditions, conditions},
		{"goals", "goal", o.Goals, nil}, {"languages", "language", o.Languages, nil}} {
		add(l.field, checkList(l.kind, l.items, l.vocab))
	}
	if slices.Contains(o.Conditions, "free_of_charge") && slices.Contains(o.Conditions, "fee") {
		add("conditions", Errorf(EINVALID, "conditions free_of_charge and fee contradict each other: say one"))
	}
	for _, l := range o.Languages {
		if !languageCode.MatchString(l) {
			add("languages", Errorf(EINVALID, "language %q: want an ISO 639 code such as de, en, tr, ar (optionally with a region, de-AT)", l))
			break
		}
	}
	for _, t := range []struct{ name, text string }{{"conditions_note", o.ConditionsNote}, {"opening_hours", o.OpeningHours}, {"contact", o.Contact}} {
		if len(t.text) > maxInventoryText {
			add(t.name, Errorf(EINVALID, "%s is longer than %d bytes", t.name, maxInventoryText))
		}
		add(t.name, checkText(t.text))
	}
	return out
}

// checkList checks the items of a list field: each once, each a valid
// item, each in the vocabulary when there is one.
func checkList(kind string, items, vocab []string) error {
	seen := map[string]bool{}
	for _, it := range items {
		if err := checkListItem(kind, it); err != nil {
			return err
		}
		if vocab != nil && !slices.Contains(vocab, it) {
			return Errorf(EINVALID, "%s %q: want one of %s", kind, it, strings.Join(vocab, ", "))
		}
		if seen[it] {
			return Errorf(EINVALID, "%s %q is given twice", kind, it)
		}
		seen[it] = true
	}
	return nil
}

func (o *Offer) validateInventory() error {
	if errs := o.InventoryErrors(); len(errs) > 0 {
		return Errorf(EINVALID, "%s", errs[0].Message)
	}
	return nil
}

// Validate checks the offer's fields and coordinates.
func (o *Offer) Validate() error {
	if err := checkCode("offer", o.ID); err != nil {
		return err
	}
	if strings.TrimSpace(o.Name) == "" {
		return Errorf(EINVALID, "offer %s: name is empty", o.ID)
	}
	if err := checkText(append([]string{o.Name, o.Category, o.Subcategory, o.Provider, o.ProviderType, o.Address}, o.TargetGroups...)...); err != nil {
		return Errorf(EINVALID, "offer %s: %s", o.ID, ErrorMessage(err))
	}
	if err := checkAttributes(o.Attributes); err != nil {
		return Errorf(EINVALID, "offer %s: attributes: %s", o.ID, ErrorMessage(err))
	}
	if o.Capacity != nil && *o.Capacity < 0 {
		return Errorf(EINVALID, "offer %s: capacity %d is negative", o.ID, *o.Capacity)
	}
	for _, g := range o.TargetGroups {
		if strings.TrimSpace(g) == "" {
			return Errorf(EINVALID, "offer %s: empty target group", o.ID)
		}
	}
	if err := o.Validity.validate(); err != nil {
		return Errorf(EINVALID, "offer %s: %s", o.ID, ErrorMessage(err))
	}
	if err := o.validateInventory(); err != nil {
		return Errorf(EINVALID, "offer %s: %s", o.ID, ErrorMessage(err))
	}
	if err := checkLonLat(o.Geometry); err != nil {
		return Errorf(EINVALID, "offer %s: %s", o.ID, ErrorMessage(err))
	}
	return nil
}

// checkAttributes applies checkText to every key and text in free
// attributes, however deeply nested.
func checkAttributes(v any) error {
	switch v := v.(type) {
	case string:
		return checkText(v)
	case map[string]any:
		for k, x := range v {
			if err := checkText(k); err != nil {
				return err
			}
			if err := checkAttributes(x); err != nil {
				return err
			}
		}
	case []any:
		for _, x := range v {
			if err := checkAttributes(x); err != nil {
				return err
			}
		}
	}
	return nil
}
