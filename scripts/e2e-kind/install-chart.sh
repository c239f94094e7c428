#!/usr/bin/env bash
# Installs (or upgrades) the chart from this checkout with test/e2e/kind-values.yaml and waits until
# every object is ready.
set -euo pipefail
# shellcheck source=scripts/e2e-kind/lib.sh
source "$(dirname "$0")/lib.sh"
require_kind_context

helm="$(helm_bin)"
mapfile -t values_args < <(e2e_values_args)
log "helm upgrade --install $RELEASE_NAME"
"$helm" upgrade --install "$RELEASE_NAME" "$E2E_CHART" \
  --namespace "$RELEASE_NAMESPACE" \
  "${values_args[@]}" \
  --wait --timeout 5m
kubectl --namespace "$RELEASE_NAMESPACE" rollout status "deployment/$APP_OBJECT_NAME" --timeout=120s
kubectl --namespace "$RELEASE_NAMESPACE" rollout status "statefulset/$REDIS_OBJECT_NAME" --timeout=120s
# What the release made, whatever its values turned on (a kind list would fail where a CRD is absent).
"$helm" get manifest "$RELEASE_NAME" --namespace "$RELEASE_NAMESPACE" | kubectl get --filename -
