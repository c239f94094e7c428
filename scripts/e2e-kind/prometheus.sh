#!/usr/bin/env bash
# Prometheus: through Prometheus's HTTP API, the app's targets (from the chart's ServiceMonitor) are up
# and the chart's PrometheusRule groups are loaded and evaluated.
set -euo pipefail
# shellcheck source=scripts/e2e-kind/lib.sh
source "$(dirname "$0")/lib.sh"
require_kind_context
trap stop_port_forwards EXIT

replicas="$(kubectl --namespace "$RELEASE_NAMESPACE" get deployment "$APP_OBJECT_NAME" --output 'jsonpath={.spec.replicas}')"
start_port_forward "$E2E_MONITORING_NAMESPACE" service/prometheus-operated 9090
node --import tsx "$E2E_ROOT/scripts/e2e-kind/check-prometheus.ts" \
  --url "http://127.0.0.1:$E2E_PF_PORT" \
  --namespace "$RELEASE_NAMESPACE" \
  --service "$APP_OBJECT_NAME" \
  --targets "$replicas" \
  --rules "$E2E_CHART/files/prometheus-rules.yaml"
