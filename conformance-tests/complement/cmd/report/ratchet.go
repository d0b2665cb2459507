package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
)

// passing.txt holds one test a line: "<package> <test path>", e.g.
// "tests/csapi TestLogin/parallel/POST_/login_can_login_as_user" (Go writes spaces in test names
// as underscores, so the first space separates). Every level is listed: a top-level test is
// listed when it passed as a whole, and each of its passing subtests is listed too, so a
// top-level test that still fails somewhere keeps its passing subtests under the ratchet.
// Lines starting with # are comments.
const passingHeader = `# Complement tests Cairn passes: "<package> <test path>", one a line, sorted.
# conformance-tests/complement/run.sh --ratchet runs the top-level tests named here and fails if
# any line below did not pass. Regenerate after a full run with run.sh --write-passing.
`

func readPassing(path string) ([]key, error) {
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	defer f.Close()
	var keys []key
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		pkg, test, ok := strings.Cut(line, " ")
		if !ok {
			return nil, fmt.Errorf("%s: %q is not \"<package> <test path>\"", path, line)
		}
		keys = append(keys, key{pkg, test})
	}
	return keys, scanner.Err()
}

type verdict struct {
	text          string
	regressions   int
	regressedList string // in passing.txt's format, for a rerun
}

// ratchet compares the results with the listed tests.
func (r *results) ratchet(listed []key) verdict {
	isListed := map[key]bool{}
	var regressed []string
	var regressedList strings.Builder
	for _, k := range listed {
		isListed[k] = true
		o := r.byKey[k]
		switch {
		case o == nil:
			regressed = append(regressed, k.String()+"  (did not run)")
		case o.status != "pass":
			regressed = append(regressed, k.String()+"  ("+o.status+")")
		default:
			continue
		}
		regressedList.WriteString(k.String() + "\n")
	}
	var newlyPassing []string
	for _, k := range r.sortedKeys() {
		if r.byKey[k].status == "pass" && !isListed[k] && k.test != packageLevel {
			newlyPassing = append(newlyPassing, k.String())
		}
	}
	var b strings.Builder
	if len(regressed) > 0 {
		fmt.Fprintf(&b, "RATCHET: %d listed test(s) no longer pass:\n", len(regressed))
		for _, line := range regressed {
			fmt.Fprintf(&b, "  %s\n", line)
		}
	} else {
		fmt.Fprintf(&b, "RATCHET: all %d listed tests passed\n", len(listed))
	}
	if len(newlyPassing) > 0 {
		fmt.Fprintf(&b, "RATCHET: %d test(s) pass but are not in passing.txt; add them:\n", len(newlyPassing))
		for _, line := range newlyPassing {
			fmt.Fprintf(&b, "  %s\n", line)
		}
	}
	return verdict{text: b.String(), regressions: len(regressed), regressedList: regressedList.String()}
}

// writePassing replaces the list with every test that passed in these results.
func (r *results) writePassing(path string) error {
	var lines []string
	for _, k := range r.sortedKeys() {
		if r.byKey[k].status == "pass" && k.test != packageLevel {
			lines = append(lines, k.String())
		}
	}
	sort.Strings(lines)
	return os.WriteFile(path, []byte(passingHeader+strings.Join(lines, "\n")+"\n"), 0o644)
}

// runPlan gives, per package, the go test -run pattern that runs the top-level tests of the
// listed tests (a subtest cannot run without its parent).
func runPlan(listed []key) string {
	tops := map[string]map[string]bool{}
	for _, k := range listed {
		if tops[k.pkg] == nil {
			tops[k.pkg] = map[string]bool{}
		}
		tops[k.pkg][k.topLevel()] = true
	}
	packages := make([]string, 0, len(tops))
	for pkg := range tops {
		packages = append(packages, pkg)
	}
	sort.Strings(packages)
	var b strings.Builder
	for _, pkg := range packages {
		names := make([]string, 0, len(tops[pkg]))
		for name := range tops[pkg] {
			names = append(names, regexp.QuoteMeta(name))
		}
		sort.Strings(names)
		fmt.Fprintf(&b, "%s ^(%s)$\n", pkg, strings.Join(names, "|"))
	}
	return b.String()
}
