package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
)

// complementPrefix is stripped from package paths: "tests/csapi" reads better than the full path.
const complementPrefix = "github.com/matrix-org/complement/"

// packageLevel stands for a package that failed outside any test (build error, panic, timeout).
const packageLevel = "(package)"

type event struct {
	Action  string
	Package string
	Test    string
	Elapsed float64
	Output  string
}

type key struct{ pkg, test string }

func (k key) String() string { return k.pkg + " " + k.test }

func (k key) topLevel() string {
	top, _, _ := strings.Cut(k.test, "/")
	return top
}

func (k key) isTopLevel() bool { return !strings.Contains(k.test, "/") }

type outcome struct {
	status  string // pass, fail, skip
	elapsed float64
	flaky   bool // failed in an earlier file, passed in a later one
	output  []string
}

type results struct {
	byKey map[key]*outcome
	// started without an end in the current file: a panic or timeout cut them short.
	open      map[key]*outcome
	ranInFile map[key]bool
}

func newResults() *results {
	return &results{byKey: map[key]*outcome{}}
}

func (r *results) readFile(path string, rerun bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r.open = map[key]*outcome{}
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 1<<20), 64<<20)
	for scanner.Scan() {
		var e event
		if json.Unmarshal(scanner.Bytes(), &e) != nil || e.Package == "" {
			continue
		}
		k := key{strings.TrimPrefix(e.Package, complementPrefix), e.Test}
		if k.test == "" {
			r.packageEvent(k, e)
			continue
		}
		r.testEvent(k, e, rerun)
	}
	r.closeOpen()
	return scanner.Err()
}

func (r *results) testEvent(k key, e event, rerun bool) {
	switch e.Action {
	case "run":
		previous := r.byKey[k]
		o := &outcome{status: "fail"}
		if rerun && previous != nil && previous.status == "fail" {
			o.flaky = true // becomes false again unless this run passes
		}
		r.open[k] = o
	case "output":
		if o := r.open[k]; o != nil {
			o.output = append(o.output, e.Output)
		}
	case "pass", "fail", "skip":
		o := r.open[k]
		if o == nil {
			o = &outcome{}
		}
		delete(r.open, k)
		o.status, o.elapsed = e.Action, e.Elapsed
		o.flaky = o.flaky && e.Action == "pass"
		r.byKey[k] = o
	}
}

// packageEvent records a package that failed with no test to blame (it did not build, or its
// TestMain failed before any test ran).
func (r *results) packageEvent(k key, e event) {
	k.test = packageLevel
	switch e.Action {
	case "output", "build-output":
		o := r.open[k]
		if o == nil {
			o = &outcome{}
			r.open[k] = o
		}
		o.output = append(o.output, e.Output)
	case "fail":
		o := r.open[k]
		if o == nil {
			o = &outcome{}
		}
		delete(r.open, k)
		if !r.anyTestIn(k.pkg) {
			o.status = "fail"
			r.byKey[k] = o
		}
	case "pass", "skip":
		delete(r.open, k)
		delete(r.byKey, k)
	}
}

func (r *results) anyTestIn(pkg string) bool {
	for k := range r.byKey {
		if k.pkg == pkg && k.test != packageLevel {
			return true
		}
	}
	return false
}

// closeOpen turns tests that never ended (the binary panicked or timed out) into failures.
func (r *results) closeOpen() {
	for k, o := range r.open {
		if k.test == packageLevel {
			continue
		}
		o.status = "fail"
		o.flaky = false
		o.output = append(o.output, "(the test never ended: the test binary panicked or timed out)\n")
		r.byKey[k] = o
	}
	r.open = nil
}

// finish is called once every file is read.
func (r *results) finish() {}

func (r *results) sortedKeys() []key {
	keys := make([]key, 0, len(r.byKey))
	for k := range r.byKey {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].pkg != keys[j].pkg {
			return keys[i].pkg < keys[j].pkg
		}
		return keys[i].test < keys[j].test
	})
	return keys
}

func (r *results) anyFailed() bool {
	for _, o := range r.byKey {
		if o.status == "fail" {
			return true
		}
	}
	return false
}

