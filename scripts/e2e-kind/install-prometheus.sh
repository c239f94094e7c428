#!/usr/bin/env bash
# Installs the Prometheus Operator with its CRDs and one small Prometheus (kube-prometheus-stack, pinned),
# before the chart: its ServiceMonitor and PrometheusRule need the CRDs to exist.
set -euo pipefail
# shellcheck source=scripts/e2e-kind/lib.sh
source "$(dirname "$0")/lib.sh"
require_kind_context

install_checked_chart monitoring "$E2E_MONITORING_NAMESPACE" "$E2E_ROOT/test/e2e/prometheus-values.yaml" 8m \
  kube-prometheus-stack oci://ghcr.io/prometheus-community/charts/kube-prometheus-stack --version "$PROM_STACK_CHART_VERSION"
# The operator creates the Prometheus pods after the release is "ready": wait until they exist and serve.
# (Pods, not the StatefulSet: app.kubernetes.io/name=prometheus is the label the operator sets on pods,
# and the one the chart's NetworkPolicy lets scrape the metrics port.)
prometheus_pods() {
  [[ -n "$(kubectl --namespace "$E2E_MONITORING_NAMESPACE" get pods \
    --selector app.kubernetes.io/name=prometheus --output name)" ]]
}
retry_until 180 prometheus_pods || die "the Prometheus Operator started no Prometheus pod"
kubectl --namespace "$E2E_MONITORING_NAMESPACE" wait --for=condition=Ready pod \
  --selector app.kubernetes.io/name=prometheus --timeout=180s
