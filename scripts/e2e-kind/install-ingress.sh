#!/usr/bin/env bash
# Installs Traefik (pinned chart) as the ingress controller, on the NodePorts the kind config maps to
# localhost:80/443, and waits until it serves.
set -euo pipefail
# shellcheck source=scripts/e2e-kind/lib.sh
source "$(dirname "$0")/lib.sh"
require_kind_context

if on_local_cluster; then
  # The chart repository cannot be reached from the machines that run the local cluster: the same
  # settings file drives manifests of ours around Traefik built from its Go module.
  "$E2E_ROOT/scripts/cluster/images.sh" ingress
  log "installing Traefik $TRAEFIK_VERSION from test/e2e/traefik-values.yaml (local cluster)"
  (cd "$E2E_ROOT" && node --import tsx scripts/cluster/traefik-manifests.ts "$TRAEFIK_IMAGE" "$E2E_TRAEFIK_NAMESPACE") |
    kubectl apply --server-side --field-manager page-tracker-e2e --filename -
else
  install_checked_chart traefik "$E2E_TRAEFIK_NAMESPACE" "$E2E_ROOT/test/e2e/traefik-values.yaml" 5m \
    traefik traefik --repo https://traefik.github.io/charts --version "$TRAEFIK_CHART_VERSION"
fi
kubectl --namespace "$E2E_TRAEFIK_NAMESPACE" rollout status deployment/traefik --timeout=120s
# kind gives a LoadBalancer no address, so the Service must be a NodePort (test/e2e/traefik-values.yaml).
service_type="$(kubectl --namespace "$E2E_TRAEFIK_NAMESPACE" get service traefik --output 'jsonpath={.spec.type}')"
[[ "$service_type" == "NodePort" ]] || die "Traefik's Service is a $service_type, expected NodePort (service.spec.type in test/e2e/traefik-values.yaml)"
