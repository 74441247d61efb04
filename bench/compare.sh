#!/usr/bin/env bash
# Kartenwand against the bare relay, the y-websocket reference server and
# Hocuspocus: the same profiles, the same generator, the same machine, one
# run. Prints one table (median and range over the repetitions) and keeps
# every JSON line in $OUT/results.jsonl. See docs/benchmarks.md.
#
#   bench/compare.sh                          # all profiles, 3 repetitions
#   bench/compare.sh --quick                  # short runs, 1 repetition
#   bench/compare.sh --profiles "conference hot" --reps 5 --servers "kartenwand relay"
#   bench/compare.sh --profiles city --servers "kartenwand relay yws" --generators "rust js"
#
# Two generators: `rust` (kartenwand-bench run, every profile) and `js`
# (bench/peers/generator.mjs: real Y.Docs and y-protocols, the way phones
# send; conference and city only, two worker processes).
#
# The same settings as environment variables: PROFILES, REPS, SERVERS, GENERATORS,
# QUICK=1, OUT (results directory), SERVER_CPU / GENERATOR_CPU (taskset
# cores), KARTENWAND_LOG (RUST_LOG of the server, default warn),
# KARTENWAND_RELEASE and BENCH_RELEASE (given binaries, no build).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

PROFILES=${PROFILES:-"conference city hot storm idle"}
REPS_GIVEN=${REPS:+1}
REPS=${REPS:-3}
SERVERS=${SERVERS:-"kartenwand relay yws hocuspocus"}
GENERATORS=${GENERATORS:-"rust"}
QUICK=${QUICK:-0}
while [ $# -gt 0 ]; do
  case "$1" in
    --profiles) PROFILES=$2; shift 2 ;;
    --reps) REPS=$2; REPS_GIVEN=1; shift 2 ;;
    --servers) SERVERS=$2; shift 2 ;;
    --generators) GENERATORS=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
if [ "$QUICK" = 1 ] && [ -z "$REPS_GIVEN" ]; then REPS=1; fi
OUT=${OUT:-"$ROOT/target/bench/$(date +%Y%m%d-%H%M%S)"}
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
LOG="$OUT/log.txt"

# 5,000 connections on each side, plus listeners and the database.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 12000 ]; then
  echo "warning: only $(ulimit -n) file descriptors; city and idle need about 10,000" >&2
fi

# Server and generator on different cores where there are two.
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  SERVER_PIN=(taskset -c "${SERVER_CPU:-0}")
  GENERATOR_PIN=(taskset -c "${GENERATOR_CPU:-1}")
else
  SERVER_PIN=()
  GENERATOR_PIN=()
fi

echo "== peers from npm (bench/peers, pinned in package-lock.json)"
if [ ! -d bench/peers/node_modules ] || [ bench/peers/package-lock.json -nt bench/peers/node_modules ]; then
  (cd bench/peers && npm ci --no-audit --no-fund --loglevel=error)
fi

# KARTENWAND_RELEASE / BENCH_RELEASE: compare given builds (e.g. of two
# commits, with the same generator) instead of building this tree.
if [ -n "${KARTENWAND_RELEASE:-}" ] && [ -n "${BENCH_RELEASE:-}" ]; then
  KARTENWAND=$KARTENWAND_RELEASE
  BENCH=$BENCH_RELEASE
else
  echo "== release build"
  cargo build --release --locked -p kartenwand -p kartenwand-bench
  KARTENWAND="$ROOT/target/release/kartenwand"
  BENCH="$ROOT/target/release/kartenwand-bench"
fi

SERVER_PID=""
DATA_DIR=""

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((10000 + RANDOM % 20000))  # below the ephemeral range the generator uses
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "no free port found" >&2
  return 1
}

# start_server FLAVOR PORT: starts it pinned, sets SERVER_PID, waits until
# the port accepts connections.
start_server() {
  local flavor=$1 port=$2
  case "$flavor" in
    kartenwand)
      DATA_DIR=$(mktemp -d)
      # Every generator client joins from 127.0.0.1: the per-address limits
      # (a venue's worth at once) would stretch the set-up of city's 5,000
      # participants over minutes; they are not what is measured.
      RUST_LOG=${KARTENWAND_LOG:-warn} "${SERVER_PIN[@]}" "$KARTENWAND" serve \
        --addr "127.0.0.1:$port" --data-dir "$DATA_DIR" \
        --join-burst 1000000 --board-creation-burst 100000 >>"$LOG" 2>&1 &
      ;;
    relay)
      "${SERVER_PIN[@]}" "$BENCH" relay --addr "127.0.0.1:$port" >>"$LOG" 2>&1 &
      ;;
    yws)
      (cd bench/peers && HOST=127.0.0.1 PORT=$port exec "${SERVER_PIN[@]}" node \
        node_modules/@y/websocket-server/src/server.js) >>"$LOG" 2>&1 &
      ;;
    hocuspocus)
      (cd bench/peers && HOST=127.0.0.1 PORT=$port exec "${SERVER_PIN[@]}" node hocuspocus.mjs) >>"$LOG" 2>&1 &
      ;;
    *) echo "unknown server $flavor" >&2; return 1 ;;
  esac
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "$flavor exited at start; see $LOG" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "$flavor did not listen on $port within 10 s" >&2
  return 1
}

stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
  if [ -n "$DATA_DIR" ]; then
    rm -rf "$DATA_DIR"
    DATA_DIR=""
  fi
}
trap stop_server EXIT INT TERM

# Extra generator flags per profile in quick mode.
quick_flags() {
  case "$1" in
    conference) echo "--duration 8 --warmup 2" ;;
    city) echo "--duration 10 --warmup 3" ;;
    hot) echo "--duration 5 --warmup 1" ;;
    storm) echo "" ;;
    idle) echo "--duration 2" ;;
  esac
}

echo "== runs ($REPS × profiles: $PROFILES; servers: $SERVERS) → $OUT"
for profile in $PROFILES; do
  for rep in $(seq 1 "$REPS"); do
    for generator in $GENERATORS; do
    if [ "$generator" = js ] && [ "$profile" != conference ] && [ "$profile" != city ]; then continue; fi
    for server in $SERVERS; do
      if [ "$profile" = storm ] && [ "$server" = relay ]; then continue; fi
      if [ "$generator" = js ] && [ "$server" = hocuspocus ]; then continue; fi
      port=$(free_port)
      start_server "$server" "$port"
      case "$server" in
        kartenwand) target="http://127.0.0.1:$port" ;;
        *) target="ws://127.0.0.1:$port" ;;
      esac
      extra=()
      if [ "$QUICK" = 1 ]; then read -r -a extra <<<"$(quick_flags "$profile")"; fi
      echo "-- $profile #$rep $server, $generator generator (pid $SERVER_PID, port $port)"
      if [ "$generator" = js ]; then
        run=(node bench/peers/generator.mjs)
      else
        run=("$BENCH" run)
      fi
      if ! "${GENERATOR_PIN[@]}" "${run[@]}" --target "$target" --flavor "$server" \
        --profile "$profile" --server-pid "$SERVER_PID" --label "rep=$rep" "${extra[@]}" \
        >>"$RESULTS" 2> >(tee -a "$LOG" >&2); then
        echo "   $profile #$rep $server ($generator) failed; see $LOG" >&2
      fi
      stop_server
    done
    done
  done
done

echo
echo "== results (median (min–max) over $REPS runs; $(nproc) cores, server on core ${SERVER_CPU:-0}, generator on core ${GENERATOR_CPU:-1})"
"$BENCH" table "$RESULTS" | tee "$OUT/table.md"
