#!/usr/bin/env bash
# What one client may cost everybody else (issue 21), against a release
# build: nine expensive exports beside joins on another board, and one
# participant's unread connections on a 10 MiB board (peak RSS). Prints a
# JSON line (stdout) and a human line (stderr) per scenario. See
# docs/benchmarks.md, "Abuse".
#
#   bench/abuse.sh                       # both scenarios
#   bench/abuse.sh exports               # one of them
#
# KARTENWAND_RELEASE and BENCH_RELEASE: given binaries, no build. Extra
# server flags in KARTENWAND_FLAGS (e.g. "--max-waiting-bytes 268435456"),
# extra generator flags in ABUSE_FLAGS (e.g. "--identities 10").
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SCENARIOS=${*:-"exports memory"}

if [ -n "${KARTENWAND_RELEASE:-}" ] && [ -n "${BENCH_RELEASE:-}" ]; then
  KARTENWAND=$KARTENWAND_RELEASE
  BENCH=$BENCH_RELEASE
else
  cargo build --release --locked -p kartenwand -p kartenwand-bench
  KARTENWAND="$ROOT/target/release/kartenwand"
  BENCH="$ROOT/target/release/kartenwand-bench"
fi

for scenario in $SCENARIOS; do
  DATA_DIR=$(mktemp -d)
  port=$((10000 + RANDOM % 20000))
  # Two 1,000,000-character cards need frames above the default 1 MiB.
  # shellcheck disable=SC2086
  RUST_LOG=${KARTENWAND_LOG:-warn} "$KARTENWAND" serve --addr "127.0.0.1:$port" --data-dir "$DATA_DIR" \
    --max-frame-bytes 4194304 ${KARTENWAND_FLAGS:-} >"$DATA_DIR/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  # shellcheck disable=SC2086
  "$BENCH" abuse --target "http://127.0.0.1:$port" --server-pid "$pid" --scenario "$scenario" ${ABUSE_FLAGS:-} || status=$?
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ -z "${KEEP_LOG:-}" ] || cp "$DATA_DIR/server.log" "$KEEP_LOG"
  rm -rf "$DATA_DIR"
  [ "${status:-0}" = 0 ] || exit "$status"
done
