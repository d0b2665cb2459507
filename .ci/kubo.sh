#!/usr/bin/env bash
# Throwaway Kubo (IPFS) daemon on loopback for tests.
#   .ci/kubo.sh install              -> builds Kubo once into the cache, prints the binary's path
#   .ci/kubo.sh start DIR API_PORT   -> init (test profile) + `ipfs daemon --offline`, prints the API URL
#   .ci/kubo.sh stop DIR
# Env: CAIRN_KUBO_BIN uses that binary instead of the cached build; CAIRN_KUBO_CACHE overrides the
# cache directory.
#
# Built from the module source because `go install github.com/ipfs/kubo/cmd/ipfs@VERSION` is not
# usable here: the module proxy refuses kubo's version list, and v0.43.1 swaps go-libp2p for a fork
# that cannot be fetched. `go mod download` of the exact version still works.
set -euo pipefail
cmd=${1:?install|start|stop}

version=v0.43.0
cache=${CAIRN_KUBO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cairn/kubo-$version}

cached_binary_ok() {
  [ -x "$cache/ipfs" ] && "$cache/ipfs" version 2>/dev/null | grep -qx "ipfs version ${version#v}"
}

install() {
  if cached_binary_ok; then echo "$cache/ipfs"; return; fi
  command -v go >/dev/null || { echo "kubo.sh: go is needed to build Kubo $version" >&2; exit 3; }
  mkdir -p "$cache"
  # Two jobs installing at once would both spend minutes compiling: the second waits for the first.
  exec 9>"$cache/.lock"
  command -v flock >/dev/null && flock 9
  if cached_binary_ok; then echo "$cache/ipfs"; return; fi

  local json dir
  # On failure go still prints the JSON, with an "Error" field worth showing.
  json=$(go mod download -json "github.com/ipfs/kubo@$version") || true
  dir=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    printf 'kubo.sh: go mod download failed:\n%s\n' "$json" >&2
    exit 1
  fi
  # The module cache is read-only and go build wants a writable module root.
  src=$(mktemp -d "${TMPDIR:-/tmp}/kubo-src.XXXXXX")
  trap 'rm -rf "${src:-}"' EXIT
  cp -R "$dir/." "$src"
  chmod -R u+w "$src"
  echo "kubo.sh: building Kubo $version (a few minutes)..." >&2
  (cd "$src" && go build -trimpath -o "$cache/ipfs.partial" ./cmd/ipfs) >&2
  mv -f "$cache/ipfs.partial" "$cache/ipfs"
  echo "$cache/ipfs"
}

kubo_bin() {
  if [ -n "${CAIRN_KUBO_BIN:-}" ]; then echo "$CAIRN_KUBO_BIN"; else install; fi
}

api_answers() {
  curl -fsS -o /dev/null -X POST --max-time 2 "http://127.0.0.1:$1/api/v0/version" 2>/dev/null
}

daemon_alive() {
  [ -f "$1/daemon.pid" ] && kill -0 "$(cat "$1/daemon.pid")" 2>/dev/null
}

case "$cmd" in
  install)
    install
    ;;
  start)
    dir=${2:?work directory}
    port=${3:-45001}
    bin=$(kubo_bin)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    export IPFS_PATH="$dir/ipfs" IPFS_TELEMETRY=off
    if daemon_alive "$dir" && api_answers "$port"; then
      echo "http://127.0.0.1:$port"
      exit 0
    fi
    if api_answers "$port"; then
      echo "kubo.sh: something else already answers on port $port" >&2
      exit 1
    fi
    if [ ! -f "$IPFS_PATH/config" ]; then
      # The test profile empties the bootstrap list, turns off mDNS, AutoTLS, AutoConf and NAT port
      # mapping, and puts the API, gateway and swarm on loopback (port 0).
      "$bin" init --profile=test >"$dir/init.log" 2>&1 || { cat "$dir/init.log" >&2; exit 1; }
    fi
    "$bin" config Addresses.API "/ip4/127.0.0.1/tcp/$port"
    "$bin" config --json Addresses.Gateway '[]'
    "$bin" config --json Addresses.Swarm '["/ip4/127.0.0.1/tcp/0"]'
    # --offline: no swarm, no routing, no provider announcements; blocks come only from this repo.
    nohup "$bin" daemon --offline </dev/null >"$dir/daemon.log" 2>&1 &
    echo $! >"$dir/daemon.pid"
    for _ in $(seq 1 300); do
      # The log line tells our daemon's answer from another process's on the same port.
      if grep -q "Daemon is ready" "$dir/daemon.log" && api_answers "$port"; then
        echo "http://127.0.0.1:$port"
        exit 0
      fi
      if ! daemon_alive "$dir"; then
        echo "kubo.sh: daemon exited; log $dir/daemon.log:" >&2
        cat "$dir/daemon.log" >&2
        exit 1
      fi
      sleep 0.2
    done
    echo "kubo.sh: API on port $port did not answer within 60s; log $dir/daemon.log" >&2
    exit 1
    ;;
  stop)
    dir=${2:?work directory}
    if daemon_alive "$dir"; then
      pid=$(cat "$dir/daemon.pid")
      kill -INT "$pid"
      for _ in $(seq 1 150); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
      done
      if kill -0 "$pid" 2>/dev/null; then
        echo "kubo.sh: daemon $pid ignored SIGINT for 30s, killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
      fi
    fi
    rm -f "$dir/daemon.pid"
    ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
