package indicator_test

import (
	"testing"

	"github.com/sozialatlas/sozialatlas/indicators"
	"github.com/sozialatlas/sozialatlas/pkg/indicator"
)

func TestShippedCatalogsLoad(t *testing.T) {
	for _, dir := range []string{"berlin", "synth"} {
		c, err := indicator.Load(indicators.FS(), dir)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		t.Logf("%s: %d inputs, %d definitions", dir, len(c.Inputs), len(c.Definitions))
	}
}
