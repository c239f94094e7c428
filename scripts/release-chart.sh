#!/usr/bin/env bash
# Packages charts/page-tracker with version and appVersion taken from a release tag (v1.2.3 -> 1.2.3),
# image.repository set to ghcr.io/<owner>/page-tracker and image.digest to IMAGE_DIGEST (the image the same
# release pushed: a user installing the chart runs exactly those bytes, whatever later happens to the tag),
# and pushes it to oci://ghcr.io/<owner>/charts. The pushed chart's digest is printed as `digest=sha256:...`,
# and appended to $GITHUB_OUTPUT when that is set, so the workflow can sign it. Used by
# .github/workflows/release.yml.
# Usage: REGISTRY_USER=... REGISTRY_PASSWORD=... REGISTRY_OWNER=... IMAGE_DIGEST=sha256:... scripts/release-chart.sh TAG OUT_DIR
#        REGISTRY_OWNER=... [IMAGE_DIGEST=...] scripts/release-chart.sh --package-only TAG OUT_DIR   (no login, no push)
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
  # A published chart always pins the image it was released with.
  : "${IMAGE_DIGEST:?IMAGE_DIGEST is required (the digest of the image this release pushed)}"
fi
: "${REGISTRY_OWNER:?REGISTRY_OWNER is required}"
image_digest="${IMAGE_DIGEST:-}"
if [[ -n "$image_digest" && ! "$image_digest" =~ ^sha256:[0-9a-f]{64}$ ]]; then
  echo "IMAGE_DIGEST '$image_digest' is not a digest (sha256: and 64 hex digits)" >&2
  exit 1
fi

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

helm="$(scripts/ci-machine/helm.sh)"
mkdir -p "$out_dir"
# The chart's default image.repository names the upstream owner; a release from any other owner must point
# at the image it pushed itself, so a copy of the chart gets this release's repository before packaging.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -R charts/page-tracker "$work/page-tracker"
sed -i "0,/^  repository: .*/s||  repository: $image|" "$work/page-tracker/values.yaml"
if [[ -n "$image_digest" ]]; then
  sed -i "0,/^  digest: .*/s||  digest: \"$image_digest\"|" "$work/page-tracker/values.yaml"
fi
"$helm" lint "$work/page-tracker"
"$helm" package "$work/page-tracker" --version "$version" --app-version "$version" --destination "$out_dir"
packaged="$("$helm" show values "$out_dir/page-tracker-$version.tgz" | sed -n '/^image:/,/^[^ ]/s/^  repository: //p')"
if [[ "$packaged" != "$image" ]]; then
  echo "the packaged chart names image.repository '$packaged', not $image" >&2
  exit 1
fi
packaged_digest="$("$helm" show values "$out_dir/page-tracker-$version.tgz" | sed -n '/^image:/,/^[^ ]/s/^  digest: //p' | tr -d '"')"
if [[ "$packaged_digest" != "$image_digest" ]]; then
  echo "the packaged chart names image.digest '$packaged_digest', not '$image_digest'" >&2
  exit 1
fi
if ((push == 0)); then
  exit 0
fi
printf '%s' "$REGISTRY_PASSWORD" | "$helm" registry login ghcr.io --username "$REGISTRY_USER" --password-stdin
pushed="$("$helm" push "$out_dir/page-tracker-$version.tgz" "oci://ghcr.io/$owner/charts" 2>&1)"
printf '%s\n' "$pushed"
chart_digest="$(printf '%s\n' "$pushed" | sed -n 's/^Digest: \(sha256:[0-9a-f]\{64\}\)$/\1/p')"
[[ -n "$chart_digest" ]] || { echo "helm push printed no digest: the chart cannot be signed" >&2; exit 1; }
echo "digest=$chart_digest"
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  echo "digest=$chart_digest" >>"$GITHUB_OUTPUT"
fi
