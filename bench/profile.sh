#!/usr/bin/env bash
# Instructions per request of graphnote's signed-in routes, counted by valgrind's callgrind
# (repeatable whatever else the machine is doing, unlike time), with the functions that cost most.
#
# Usage: bench/profile.sh [ROUTE...]      (default: / /msal-demo; run scripts/bench once first
#                                           so the release binaries and bench/.venv exist)
#
# Starts the emulator (HTTPS) and `graphnote serve` (SQLite store) under callgrind, signs in for
# real, warms each route up, then for each route: zeroes the counters, sends requests one at a
# time for 10 s with wrk, dumps, and prints instructions per request (user space only: the
# kernel's share of the I/O is not counted) and the top 25 functions by inclusive cost. The
# callgrind files stay in target/bench/profile/ for callgrind_annotate or kcachegrind.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ROUTES=("$@")
[ ${#ROUTES[@]} -gt 0 ] || ROUTES=(/ /msal-demo)
command -v valgrind >/dev/null || { echo "bench/profile.sh: needs valgrind" >&2; exit 1; }
OUT=$ROOT/target/bench/profile
rm -rf "$OUT"; mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/graphnote-profile.XXXXXX)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
BIN=$ROOT/target/release/graphnote
TOOL=$ROOT/target/release/examples/bench_tool
export RUST_LOG=warn

"$BIN" emulator --listen 127.0.0.1:0 --data-dir "$WORK/emulator" > "$WORK/emulator.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q 'listening on' "$WORK/emulator.log" 2>/dev/null && break; sleep 0.1; done
EMU=$(grep -oE 'listening on https://[^ ]+' "$WORK/emulator.log" | cut -d' ' -f3)
CA=$WORK/emulator/ca.pem
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
env -C "$WORK" CLIENT_ID=5ca1ab1e-6a70-4e0f-9c3b-7e57c11e4700 \
  CLIENT_SECRET='gn8Q~emulator-demo-secret.not-for-production' \
  AUTHORITY="$EMU/common" GRAPH_ENDPOINT="$EMU" CA_BUNDLE="$CA" PUBLIC_URL="$URL" \
  LISTEN="127.0.0.1:$PORT" SESSION_SECRET=profile-session-secret-0123456789abcdefghij \
  SESSION_STORE="sqlite:$WORK/sessions.sqlite3" DATA_DIR="$WORK" \
  valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" "$BIN" serve \
  > "$WORK/app.log" 2>&1 &
APP=$!
PIDS+=("$APP")
for _ in $(seq 600); do curl -sf -o /dev/null "$URL/healthz" && break; sleep 0.2; done
COOKIE=$("$TOOL" sign-in --app "$URL" --ca "$CA")

part=0
for route in "${ROUTES[@]}"; do
  for _ in $(seq 20); do curl -sf -o /dev/null -H "Cookie: $COOKIE" "$URL$route"; done
  callgrind_control -z "$APP" >/dev/null
  requests=$(wrk -t1 -c1 -d10s -H "Cookie: $COOKIE" "$URL$route" | awk '/requests in/ {print $1}')
  callgrind_control -d "$APP" >/dev/null
  part=$((part + 1))
  file="$OUT/callgrind.out.$part"
  for _ in $(seq 50); do [ -s "$file" ] && break; sleep 0.1; done
  total=$(awk '/^summary:/ {print $2}' "$file")
  cp "$file" "$OUT/route-${route//\//_}.callgrind"
  echo "== $route: $requests requests, $(( total / requests )) instructions per request (user space)"
  # Self cost (the callgrind_annotate of Debian 12 lists a few whole-thread frames first: skipped).
  callgrind_annotate --inclusive=no --threshold=100 "$file" 2>/dev/null \
    | grep -E '^ *[0-9,]+ \( ?[0-9]\.|^ *[0-9,]+ \([1-8][0-9]\.' \
    | head -25 | sed -E 's#/root/.cargo/registry/src/[^/]+/##; s#/rustc/[0-9a-f]+/##' | cut -c1-200 \
    || true  # head closes the pipe early: not a failure
done
