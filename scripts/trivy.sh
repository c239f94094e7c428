#!/usr/bin/env bash
# Prints the path of Trivy (TRIVY_VERSION of versions.env), building it once from its Go module into the cache
# outside the tree (PAGE_TRACKER_CACHE, default ~/.cache/page-tracker): a first call takes minutes, later ones
# nothing. Usage: "$(scripts/trivy.sh)" config DIR
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=versions.env
source versions.env

cache="${PAGE_TRACKER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/page-tracker}/tools/trivy-$TRIVY_VERSION"
if [[ ! -x "$cache/trivy" ]]; then
  command -v go >/dev/null 2>&1 || { echo "go not found on PATH: install Go (Debian: apt-get install golang-go), which builds Trivy" >&2; exit 1; }
  echo "trivy.sh: building Trivy $TRIVY_VERSION from its Go module (once; cached in $cache)" >&2
  rm -rf "$cache.partial"
  # Trivy uses encoding/json/v2, which Go 1.25 and 1.26 ship behind this experiment (Trivy's own build sets it).
  GOEXPERIMENT=jsonv2 GOBIN="$cache.partial" GOFLAGS=-mod=mod go install "github.com/aquasecurity/trivy/cmd/trivy@$TRIVY_VERSION" >&2
  rm -rf "$cache"
  mv "$cache.partial" "$cache"
fi
printf '%s\n' "$cache/trivy"
