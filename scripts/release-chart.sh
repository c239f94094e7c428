#!/usr/bin/env bash
# Packages charts/page-tracker with version and appVersion taken from a release tag (v1.2.3 -> 1.2.3) and
# image.repository set to ghcr.io/<owner>/page-tracker (the image the same release pushes), and pushes it to
# oci://ghcr.io/<owner>/charts. Used by .github/workflows/release.yml.
# Usage: REGISTRY_USER=... REGISTRY_PASSWORD=... REGISTRY_OWNER=... scripts/release-chart.sh TAG OUT_DIR
#        REGISTRY_OWNER=... scripts/release-chart.sh --package-only TAG OUT_DIR   (no login, no push)
set -euo pipefail
cd "$(dirname "$0")/.."

push=1
if [[ "${1:-}" == "--package-only" ]]; then
  push=0
  shift
fi
tag="${1:?usage: release-chart.sh [--package-only] TAG OUT_DIR}"
out_dir="${2:?usage: release-chart.sh [--package-only] TAG OUT_DIR}"
if ((push)); then
  : "${REGISTRY_USER:?REGISTRY_USER is required}" "${REGISTRY_PASSWORD:?REGISTRY_PASSWORD is required}"
fi
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

image="ghcr.io/$owner/page-tracker"

helm="$(scripts/helm.sh)"
mkdir -p "$out_dir"
# The chart's default image.repository names the upstream owner; a release from any other owner must point
# at the image it pushed itself, so a copy of the chart gets this release's repository before packaging.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -R charts/page-tracker "$work/page-tracker"
sed -i "0,/^  repository: .*/s||  repository: $image|" "$work/page-tracker/values.yaml"
"$helm" lint "$work/page-tracker"
"$helm" package "$work/page-tracker" --version "$version" --app-version "$version" --destination "$out_dir"
packaged="$("$helm" show values "$out_dir/page-tracker-$version.tgz" | sed -n '/^image:/,/^[^ ]/s/^  repository: //p')"
if [[ "$packaged" != "$image" ]]; then
  echo "the packaged chart names image.repository '$packaged', not $image" >&2
  exit 1
fi
if ((push == 0)); then
  exit 0
fi
printf '%s' "$REGISTRY_PASSWORD" | "$helm" registry login ghcr.io --username "$REGISTRY_USER" --password-stdin
"$helm" push "$out_dir/page-tracker-$version.tgz" "oci://ghcr.io/$owner/charts"
