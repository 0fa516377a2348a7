package migrate

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		files   fstest.MapFS
		want    []string
		wantErr string
	}{
		{"ordered", fstest.MapFS{
			"0002_b.sql": {Data: []byte("B")},
			"0001_a.sql": {Data: []byte("A")},
			"README.md":  {Data: []byte("ignored")},
		}, []string{"0001_a.sql", "0002_b.sql"}, ""},
		{"gap", fstest.MapFS{"0001_a.sql": {}, "0003_c.sql": {}}, nil, "want version 2"},
		{"bad name", fstest.MapFS{"init.sql": {}}, nil, "must start with a positive number"},
		{"empty", fstest.MapFS{}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := Load(tt.files, ".")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range ms {
				got = append(got, m.Name)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
