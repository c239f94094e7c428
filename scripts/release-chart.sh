#!/usr/bin/env bash
# Packages charts/page-tracker with version and appVersion taken from a release tag (v1.2.3 -> 1.2.3)
# and pushes it to oci://ghcr.io/<owner>/charts. Used by .github/workflows/release.yml.
# Usage: REGISTRY_USER=... REGISTRY_PASSWORD=... REGISTRY_OWNER=... scripts/release-chart.sh TAG OUT_DIR
set -euo pipefail
cd "$(dirname "$0")/.."

tag="${1:?usage: release-chart.sh TAG OUT_DIR}"
out_dir="${2:?usage: release-chart.sh TAG OUT_DIR}"
: "${REGISTRY_USER:?REGISTRY_USER is required}" "${REGISTRY_PASSWORD:?REGISTRY_PASSWORD is required}"
: "${REGISTRY_OWNER:?REGISTRY_OWNER is required}"

version="${tag#v}"
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "tag '$tag' is not a semantic version (v1.2.3)" >&2
  exit 1
fi
# GHCR repository names are lower case; GitHub owners need not be.
owner="$(printf '%s' "$REGISTRY_OWNER" | tr '[:upper:]' '[:lower:]')"

helm="$(scripts/helm.sh)"
mkdir -p "$out_dir"
"$helm" lint charts/page-tracker
"$helm" package charts/page-tracker --version "$version" --app-version "$version" --destination "$out_dir"
printf '%s' "$REGISTRY_PASSWORD" | "$helm" registry login ghcr.io --username "$REGISTRY_USER" --password-stdin
"$helm" push "$out_dir/page-tracker-$version.tgz" "oci://ghcr.io/$owner/charts"
