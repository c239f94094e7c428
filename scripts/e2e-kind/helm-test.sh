#!/usr/bin/env bash
# Runs the chart's own tests (templates/tests/) inside the cluster, under the restricted profile.
set -euo pipefail
# shellcheck source=scripts/e2e-kind/lib.sh
source "$(dirname "$0")/lib.sh"
require_kind_context

"$(helm_bin)" test "$RELEASE_NAME" --namespace "$RELEASE_NAMESPACE" --logs --timeout 3m
