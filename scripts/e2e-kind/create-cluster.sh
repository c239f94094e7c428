#!/usr/bin/env bash
# Creates the kind cluster from test/e2e/kind-config.yaml (or reuses it) and makes it the current context.
# The node image is KIND_NEWEST_NODE_IMAGE of versions.env unless E2E_NODE_IMAGE names another (CI runs the
# oldest supported Kubernetes this way); it needs the kind release that built it (KIND_*_VERSION there).
set -euo pipefail
# shellcheck source=scripts/e2e-kind/lib.sh
source "$(dirname "$0")/lib.sh"

command -v kind >/dev/null 2>&1 || die "kind not found on PATH: install it (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)"

if kind get clusters 2>/dev/null | grep -x "$E2E_CLUSTER_NAME" >/dev/null; then
  log "reusing kind cluster $E2E_CLUSTER_NAME"
  kind export kubeconfig --name "$E2E_CLUSTER_NAME"
else
  args=(create cluster --name "$E2E_CLUSTER_NAME" --config "$E2E_KIND_CONFIG" --image "${E2E_NODE_IMAGE:-$KIND_NEWEST_NODE_IMAGE}" --wait 120s)
  log "kind ${args[*]}"
  kind "${args[@]}"
fi
require_kind_context
kubectl version
kubectl wait --for=condition=Ready nodes --all --timeout=120s
