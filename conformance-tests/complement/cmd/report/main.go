// Command report turns `go test -json` output of Complement runs into a results file, a summary
// and a list of failure messages, and checks the ratchet: every test listed in passing.txt must
// pass, and tests that pass but are not listed are printed so they get added.
//
//	report -out DIR [-passing passing.txt [-ratchet] [-write-passing]] run.jsonl [rerun.jsonl ...]
//	report -plan list.txt   prints "<package> <-run regex>" for the top-level tests of a list
//
// A later file (a rerun of failed tests) overrides an earlier one for the tests it ran; a test
// that failed first and passed on the rerun is reported as flaky.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	outDir := flag.String("out", ".", "directory for results.tsv, summary.txt and failures.txt")
	passingPath := flag.String("passing", "", "the ratchet's list of tests that must pass")
	ratchet := flag.Bool("ratchet", false, "exit 1 if a test listed in -passing did not pass")
	writePassing := flag.Bool("write-passing", false, "rewrite -passing with every test that passed")
	plan := flag.String("plan", "", "print the go test -run pattern of each package of this list, and exit")
	flag.Parse()
	if *plan != "" {
		listed, err := readPassing(*plan)
		check(err)
		fmt.Print(runPlan(listed))
		return
	}
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "report: give at least one go test -json output file")
		os.Exit(2)
	}

	results := newResults()
	for i, path := range flag.Args() {
		if err := results.readFile(path, i > 0); err != nil {
			fmt.Fprintf(os.Stderr, "report: %s: %s\n", path, err)
			os.Exit(2)
		}
	}
	results.finish()

	check(results.writeTSV(filepath.Join(*outDir, "results.tsv")))
	check(results.writeFailures(filepath.Join(*outDir, "failures.txt")))
	summary := results.summary()
	check(os.WriteFile(filepath.Join(*outDir, "summary.txt"), []byte(summary), 0o644))

	exit := 0
	if *passingPath != "" {
		listed, err := readPassing(*passingPath)
		check(err)
		verdict := results.ratchet(listed)
		fmt.Print(verdict.text)
		check(os.WriteFile(filepath.Join(*outDir, "regressed.txt"), []byte(verdict.regressedList), 0o644))
		if *ratchet && verdict.regressions > 0 {
			exit = 1
		}
		if *writePassing {
			check(results.writePassing(*passingPath))
			fmt.Printf("wrote %s\n", *passingPath)
		}
	}
	fmt.Print(summary)
	if !*ratchet && results.anyFailed() {
		exit = 1
	}
	os.Exit(exit)
}

func check(err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "report: %s\n", err)
		os.Exit(2)
	}
}
