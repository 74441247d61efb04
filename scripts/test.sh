#!/usr/bin/env bash
# The whole test suite, from a fresh clone: formatting and lints, Rust unit
# and system tests against the real binary, the conformance test with the
# real y-websocket client, and the web app's checks and unit tests once the
# web app exists. Installs what a fresh machine lacks (npm packages).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "Rust: formatting and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Rust: unit and system tests"
cargo test --workspace --locked

step "Node: y-websocket conformance against the real binary"
(cd tests/node && npm ci --no-audit --no-fund --loglevel=error && npm test)

if [ -f web/package.json ]; then
  step "Web app: type check, lint, unit tests"
  (cd web && npm ci --no-audit --no-fund --loglevel=error && npm run typecheck && npm run lint && npm test)
fi

step "All tests passed"
