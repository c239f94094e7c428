#!/usr/bin/env bash
# Installs the Prometheus Operator with its CRDs and one small Prometheus (kube-prometheus-stack, pinned),
# before the chart: its ServiceMonitor and PrometheusRule need the CRDs to exist.
set -euo pipefail
# shellcheck source=scripts/e2e-kind/lib.sh
source "$(dirname "$0")/lib.sh"
require_kind_context

helm="$(helm_bin)"
log "installing kube-prometheus-stack $E2E_PROM_STACK_CHART_VERSION"
"$helm" upgrade --install monitoring oci://ghcr.io/prometheus-community/charts/kube-prometheus-stack \
  --version "$E2E_PROM_STACK_CHART_VERSION" \
  --namespace "$E2E_MONITORING_NAMESPACE" --create-namespace \
  --values "$E2E_ROOT/test/e2e/prometheus-values.yaml" \
  --wait --timeout 8m
# The operator creates the Prometheus StatefulSet after the release is "ready": wait for it too.
prometheus_statefulset() {
  kubectl --namespace "$E2E_MONITORING_NAMESPACE" get statefulset \
    --selector app.kubernetes.io/name=prometheus --output name | grep .
}
retry_until 180 prometheus_statefulset >/dev/null || die "the Prometheus Operator created no Prometheus StatefulSet"
kubectl --namespace "$E2E_MONITORING_NAMESPACE" rollout status "$(prometheus_statefulset)" --timeout=180s
