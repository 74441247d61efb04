#!/usr/bin/env bash
# The whole test suite, from a fresh clone: formatting and lints, Rust unit
# and system tests against the real binary, the conformance test with the
# real y-websocket client, the web app's checks and unit tests, and the
# browser end-to-end test in Debian's Chromium. Installs what a fresh machine
# lacks: npm packages, and through apt-get when they are missing Chromium,
# nginx (the E2E test through a reverse proxy), Liberation Sans (the
# projector's measured type), zbarimg (zbar-tools: the QR codes of the
# printed material), pdftotext (poppler-utils) and LibreOffice (the export
# tests check the PDF and open the DOCX with them), and the fonts LibreOffice
# draws the DOCX of tests/system/scripts.rs with.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

# apt-get install PACKAGE... (as root, or through sudo).
apt_install() {
  local sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$@"
}

step "Tools the export and proxy tests need"
missing=()
command -v pdftotext >/dev/null || missing+=(poppler-utils)
command -v libreoffice >/dev/null || missing+=(libreoffice-writer-nogui)
# deploy/check.sh checks deploy/nginx.conf with it, and the E2E test
# proxy.test.mjs runs the browser path through it.
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
# The projector's type (web/src/views/presenter/presenter.css) is measured
# in Arial's metrics: Liberation Sans, which Chromium recommends.
fc-list 2>/dev/null | grep -q 'Liberation Sans' || missing+=(fonts-liberation)
# The registration E2E test decodes the QR codes of the printed material.
command -v zbarimg >/dev/null || missing+=(zbar-tools)
# tests/system/scripts.rs renders the DOCX of a board in Arabic, Farsi,
# Tigrinya, with emoji and fullwidth forms through LibreOffice, which draws
# with the system's fonts (the PDF export embeds its own): Noto Sans Arabic
# and Ethiopic, Symbola for emoji (LibreOffice's PDF export leaves colour
# bitmap emoji out) and Noto Sans CJK for the fullwidth forms. Only for the
# test; the binary needs none of them.
fc-list 2>/dev/null | grep -q 'Noto Sans Ethiopic' || missing+=(fonts-noto-core)
fc-list 2>/dev/null | grep -q 'Symbola' || missing+=(fonts-symbola)
fc-list 2>/dev/null | grep -q 'Noto Sans CJK' || missing+=(fonts-noto-cjk)
# The PostgreSQL store's contract tests and tests/system/postgres.rs start
# a server of their own from /usr/lib/postgresql/*/bin (they fail without
# one, never skip); the binary needs none unless run with --database-url.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  apt_install --no-install-recommends "${missing[@]}"
fi

step "Rust toolchain"
# The workspace needs Rust 1.92 (Cargo.toml, rust-version); formatting and
# lints need rustfmt and clippy, which rustup adds when they are missing.
required="1.92"
have=$(cargo --version | awk '{print $2}')
if [ "$(printf '%s\n%s\n' "$required" "$have" | sort -V | head -n 1)" != "$required" ]; then
  echo "cargo $have is older than the $required this workspace needs: install Rust with rustup (https://rustup.rs) or run 'rustup update'." >&2
  exit 1
fi
for component in rustfmt clippy; do
  if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
    if command -v rustup >/dev/null; then
      rustup component add "$component"
    else
      echo "cargo ${component/rustfmt/fmt} is missing: install it with 'rustup component add $component' (or your distribution's $component package)." >&2
      exit 1
    fi
  fi
done

step "Rust: formatting and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Rust: unit and system tests"
cargo test --workspace --locked

step "README: the run command starts the server binary"
# A newcomer's first command is the README's run command. Which binary
# `cargo run` picks (the workspace's default member, the server) does not
# depend on the profile, so a debug run of the same command proves it
# without a release build of its own; `serve --help` proves the subcommand.
readme_run=$(awk '/^## Run/ { run = 1 } run && /^cargo run/ { print; exit }' README.md)
if [ "$readme_run" != "cargo run --release -- serve" ]; then
  echo "README's run command is '$readme_run'; update this check with it." >&2
  exit 1
fi
cargo run --locked --quiet -- serve --help >/dev/null
cargo run --locked --quiet -- --version

step "Deployment files: systemd unit, nginx and Caddy examples, container"
# Each check runs when its tool is installed and says so when it skips;
# the container image is built only with KARTENWAND_BUILD_CONTAINER=1.
bash deploy/check.sh

step "Node: y-websocket conformance against the real binary"
(cd tests/node && npm ci --no-audit --no-fund --loglevel=error && npm test)

step "Web app: type check, lint, unit tests"
(cd web && npm ci --no-audit --no-fund --loglevel=error && npm run typecheck && npm run lint && npm test)

step "Browser end-to-end: Block 1 in Chromium against the real binary"
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi
# target/debug/kartenwand, built by the README check above (`cargo run`),
# embeds the web app as it is now (server/build.rs).
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error && npm test)

step "All tests passed"
