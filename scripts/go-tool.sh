#!/usr/bin/env bash
# Prints the path of a Go program at a pinned version, building it once with `go install PACKAGE@VERSION`
# into the cache outside the tree (PAGE_TRACKER_CACHE, default ~/.cache/page-tracker, under tools/), so a
# clean clone reuses it: the first call takes a minute or more, later ones nothing. The build's environment
# (GOEXPERIMENT, CGO_ENABLED, ...) is the caller's. Build output goes to stderr; stdout is only the path.
# Usage: "$(scripts/go-tool.sh github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION")" -version
set -euo pipefail
package="${1:?usage: scripts/go-tool.sh PACKAGE VERSION}"
version="${2:?usage: scripts/go-tool.sh PACKAGE VERSION}"
name="$(basename "$package")"
dir="${PAGE_TRACKER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/page-tracker}/tools/$name-$version"
if [[ ! -x "$dir/$name" ]]; then
  command -v go >/dev/null 2>&1 || { echo "go not found on PATH: install Go (Debian: apt-get install golang-go), which builds $name" >&2; exit 1; }
  echo "go-tool.sh: building $name $version from its Go module (once; cached in $dir)" >&2
  rm -rf "$dir.partial"
  GOBIN="$dir.partial" GOFLAGS=-mod=mod go install "$package@$version" >&2 ||
    { echo "go install $package@$version failed (needs the Go module proxy)" >&2; exit 1; }
  rm -rf "$dir"
  mv "$dir.partial" "$dir"
fi
printf '%s\n' "$dir/$name"
