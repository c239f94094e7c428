#!/usr/bin/env bash
# Prints the path of Trivy (TRIVY_VERSION of versions.env), built once by scripts/go-tool.sh.
# Usage: "$(scripts/trivy.sh)" config DIR
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=versions.env
source versions.env
# Trivy uses encoding/json/v2, which Go 1.25 and 1.26 ship behind this experiment (Trivy's own build sets it).
GOEXPERIMENT=jsonv2 exec scripts/go-tool.sh github.com/aquasecurity/trivy/cmd/trivy "$TRIVY_VERSION"
