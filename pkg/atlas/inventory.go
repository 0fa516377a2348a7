package atlas

import (
	"slices"
	"strings"
)

// OfferFilter selects offers of the inventory. Empty fields match every
// offer; a list matches an offer that has any of its items (categories
// a, b: offers of category a or b); different fields must all match.
type OfferFilter struct {
	// Query is searched for in the name, provider and address, without
	// regard to case.
	Query          string
	Categories     []string
	ProviderTypes  []string
	TargetGroups   []string
	HouseholdTypes []string
	Goals          []string
	Conditions     []string
	Languages      []string
	// Age keeps offers whose age range includes it; an offer without an
	// age range is open to every age.
	Age *int
	// BarrierFree is "true", "false" or "unknown" (not known); "" any.
	BarrierFree string
	// Date keeps offers valid on that day; 0 any.
	Date Date
}

// Match reports whether the offer passes the filter.
func (f *OfferFilter) Match(o *Offer) bool {
	one := func(filter []string, v string) bool { return len(filter) == 0 || slices.Contains(filter, v) }
	anyOf := func(filter, have []string) bool {
		if len(filter) == 0 {
			return true
		}
		for _, h := range have {
			if slices.Contains(filter, h) {
				return true
			}
		}
		return false
	}
	switch {
	case !one(f.Categories, o.Category), !one(f.ProviderTypes, o.ProviderType),
		!anyOf(f.TargetGroups, o.TargetGroups), !anyOf(f.HouseholdTypes, o.HouseholdTypes), !anyOf(f.Goals, o.Goals),
		!anyOf(f.Conditions, o.Conditions), !anyOf(f.Languages, o.Languages),
		f.Date != 0 && !o.Validity.Contains(f.Date):
		return false
	}
	if f.Age != nil && ((o.AgeMin != nil && *o.AgeMin > *f.Age) || (o.AgeMax != nil && *o.AgeMax < *f.Age)) {
		return false
	}
	switch f.BarrierFree {
	case "true":
		if o.BarrierFree == nil || !*o.BarrierFree {
			return false
		}
	case "false":
		if o.BarrierFree == nil || *o.BarrierFree {
			return false
		}
	case "unknown":
		if o.BarrierFree != nil {
			return false
		}
	}
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		hay := strings.ToLower(o.Name + "\x00" + o.Provider + "\x00" + o.Address)
		if !strings.Contains(hay, q) {
			return false
		}
	}
	return true
}
