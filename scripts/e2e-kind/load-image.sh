#!/usr/bin/env bash
# Builds the app image from the top-level Dockerfile and loads it into the cluster's node, so the chart runs
# exactly the code of this checkout (pullPolicy Never in test/e2e/kind-values.yaml). kind pulls every other
# image itself; the local test cluster cannot pull, so there every image the release names is loaded.
set -euo pipefail
# shellcheck source=scripts/e2e-kind/lib.sh
source "$(dirname "$0")/lib.sh"
require_kind_context

if on_local_cluster; then
  # The Dockerfile's base images cannot be pulled on the machines that run the local cluster.
  "$E2E_ROOT/scripts/ci-machine/standin-images.sh"
fi
log "building $E2E_IMAGE"
docker build --target runtime --tag "$E2E_IMAGE" "$E2E_ROOT"
if on_local_cluster; then
  log "loading the images of release $RELEASE_NAME into the local cluster"
  mapfile -t values_args < <(e2e_values_args)
  "$(helm_bin)" template "$RELEASE_NAME" "$E2E_CHART" --namespace "$RELEASE_NAMESPACE" "${values_args[@]}" |
    "$E2E_ROOT/scripts/cluster/load-rendered-images.sh" "$E2E_IMAGE"
else
  cluster="$(current_kind_cluster)"
  log "loading $E2E_IMAGE into kind cluster $cluster"
  kind load docker-image "$E2E_IMAGE" --name "$cluster"
fi
