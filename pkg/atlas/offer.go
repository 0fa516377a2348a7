package atlas

import (
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
