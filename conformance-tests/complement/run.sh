#!/usr/bin/env bash
# Runs Complement, Matrix's homeserver conformance suite, against Cairn processes instead of
# Docker containers (deployer/ starts one `node bin/cairn.js start` per homeserver a test asks for).
#
#   run.sh                    every test of every Complement test package
#   run.sh 'TestLogin|TestRoomCreate'
#                             a `go test -run` pattern (applies in every package)
#   run.sh --ratchet          only the tests in passing.txt; exits 1 if one of them does not pass
#                             (every mode exits 3 when the pinned Complement module cannot be
#                             downloaded)
#                             (listed tests that fail are rerun once first, to tell flakes apart)
#   run.sh --write-passing    the whole suite, then passing.txt rewritten with what passed
#   run.sh --self-test        the deployer's and the report tool's own Go tests
#
# Results go to out/ (override with CAIRN_COMPLEMENT_OUT): run.jsonl (go test -json),
# results.tsv (status, package, test path, seconds), summary.txt, failures.txt (each failed test
# and its assertion messages) and logs/<package>/<test>-*/hsN.log (each Cairn server's log).
#
# Environment: CAIRN_COMPLEMENT_PARALLEL (go test -p: test packages run at once, default 2),
# CAIRN_COMPLEMENT_TIMEOUT (go test -timeout, per package, default 90m), COMPLEMENT_PACKAGES
# (default: every package under Complement's tests/), CAIRN_COMPLEMENT_LOG_LEVEL (default info),
# CAIRN_COMPLEMENT_KEEP_DATA=1 (keep servers' data dirs), and Complement's own COMPLEMENT_*
# variables (COMPLEMENT_DEBUG=1, COMPLEMENT_ALWAYS_PRINT_SERVER_LOGS=1, ...).
#
# Complement's test packages call complement.TestMain(m, namespace) with no way to pass a custom
# deployment from outside. So this script copies the Complement module (downloaded by `go` from
# the module proxy, at the version go.mod pins) to out/complement-src, replaces each test
# package's main_test.go with one that registers deployer.TestMain, and runs the tests through a
# go.work joining that copy and this module. Nothing of Complement is committed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${CAIRN_COMPLEMENT_OUT:-$HERE/out}
MODE=full
PATTERN=
case "${1:-}" in
  --ratchet) MODE=ratchet ;;
  --write-passing) MODE=write-passing ;;
  --self-test) MODE=self-test ;;
  -h | --help)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
  -*)
    echo "run.sh: unknown option $1 (see run.sh --help)" >&2
    exit 2
    ;;
  *) PATTERN=${1:-} ;;
esac

export PATH="$REPO/node_modules/node/bin:$PATH"
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 24 ? 0 : 1)' 2>/dev/null; then
  echo "run.sh: Cairn needs Node >= 24; run npm ci first (it installs one in node_modules/node)" >&2
  exit 1
fi
command -v go >/dev/null || { echo "run.sh: go is not installed" >&2; exit 1; }

cd "$HERE"
# The go environment may carry -mod=...; workspace mode refuses it.
GOFLAGS=$(printf '%s' "${GOFLAGS:-}" | sed -E 's/(^| )-mod=[a-z]+//g')
export GOFLAGS
export GOWORK=off
if ! download_error=$(go mod download github.com/matrix-org/complement 2>&1); then
  echo "$download_error" >&2
  echo "run.sh: could not download the Complement module pinned in $HERE/go.mod" >&2
  # A distinct status, so CI can tell "Complement cannot be had here" from a failing test.
  exit 3
fi
if [ "$MODE" = self-test ]; then
  CAIRN_REPO_DIR=$REPO go test -count=1 ./deployer ./cmd/...
  exit
