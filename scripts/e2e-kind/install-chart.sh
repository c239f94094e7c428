#!/usr/bin/env bash
# Installs (or upgrades) the chart from this checkout with test/e2e/kind-values.yaml and waits until
# every object is ready.
set -euo pipefail
# shellcheck source=scripts/e2e-kind/lib.sh
source "$(dirname "$0")/lib.sh"
require_kind_context

helm="$(helm_bin)"
mapfile -t values_args < <(e2e_values_args)
log "helm upgrade --install $E2E_RELEASE"
"$helm" upgrade --install "$E2E_RELEASE" "$E2E_CHART" \
  --namespace "$E2E_NAMESPACE" \
  "${values_args[@]}" \
  --wait --timeout 5m
kubectl --namespace "$E2E_NAMESPACE" rollout status "deployment/$E2E_APP" --timeout=120s
kubectl --namespace "$E2E_NAMESPACE" rollout status "statefulset/$E2E_REDIS" --timeout=120s
# What the release made, whatever its values turned on (a kind list would fail where a CRD is absent).
"$helm" get manifest "$E2E_RELEASE" --namespace "$E2E_NAMESPACE" | kubectl get --filename -
