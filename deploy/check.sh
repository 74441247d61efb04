#!/usr/bin/env bash
# Checks the files in deploy/ with the tools a machine has, and says plainly
# which checks it skipped and why:
#
# - kartenwand.service: `systemd-analyze verify`;
# - nginx.conf: `nginx -t`, with a throwaway self-signed certificate in
#   place of the placeholders (tests/e2e/proxy.test.mjs runs its proxy
#   settings for real);
# - Caddyfile: `caddy validate`;
# - Containerfile: a build with docker or podman, only when
#   KARTENWAND_BUILD_CONTAINER=1 (a release build inside a container takes
#   far too long for every test run).
#
# Binary for the unit check: $KARTENWAND_BIN, else target/debug/kartenwand.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${KARTENWAND_BIN:-target/debug/kartenwand}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ------------------------------------------------------------- systemd unit
if command -v systemd-analyze >/dev/null; then
  # The unit runs /usr/local/bin/kartenwand, which a test machine usually
  # lacks, and `verify` fails on a missing ExecStart binary. So the copy
  # verified here runs the built binary instead; every other line is the
  # unit as shipped.
  if [ ! -x "$bin" ]; then
    echo "deploy/check.sh: $bin is missing: build it (cargo build) or set KARTENWAND_BIN" >&2
    exit 1
  fi
  sed "s|^ExecStart=/usr/local/bin/kartenwand |ExecStart=$(realpath "$bin") |" \
    deploy/kartenwand.service > "$work/kartenwand.service"
  if ! grep -q "^ExecStart=$(realpath "$bin") serve" "$work/kartenwand.service"; then
    echo "deploy/check.sh: ExecStart of deploy/kartenwand.service is not /usr/local/bin/kartenwand serve; update this check" >&2
    exit 1
  fi
  # `verify` prints its findings but exits 0 on some of them: any output fails.
  out=$(systemd-analyze verify "$work/kartenwand.service" 2>&1) || { echo "$out" >&2; exit 1; }
  if [ -n "$out" ]; then
    echo "$out" >&2
    echo "deploy/check.sh: systemd-analyze verify reported the above for deploy/kartenwand.service" >&2
    exit 1
  fi
  echo "kartenwand.service: systemd-analyze verify passed (ExecStart pointed at $bin)"
else
  echo "kartenwand.service: SKIPPED, systemd-analyze is not installed"
fi

# ------------------------------------------------------------- nginx
nginx_bin=$(command -v nginx || true)
[ -n "$nginx_bin" ] || [ ! -x /usr/sbin/nginx ] || nginx_bin=/usr/sbin/nginx
if [ -n "$nginx_bin" ] && command -v openssl >/dev/null; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=kartenwand.example.de \
    -keyout "$work/privkey.pem" -out "$work/fullchain.pem" 2>/dev/null
  mkdir -p "$work/nginx/logs"
  sed -e "s|/etc/ssl/kartenwand/|$work/|" \
      -e "s|/var/log/nginx/|$work/nginx/logs/|" \
      deploy/nginx.conf > "$work/kartenwand.conf"
  cat > "$work/nginx.conf" <<CONF
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events {}
http { include $work/kartenwand.conf; }
CONF
  if ! out=$("$nginx_bin" -t -q -p "$work/nginx" -e "$work/nginx/logs/error.log" -c "$work/nginx.conf" 2>&1); then
    echo "$out" >&2
    echo "deploy/check.sh: nginx -t refused deploy/nginx.conf" >&2
    exit 1
  fi
  echo "nginx.conf: nginx -t passed ($("$nginx_bin" -v 2>&1))"
else
  echo "nginx.conf: SKIPPED, nginx or openssl is not installed"
fi

# ------------------------------------------------------------- Caddy
if command -v caddy >/dev/null; then
  if ! out=$(caddy validate --adapter caddyfile --config deploy/Caddyfile 2>&1); then
    echo "$out" >&2
    echo "deploy/check.sh: caddy validate refused deploy/Caddyfile" >&2
    exit 1
  fi
  echo "Caddyfile: caddy validate passed ($(caddy version))"
else
  echo "Caddyfile: SKIPPED, caddy is not installed"
fi

# ------------------------------------------------------------- container
engine=""
for candidate in docker podman; do
  if command -v "$candidate" >/dev/null && "$candidate" info >/dev/null 2>&1; then
    engine=$candidate
    break
  fi
done
if [ -z "$engine" ]; then
  echo "Containerfile: SKIPPED, no docker or podman that reaches a daemon"
elif [ "${KARTENWAND_BUILD_CONTAINER:-0}" != "1" ]; then
  echo "Containerfile: SKIPPED, $engine works but the image is built only with KARTENWAND_BUILD_CONTAINER=1 (a release build takes long)"
else
  "$engine" build -f deploy/Containerfile -t kartenwand:check .
  echo "Containerfile: $engine build passed (image kartenwand:check)"
fi