fi
COMPLEMENT_MODULE=$(go list -m -f '{{.Dir}}' github.com/matrix-org/complement)
REPORT="$OUT/bin/report"
# Only what an earlier run wrote, in case CAIRN_COMPLEMENT_OUT names a directory with more in it.
mkdir -p "$OUT"
(cd "$OUT" && rm -rf bin logs complement-src go.work go.work.sum ./*.jsonl ./*.stderr results.tsv summary.txt failures.txt regressed.txt)
mkdir -p "$OUT/bin" "$OUT/logs"
go build -o "$REPORT" ./cmd/report

# A writable copy of Complement with our TestMain in each test package.
SRC="$OUT/complement-src"
cp -R "$COMPLEMENT_MODULE/." "$SRC"
chmod -R u+w "$SRC"
while IFS= read -r main_test; do
  package=$(sed -n 's/^package \([A-Za-z0-9_]*\).*/\1/p' "$main_test" | head -n 1)
  namespace=$(sed -n 's/.*complement\.TestMain(m, "\([^"]*\)".*/\1/p' "$main_test" | head -n 1)
  if [ -z "$package" ] || [ -z "$namespace" ]; then
    echo "run.sh: cannot read the package or namespace of $main_test" >&2
    exit 1
  fi
  cat >"$main_test" <<EOF
// Written by conformance-tests/complement/run.sh: runs this package against Cairn processes.
package $package

import (
	"testing"

	"cairn/conformance-tests/complement/deployer"
)

func TestMain(m *testing.M) { deployer.TestMain(m, "$namespace") }
EOF
done < <(find "$SRC/tests" -name main_test.go | sort)

GO_VERSION=$(sed -n 's/^go //p' "$HERE/go.mod")
cat >"$OUT/go.work" <<EOF
go $GO_VERSION

use (
	$HERE
	$SRC
)
EOF

export COMPLEMENT_BASE_IMAGE=${COMPLEMENT_BASE_IMAGE:-cairn-process} # required by Complement, unused
export COMPLEMENT_HOSTNAME_RUNNING_COMPLEMENT=${COMPLEMENT_HOSTNAME_RUNNING_COMPLEMENT:-localhost}
export COMPLEMENT_SPAWN_HS_TIMEOUT_SECS=${COMPLEMENT_SPAWN_HS_TIMEOUT_SECS:-60}
# Complement's Docker code still runs (its start-up cleanup, tests that build blueprints): point
# it at a socket that does not exist so it can never touch a real Docker engine.
export DOCKER_HOST="unix://$OUT/no-docker.sock"
export CAIRN_REPO_DIR=$REPO
export CAIRN_COMPLEMENT_OUT_DIR=$OUT/logs
CAIRN_NODE=$(command -v node)
export CAIRN_NODE

PARALLEL=${CAIRN_COMPLEMENT_PARALLEL:-2}
TIMEOUT=${CAIRN_COMPLEMENT_TIMEOUT:-90m}
PACKAGES=${COMPLEMENT_PACKAGES:-github.com/matrix-org/complement/tests/...}

# run_go_test <json file> <-run pattern> <packages...>: prints each top-level result as it comes.
run_go_test() {
  local json=$1 pattern=$2
  shift 2
  local args=(-json -count=1 -p "$PARALLEL" -timeout "$TIMEOUT")
  [ -n "$pattern" ] && args+=(-run "$pattern")
  GOWORK="$OUT/go.work" go test "${args[@]}" "$@" 2>"$json.stderr" |
    tee "$json" |
    sed -u -n -E 's/.*"Action":"(pass|fail|skip)","Package":"github.com\/matrix-org\/complement\/([^"]*)","Test":"([^"/]*)","Elapsed":([0-9.]+).*/\1 \2 \3 (\4s)/p' ||
    true
  if [ -s "$json.stderr" ]; then
    echo "go test stderr (also in $json.stderr):" >&2
    tail -n 20 "$json.stderr" >&2
  fi
}

start=$(date +%s)
status=0
case $MODE in
  full | write-passing)
    run_go_test "$OUT/run.jsonl" "$PATTERN" $PACKAGES
    extra=()
    [ "$MODE" = write-passing ] && extra=(-passing "$HERE/passing.txt" -write-passing)
    "$REPORT" -out "$OUT" "${extra[@]}" "$OUT/run.jsonl" || status=$?
    ;;
  ratchet)
    plan=$("$REPORT" -plan "$HERE/passing.txt")
    if [ -z "$plan" ]; then
      echo "run.sh: passing.txt lists no test" >&2
      exit 1
    fi
    # One go test run: the union of every package's top-level tests (a name that also exists in
    # another listed package runs there too, which does no harm).
    packages=$(printf '%s\n' "$plan" | cut -d' ' -f1 | sed 's|^|github.com/matrix-org/complement/|' | tr '\n' ' ')
    pattern=$(printf '%s\n' "$plan" | cut -d' ' -f2- | sed -E 's/^\^\((.*)\)\$$/\1/' | paste -sd'|')
    run_go_test "$OUT/run.jsonl" "^($pattern)\$" $packages
    files=("$OUT/run.jsonl")
    if ! "$REPORT" -out "$OUT" -passing "$HERE/passing.txt" -ratchet "${files[@]}" >/dev/null; then
      rerun=$("$REPORT" -plan "$OUT/regressed.txt")
      echo "Rerunning the top-level tests of listed tests that did not pass, once:"
      packages=$(printf '%s\n' "$rerun" | cut -d' ' -f1 | sed 's|^|github.com/matrix-org/complement/|' | tr '\n' ' ')
      pattern=$(printf '%s\n' "$rerun" | cut -d' ' -f2- | sed -E 's/^\^\((.*)\)\$$/\1/' | paste -sd'|')
      run_go_test "$OUT/rerun.jsonl" "^($pattern)\$" $packages
      files+=("$OUT/rerun.jsonl")
    fi
    "$REPORT" -out "$OUT" -passing "$HERE/passing.txt" -ratchet "${files[@]}" || status=$?
    ;;
esac
elapsed=$(($(date +%s) - start))
printf 'duration: %dm%02ds\n' $((elapsed / 60)) $((elapsed % 60)) | tee -a "$OUT/summary.txt"
echo "results: $OUT/results.tsv, failures: $OUT/failures.txt, server logs: $OUT/logs"
exit $status
