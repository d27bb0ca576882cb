#!/usr/bin/env bash
# The package under the Node versions most users run (Node 20 reached end of life in April 2026): for each version,
# the pack-and-install smoke (scripts/pack-smoke.sh) and an end-to-end smoke (--version, demo, and test against the
# reference receiver started by listen), with the bin's compile cache checked on. Node comes from the npm registry's
# `node` package, which ships the binaries. Versions: NODE_MATRIX (default "22 24").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
listener=""
cleanup() {
  if [ -n "$listener" ]; then kill "$listener" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "node-matrix: node $1: $2" >&2
  exit 1
}

for version in ${NODE_MATRIX:-22 24}; do
  # The real binary of the registry's node@<version>, put first on PATH so npm, npx and tsc run under it too.
  node_bin=$(cd "$work" && npx -y -p "node@$version" node -p process.execPath)
  got=$("$node_bin" -p 'process.versions.node.split(".")[0]')
  [ "$got" = "$version" ] || fail "$version" "npx gave node $got"
  export_path="$(dirname "$node_bin"):$PATH"
  echo "node-matrix: node $("$node_bin" --version)"

  PATH="$export_path" bash "$root/scripts/pack-smoke.sh" || fail "$version" "pack smoke failed"

  # End-to-end from the checkout's bin: --version, demo, and the contract suite against listen.
  tmp="$work/tmp-$version"
  mkdir -p "$tmp"
  cli() { TMPDIR="$tmp" NO_COLOR=1 "$node_bin" "$root/bin/xsolla-hooks.js" "$@"; }
  cli --version >/dev/null || fail "$version" "--version failed"
  cli demo >/dev/null || fail "$version" "demo failed"
  # The bin turns the compile cache on from Node 22 (os.tmpdir()/node-compile-cache unless NODE_COMPILE_CACHE says).
  [ -n "$(ls -A "$tmp/node-compile-cache" 2>/dev/null)" ] || fail "$version" "the compile cache is off"

  log="$work/listen-$version.log"
  # Not through cli(): a backgrounded function is a subshell, and killing it would leave node running.
  TMPDIR="$tmp" NO_COLOR=1 "$node_bin" "$root/bin/xsolla-hooks.js" listen --secret matrix-secret --port 0 >"$log" 2>&1 &
  listener=$!
  url=""
  for _ in $(seq 1 100); do
    url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+/' "$log" | head -n 1 || true)
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || fail "$version" "listen did not start: $(head -c 300 "$log")"
  cli test --url "$url" --secret matrix-secret --reporter tap >"$work/test-$version.tap" || fail "$version" "test against listen failed: $(grep '^not ok' "$work/test-$version.tap" | head -n 3)"
  kill "$listener"
  wait "$listener" 2>/dev/null || true
  listener=""
  echo "node-matrix: node $version ok (pack smoke; --version, demo, test against listen: $(grep -c '^ok' "$work/test-$version.tap") checks; compile cache on)"
done
