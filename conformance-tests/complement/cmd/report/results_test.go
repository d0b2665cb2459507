package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const pkg = `"Package":"github.com/matrix-org/complement/tests/csapi"`

func writeRun(t *testing.T, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "run.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func ev(action, test string) string {
	return `{"Action":"` + action + `",` + pkg + `,"Test":"` + test + `"}`
}

func TestResultsRatchetAndRerun(t *testing.T) {
	first := writeRun(t,
		ev("run", "TestLogin"),
		ev("run", "TestLogin/GET_/login_flows"),
		`{"Action":"output",`+pkg+`,"Test":"TestLogin/GET_/login_flows","Output":"    login_test.go:31: \u001b[31mwrong Content-Type\u001b[39m\n"}`,
		ev("fail", "TestLogin/GET_/login_flows"),
		ev("run", "TestLogin/POST_/login"),
		ev("pass", "TestLogin/POST_/login"),
		ev("fail", "TestLogin"),
		ev("run", "TestSync"),
		ev("run", "TestSync/flaky"),
		ev("fail", "TestSync/flaky"),
		ev("fail", "TestSync"),
		ev("run", "TestCutShort"), // the binary died here
	)
	rerun := writeRun(t,
		ev("run", "TestSync"),
		ev("run", "TestSync/flaky"),
		ev("pass", "TestSync/flaky"),
		ev("pass", "TestSync"),
	)
	r := newResults()
	if err := r.readFile(first, false); err != nil {
		t.Fatal(err)
	}
	if err := r.readFile(rerun, true); err != nil {
		t.Fatal(err)
	}

	status := func(test string) string { return r.byKey[key{"tests/csapi", test}].status }
	for test, want := range map[string]string{
		"TestLogin": "fail", "TestLogin/POST_/login": "pass", "TestSync/flaky": "pass", "TestCutShort": "fail",
	} {
		if got := status(test); got != want {
			t.Errorf("%s: %s, want %s", test, got, want)
		}
	}
	if !r.byKey[key{"tests/csapi", "TestSync/flaky"}].flaky {
		t.Error("TestSync/flaky passed only on the rerun but is not marked flaky")
	}
	// The slash inside the subtest name must not hide its parent.
	if parent, ok := r.parentOf(key{"tests/csapi", "TestLogin/GET_/login_flows"}); !ok || parent.test != "TestLogin" {
		t.Errorf("parent of TestLogin/GET_/login_flows: %v %v", parent, ok)
	}
	if msgs := failureMessages(r.byKey[key{"tests/csapi", "TestLogin/GET_/login_flows"}], 3); len(msgs) != 1 || msgs[0] != "login_test.go:31: wrong Content-Type" {
		t.Errorf("failure messages: %q", msgs)
	}

	v := r.ratchet([]key{{"tests/csapi", "TestLogin/POST_/login"}, {"tests/csapi", "TestLogin/GET_/login_flows"}, {"tests/csapi", "TestGone"}})
	if v.regressions != 2 || !strings.Contains(v.text, "TestGone  (did not run)") || !strings.Contains(v.text, "add them:\n  tests/csapi TestSync\n") {
		t.Errorf("ratchet verdict (%d regressions):\n%s", v.regressions, v.text)
	}
	if !strings.Contains(r.summary(), "complement: 3 passed, 3 failed, 0 skipped\n") {
		t.Errorf("summary:\n%s", r.summary())
	}
}

func TestRunPlanGroupsTopLevelTestsPerPackage(t *testing.T) {
	plan := runPlan([]key{
		{"tests/csapi", "TestLogin/POST_/login"},
		{"tests/csapi", "TestLogin"},
		{"tests/csapi", "TestA.B"},
		{"tests", "TestKnocking/x"},
	})
	want := "tests ^(TestKnocking)$\ntests/csapi ^(TestA\\.B|TestLogin)$\n"
	if plan != want {
		t.Errorf("plan:\n%s\nwant:\n%s", plan, want)
	}
}
