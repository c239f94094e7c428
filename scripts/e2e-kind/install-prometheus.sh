#!/usr/bin/env bash
# Installs the Prometheus Operator with its CRDs and one small Prometheus (kube-prometheus-stack, pinned),
# before the chart: its ServiceMonitor and PrometheusRule need the CRDs to exist.
set -euo pipefail
# shellcheck source=scripts/e2e-kind/lib.sh
source "$(dirname "$0")/lib.sh"
require_kind_context

if on_local_cluster; then
  # The stack's chart registry cannot be reached from the machines that run the local cluster: the operator
  # comes from the bundle in its Go module, the Prometheus from the same settings file (both built here).
  "$E2E_ROOT/scripts/cluster/images.sh" monitoring
  log "installing the Prometheus Operator $PROMETHEUS_OPERATOR_VERSION and Prometheus $PROMETHEUS_VERSION (local cluster)"
  bundle="$(cluster_module_dir github.com/prometheus-operator/prometheus-operator "$PROMETHEUS_OPERATOR_VERSION")/bundle.yaml"
  [[ -s "$bundle" ]] || die "no bundle.yaml in the Prometheus Operator module $PROMETHEUS_OPERATOR_VERSION"
  prometheus_manifests() {
    (cd "$E2E_ROOT" && node --import tsx scripts/cluster/prometheus-manifests.ts "$1" "$bundle" \
      "$E2E_MONITORING_NAMESPACE" "$PROMETHEUS_IMAGE" "$PROMETHEUS_VERSION")
  }
  # Server-side: the CRDs are too large for the last-applied annotation of a client-side apply.
  prometheus_manifests crds | kubectl apply --server-side --field-manager page-tracker-e2e --filename - >/dev/null
  kubectl wait --for=condition=Established --timeout=60s \
    crd/prometheuses.monitoring.coreos.com crd/servicemonitors.monitoring.coreos.com \
    crd/podmonitors.monitoring.coreos.com crd/prometheusrules.monitoring.coreos.com
  prometheus_manifests operator | kubectl apply --server-side --field-manager page-tracker-e2e --filename -
  kubectl --namespace "$E2E_MONITORING_NAMESPACE" rollout status deployment/prometheus-operator --timeout=120s
  prometheus_manifests prometheus | kubectl apply --server-side --field-manager page-tracker-e2e --filename -
else
  install_checked_chart monitoring "$E2E_MONITORING_NAMESPACE" "$E2E_ROOT/test/e2e/prometheus-values.yaml" 8m \
    kube-prometheus-stack oci://ghcr.io/prometheus-community/charts/kube-prometheus-stack --version "$PROM_STACK_CHART_VERSION"
fi
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
