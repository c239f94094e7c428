#!/usr/bin/env bash
# Installs the Debian packages the tests drive for real (Redis, Docker, Prometheus, linters, ...).
# Only what is missing is installed, so a developer's machine that already has them is left alone.
# Usage: scripts/install-system-deps.sh            (everything .ci/run needs)
set -euo pipefail

# command-on-PATH (or an absolute path)  debian-package
wanted=(
  "redis-server redis-server"
  "redis-cli redis-tools"
  # The Sentinel tests (test/support/redis-ha.ts): Sentinels watching a primary and its replicas.
  "redis-sentinel redis-sentinel"
  "unzip unzip"
  "dockerd docker.io"
  "docker-compose docker-compose"
  "debootstrap debootstrap"
  "prometheus prometheus"
  "promtool prometheus"
  "openssl openssl"
  "shellcheck shellcheck"
  "chromium chromium"
  "nginx nginx"
  "go golang-go"
  # The local test cluster (scripts/cluster): the runtime, pod networking, kube-proxy's and kube-router's tools.
  "gcc gcc"
  "runc runc"
  "/usr/lib/cni/ptp containernetworking-plugins"
  "iptables iptables"
  "conntrack conntrack"
  "ipset ipset"
  # npm run bench's Flask tracker (scripts/bench/flask_tracker.py) runs under Debian's gunicorn.
  "gunicorn gunicorn"
)

# python-module debian-package: modules for Debian's /usr/bin/python3, where these packages install them
# and what Debian's gunicorn runs (the python3 first on PATH may be another one, e.g. a pyenv or a venv).
wanted_python_modules=(
  "flask python3-flask"
  "redis python3-redis"
)

missing=()
for pair in "${wanted[@]}"; do
  read -r cmd pkg <<<"$pair"
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
done
for pair in "${wanted_python_modules[@]}"; do
  read -r module pkg <<<"$pair"
  /usr/bin/python3 -c "import $module" >/dev/null 2>&1 || missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]} (run: sudo apt-get install -y ${missing[*]})" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