// writeTSV writes one line per test: status, package, test path, seconds, and "flaky" if so.
func (r *results) writeTSV(path string) error {
	var b strings.Builder
	b.WriteString("status\tpackage\ttest\tseconds\tnote\n")
	for _, k := range r.sortedKeys() {
		o := r.byKey[k]
		note := ""
		if o.flaky {
			note = "flaky"
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\t%.2f\t%s\n", o.status, k.pkg, k.test, o.elapsed, note)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

var (
	ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)
	// Complement prints failures in red (ct.Errorf, ct.Fatalf); plain t.Errorf lines of a test
	// file count too. Lines of the request log, the deployer and progress notes do not.
	red       = "\x1b[31m"
	assertion = regexp.MustCompile(`^\s+([A-Za-z0-9_]+\.go):\d+: `)
	noise     = regexp.MustCompile(`^\s+(client\.go|testmain\.go|deployment\.go|server\.go|handle\.go|panic\.go):\d+: |: Server log of hs\d+: |: (StopServer|StartServer|PauseServer|UnpauseServer) hs\d+$| called runtime\.SkipIf\(|: SendEventSynced waiting for event ID `)
)

func isFailureLine(raw string) bool {
	line := ansi.ReplaceAllString(raw, "")
	if !assertion.MatchString(line) {
		return false
	}
	return strings.Contains(raw, red) || !noise.MatchString(line)
}

// failureMessages are the assertion lines of a failed test, without colour codes.
func failureMessages(o *outcome, max int) []string {
	var msgs []string
	for i, raw := range o.output {
		if !isFailureLine(raw) {
			continue
		}
		line := strings.TrimRight(ansi.ReplaceAllString(raw, ""), "\n")
		// Messages continue on indented lines; keep the first one for context.
		if i+1 < len(o.output) && strings.HasPrefix(o.output[i+1], "        ") && !assertion.MatchString(o.output[i+1]) {
			line += " | " + strings.TrimSpace(ansi.ReplaceAllString(o.output[i+1], ""))
		}
		if len(line) > 600 {
			line = line[:600] + "..."
		}
		msgs = append(msgs, strings.TrimSpace(line))
		if len(msgs) == max {
			break
		}
	}
	if len(msgs) == 0 && len(o.output) > 0 {
		last := strings.TrimSpace(ansi.ReplaceAllString(o.output[len(o.output)-1], ""))
		msgs = append(msgs, last)
	}
	return msgs
}

// writeFailures lists every failed test with the messages it failed with, leaving out parents
// that failed only because a subtest did.
func (r *results) writeFailures(path string) error {
	failedParents := map[key]bool{}
	for k, o := range r.byKey {
		if parent, ok := r.parentOf(k); ok && o.status == "fail" {
			failedParents[parent] = true
		}
	}
	var b strings.Builder
	for _, k := range r.sortedKeys() {
		o := r.byKey[k]
		if o.status != "fail" {
			continue
		}
		msgs := failureMessages(o, 3)
		if failedParents[k] && !hasAssertion(o) {
			continue
		}
		fmt.Fprintf(&b, "FAIL %s\n", k)
		for _, msg := range msgs {
			fmt.Fprintf(&b, "    %s\n", msg)
		}
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// parentOf finds a subtest's parent: the longest test path before one of its slashes that ran.
// Subtest names may contain slashes themselves ("GET_/login_..."), so not simply the last one.
func (r *results) parentOf(k key) (key, bool) {
	for i := strings.LastIndex(k.test, "/"); i > 0; i = strings.LastIndex(k.test[:i], "/") {
		parent := key{k.pkg, k.test[:i]}
		if _, ok := r.byKey[parent]; ok {
			return parent, true
		}
	}
	return key{}, false
}

func hasAssertion(o *outcome) bool {
	for _, raw := range o.output {
		if isFailureLine(raw) {
			return true
		}
	}
	return false
}

type counts struct{ pass, fail, skip, flaky int }

func (c *counts) add(o *outcome) {
	switch o.status {
	case "pass":
		c.pass++
	case "fail":
		c.fail++
	case "skip":
		c.skip++
	}
	if o.flaky {
		c.flaky++
	}
}

func (c counts) String() string {
	s := fmt.Sprintf("%d passed, %d failed, %d skipped", c.pass, c.fail, c.skip)
	if c.flaky > 0 {
		s += fmt.Sprintf(" (%d passed only on the rerun)", c.flaky)
	}
	return s
}

func (r *results) summary() string {
	var top, sub, all counts
	perPackage := map[string]*counts{}
	var failedTop []string
	for _, k := range r.sortedKeys() {
		o := r.byKey[k]
		all.add(o)
		if k.isTopLevel() {
			top.add(o)
			if perPackage[k.pkg] == nil {
				perPackage[k.pkg] = &counts{}
			}
			perPackage[k.pkg].add(o)
			if o.status == "fail" {
				failedTop = append(failedTop, k.String())
			}
		} else {
			sub.add(o)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Complement against Cairn\n")
	fmt.Fprintf(&b, "  top-level tests: %s\n", top)
	fmt.Fprintf(&b, "  subtests:        %s\n", sub)
	packages := make([]string, 0, len(perPackage))
	for pkg := range perPackage {
		packages = append(packages, pkg)
	}
	sort.Strings(packages)
	for _, pkg := range packages {
		fmt.Fprintf(&b, "  %-16s top-level %s\n", pkg+":", perPackage[pkg])
	}
	fmt.Fprintf(&b, "  failed top-level tests: %d (see failures.txt)\n", len(failedTop))
	// The plain closing line, over every test and subtest.
	fmt.Fprintf(&b, "complement: %d passed, %d failed, %d skipped\n", all.pass, all.fail, all.skip)
	return b.String()
}
