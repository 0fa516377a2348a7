package auth

import (
	"testing"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

func TestSees(t *testing.T) {
	for _, tc := range []struct {
		role                     Role
		public, internal, confid bool
	}{
		{Anonymous, true, false, false},
		{Viewer, true, false, false},
		{Analyst, true, true, false},
		{Editor, true, true, false},
		{Admin, true, true, false},
		{Role("root"), true, false, false}, // unknown roles get nothing more than anonymous
	} {
		got := [3]bool{tc.role.Sees(atlas.Public), tc.role.Sees(atlas.Internal), tc.role.Sees(atlas.Confidential)}
		if want := [3]bool{tc.public, tc.internal, tc.confid}; got != want {
			t.Errorf("%q sees public, internal, confidential: %v, want %v", tc.role, got, want)
		}
	}
	if !Admin.AtLeast(Editor) || Editor.AtLeast(Admin) || !Viewer.AtLeast(Anonymous) || Anonymous.AtLeast(Viewer) {
		t.Error("role order broken")
	}
}
