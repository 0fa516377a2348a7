package gpkg_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/paulmach/orb"
	"github.com/sozialatlas/sozialatlas/pkg/gpkg"
)

func ExampleRead() {
	layer, features, err := gpkg.Read(context.Background(), "testdata/kitas_sample_4326.gpkg", "")
	if err != nil {
		log.Fatal(err)
	}
	f := features[0]
	fmt.Printf("%s in %s:%d, %d features\n", layer.Name, layer.Organization, layer.OrgCoordsysID, layer.Count)
	fmt.Println(f.FID, f.Properties["name"], f.Properties["kapazitaet"], f.Geometry)
	// Output:
	// kitas in EPSG:4326, 20 features
	// 1 Kita F.A.I.R.play 69 [13.384393 52.522516]
}

func ExampleWriter() {
	dir, err := os.MkdirTemp("", "gpkg-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "offers.gpkg")

	w, err := gpkg.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	err = w.AddLayer("offers", "POINT", 4326, []gpkg.Field{{Name: "name", Type: "TEXT"}, {Name: "places", Type: "INTEGER"}})
	if err != nil {
		log.Fatal(err)
	}
	err = w.Write("offers", gpkg.Feature{
		Properties: map[string]any{"name": "Kita Pusteblume", "places": 86},
		Geometry:   orb.Point{13.410325, 52.507782},
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	_, features, err := gpkg.Read(context.Background(), path, "offers")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(features[0].FID, features[0].Properties["places"], features[0].Geometry)
	// Output:
	// 1 86 [13.410325 52.507782]
}
