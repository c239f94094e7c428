#!/usr/bin/env bash
# Installs the Gateway API CRDs (standard channel, GATEWAY_API_VERSION) before the ingress controller, so
# that Traefik's Gateway provider finds them at start and the chart's HTTPRoute can be created. They come
# from the Go module sigs.k8s.io/gateway-api on both clusters: the Traefik chart no longer ships them, and
# the Go module proxy is the one source the local cluster's machines and GitHub's runners both reach. Their
# CEL rules are checked against this cluster's API server first (scripts/check-crd-cel.ts).
set -euo pipefail
# shellcheck source=scripts/e2e-kind/lib.sh
source "$(dirname "$0")/lib.sh"
require_kind_context

crds="$(cluster_module_dir sigs.k8s.io/gateway-api "$GATEWAY_API_VERSION")/config/crd/standard"
[[ -d "$crds" ]] || die "no config/crd/standard in the Go module sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION"
version="$(server_version)"
log "checking the CEL rules of the Gateway API $GATEWAY_API_VERSION CRDs against Kubernetes $version"
(cd "$E2E_ROOT" && npx --no-install tsx scripts/check-crd-cel.ts --kubernetes "$version" "$crds") ||
  die "the Gateway API $GATEWAY_API_VERSION CRDs call CEL functions the Kubernetes $version API server would reject"
log "installing the Gateway API $GATEWAY_API_VERSION CRDs (standard channel)"
# Server-side: the CRDs are too large for the last-applied annotation of a client-side apply.
kubectl apply --server-side --field-manager page-tracker-e2e --filename "$crds" >/dev/null
kubectl wait --for=condition=Established --timeout=60s \
  crd/gatewayclasses.gateway.networking.k8s.io crd/gateways.gateway.networking.k8s.io \
  crd/httproutes.gateway.networking.k8s.io crd/referencegrants.gateway.networking.k8s.io
