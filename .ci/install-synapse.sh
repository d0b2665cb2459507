#!/usr/bin/env bash
# Matrix Synapse, pinned, in its own virtualenv: the real homeserver the tests in
# conformance-tests/synapse federate with (conformance-tests/support/synapse-peer.ts runs it).
#   .ci/install-synapse.sh   -> installs if needed, prints "matrix-synapse <version> in <venv>"
# The venv is $CAIRN_SYNAPSE_VENV, default ~/.cache/cairn/synapse-venv (the tests look there too).
# A venv that already holds the pinned version is reused without touching the network.
set -euo pipefail
version=1.163.2
venv=${CAIRN_SYNAPSE_VENV:-$HOME/.cache/cairn/synapse-venv}
python=${CAIRN_SYNAPSE_PYTHON:-python3}

installed() {
  "$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("matrix-synapse"))' \
    2>/dev/null || true
}

# psycopg2 is Synapse's PostgreSQL driver, its recommended production database, which the
# benchmarks (bench/compare.ts) run it with. psycopg2-binary provides the same module from a
# wheel; the `postgres` extra's psycopg2 would compile (gcc, pg_config, libpq headers).
has_postgres() { "$venv/bin/python" -c 'import psycopg2' >/dev/null 2>&1; }

if [ "$(installed)" != "$version" ] || ! has_postgres; then
  if ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    # Debian's python3 has no ensurepip (hence no `venv` with pip) without python3-venv.
    "$python" -m venv "$venv" || {
      echo "install-synapse.sh: '$python -m venv' failed (Debian: apt-get install python3-venv)" >&2
      exit 3
    }
  fi
  # Synapse ships binary wheels (it has a Rust part) on x86_64/arm64: no compiler needed.
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    "matrix-synapse==$version" psycopg2-binary
fi

got=$(installed)
[ "$got" = "$version" ] || { echo "install-synapse.sh: expected $version, venv has '$got'" >&2; exit 1; }
# Importing the homeserver module proves the install is usable, not merely present.
"$venv/bin/python" -c 'import synapse.app.homeserver, psycopg2' >/dev/null
echo "matrix-synapse $got in $venv"
