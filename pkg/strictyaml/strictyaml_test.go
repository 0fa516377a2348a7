package strictyaml

import "testing"

func TestDecode(t *testing.T) {
	type item struct {
		ID string `yaml:"id"`
	}
	var v struct {
		Items []item `yaml:"items"`
	}
	if err := Decode([]byte("items:\n  - {id: a}\n"), &v); err != nil || len(v.Items) != 1 || v.Items[0].ID != "a" {
		t.Fatalf("valid document: %v %+v", err, v)
	}
	if err := Decode(nil, &v); err != nil {
		t.Errorf("empty document: %v", err)
	}
	// A typo in an alias used three times is reported once, with its line.
	doc := "base: &b {idd: x}\nitems:\n  - *b\n  - *b\n  - *b\n"
	var w struct {
		Base  item   `yaml:"base"`
		Items []item `yaml:"items"`
	}
	err := Decode([]byte(doc), &w)
	if err == nil || err.Error() != "line 1: field idd not found in type strictyaml.item" {
		t.Errorf("unknown key: got %v", err)
	}
	if err := Decode([]byte("items: [\n"), &w); err == nil || err.Error()[:5] == "yaml:" {
		t.Errorf("syntax error: got %v", err)
	}
}
