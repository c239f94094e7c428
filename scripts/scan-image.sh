#!/usr/bin/env bash
# Scans a built image for known vulnerabilities with Trivy (scripts/trivy.sh): fails on any HIGH or CRITICAL
# one that has a fix (a finding without a fix would fail every build until upstream ships one, and there is
# nothing to do about it but wait). Trivy downloads its vulnerability database from a container registry,
# which this repository's CI machines cannot reach, so ci.yml runs it on GitHub after building the image.
# Usage: scripts/scan-image.sh IMAGE   (e.g. page-tracker:dev)
set -euo pipefail
cd "$(dirname "$0")/.."
image="${1:?usage: scripts/scan-image.sh IMAGE}"
trivy="$(scripts/trivy.sh)"
"$trivy" image --severity HIGH,CRITICAL --ignore-unfixed --exit-code 1 --no-progress "$image"
