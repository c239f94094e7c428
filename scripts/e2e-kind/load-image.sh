#!/usr/bin/env bash
# Builds the app image from the top-level Dockerfile and loads it into the kind cluster's nodes,
# so the chart runs exactly the code of this checkout (pullPolicy Never in test/e2e/kind-values.yaml).
set -euo pipefail
# shellcheck source=scripts/e2e-kind/lib.sh
source "$(dirname "$0")/lib.sh"
require_kind_context

log "building $E2E_IMAGE"
docker build --target runtime --tag "$E2E_IMAGE" "$E2E_ROOT"
cluster="$(current_kind_cluster)"
log "loading $E2E_IMAGE into kind cluster $cluster"
kind load docker-image "$E2E_IMAGE" --name "$cluster"
