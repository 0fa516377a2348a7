// Command testreport reads `go test -json` and prints failures in full, a
// line per package, and the count of tests run against PostGIS. Skipped
// tests fail the run: under `make test` nothing may be skipped.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

func main() {
	output := map[string][]string{} // package/test → lines
	var passed, failed, skipped, postgis []string
	var pkgLines []string
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Println(sc.Text()) // build errors and the like are not JSON
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "output":
			output[key] = append(output[key], e.Output)
		case "pass", "fail", "skip":
			if e.Test == "" {
				status := e.Action
				if status == "skip" {
					status = "none" // a package without tests
				}
				pkgLines = append(pkgLines, fmt.Sprintf("%-4s %s (%.1fs)", status, e.Package, e.Elapsed))
				if e.Action == "fail" {
					failed = append(failed, key)
				}
				continue
			}
			switch e.Action {
			case "pass":
				passed = append(passed, key)
			case "fail":
				failed = append(failed, key)
			case "skip":
				skipped = append(skipped, key)
			}
			if e.Action == "pass" && (strings.HasSuffix(e.Package, "/postgis") || strings.Contains(e.Test, "PostGIS")) {
				postgis = append(postgis, key)
			}
		}
	}
	for _, key := range failed {
		fmt.Printf("--- FAIL %s\n%s", key, strings.Join(output[key], ""))
	}
	sort.Strings(pkgLines)
	for _, l := range pkgLines {
		fmt.Println(l)
	}
	for _, key := range skipped {
		fmt.Printf("--- SKIPPED %s\n%s", key, strings.Join(output[key], ""))
	}
	fmt.Printf("\ntests: %d passed, %d failed, %d skipped; run against PostGIS: %d passed\n",
		len(passed), len(failed), len(skipped), len(postgis))
	switch {
	case len(failed) > 0:
		os.Exit(1)
	case len(skipped) > 0:
		fmt.Println("skipped tests are not allowed under make test")
		os.Exit(1)
	case len(postgis) == 0:
		fmt.Println("no PostGIS test ran")
		os.Exit(1)
	}
}
