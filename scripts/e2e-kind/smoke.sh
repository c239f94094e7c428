#!/usr/bin/env bash
# Runs the black-box smoke suite (test/smoke, the same files as locally) against the release through each
# route visitors have: the Ingress (Host $E2E_INGRESS_HOST), then the Gateway API HTTPRoute (each of its host names,
# read from the release), both served by Traefik on the same port; /metrics through a port-forward to the
# metrics port.
set -euo pipefail
# shellcheck source=scripts/e2e-kind/lib.sh
source "$(dirname "$0")/lib.sh"
require_kind_context
trap stop_port_forwards EXIT

# An HTTPRoute is served only once the Gateway's controller has accepted it and resolved its backend.
route_condition() {
  kubectl --namespace "$RELEASE_NAMESPACE" get httproute "$APP_OBJECT_NAME" \
    --output "jsonpath={.status.parents[0].conditions[?(@.type==\"$1\")].status}"
}
route_hosts=()
if kubectl --namespace "$RELEASE_NAMESPACE" get httproute "$APP_OBJECT_NAME" >/dev/null 2>&1; then
  route_accepted() { [[ "$(route_condition Accepted)" == "True" && "$(route_condition ResolvedRefs)" == "True" ]]; }
  retry_until 60 route_accepted ||
    die "HTTPRoute $APP_OBJECT_NAME not accepted by its Gateway: $(kubectl --namespace "$RELEASE_NAMESPACE" get httproute "$APP_OBJECT_NAME" --output 'jsonpath={.status}')"
  mapfile -t route_hosts < <(kubectl --namespace "$RELEASE_NAMESPACE" get httproute "$APP_OBJECT_NAME" --output 'jsonpath={range .spec.hostnames[*]}{@}{"\n"}{end}')
  ((${#route_hosts[@]} > 0)) || die "HTTPRoute $APP_OBJECT_NAME has no host names: the smoke suite could not tell its answers from the Ingress's"
fi

start_port_forward "$RELEASE_NAMESPACE" "service/$APP_OBJECT_NAME" 9100
for host in "$E2E_INGRESS_HOST" "${route_hosts[@]}"; do
  # Traefik may need a moment to pick up the Ingress or the route after helm returns. A visitor path: the
  # probes (/healthz, /readyz) are not routed to visitors.
  serves() { route_curl "$host" --fail --silent --show-error --max-time 5 --output /dev/null "$E2E_BASE_URL/api/views"; }
  retry_until 60 serves || die "$E2E_BASE_URL/api/views did not answer 200 through Traefik (Host: $host)"
  log "smoke: BASE_URL=$E2E_BASE_URL HOST_HEADER=$host METRICS_URL=http://127.0.0.1:$E2E_PF_PORT"
  BASE_URL="$E2E_BASE_URL" HOST_HEADER="$host" METRICS_URL="http://127.0.0.1:$E2E_PF_PORT" npm --prefix "$E2E_ROOT" run smoke
done
