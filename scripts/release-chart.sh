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
# The image is tagged from the same tag; a tag that disagrees with package.json would ship an app whose
# reported version (page_tracker_build_info) is not the release's.
package_version="$(node -p 'require("./package.json").version')"
if [[ "$version" != "$package_version" ]]; then
  echo "tag '$tag' does not match package.json version $package_version: bump package.json first" >&2
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
