#!/usr/bin/env bash
# Runs the black-box smoke suite (test/smoke, the same files as locally) against the release:
# visitors through the ingress controller, /metrics through a port-forward to the metrics port.
set -euo pipefail
# shellcheck source=scripts/e2e-kind/lib.sh
source "$(dirname "$0")/lib.sh"
require_kind_context
trap stop_port_forwards EXIT

# The ingress controller may need a moment to pick up the Ingress after helm returns.
ingress_serves() { ingress_curl --fail --silent --show-error --max-time 5 --output /dev/null "$E2E_BASE_URL/healthz"; }
retry_until 60 ingress_serves || die "$E2E_BASE_URL/healthz did not answer 200 through the ingress (Host: $E2E_HOST)"

start_port_forward "$E2E_NAMESPACE" "service/$E2E_APP" 9100
log "smoke: BASE_URL=$E2E_BASE_URL HOST_HEADER=$E2E_HOST METRICS_URL=http://127.0.0.1:$E2E_PF_PORT"
BASE_URL="$E2E_BASE_URL" HOST_HEADER="$E2E_HOST" METRICS_URL="http://127.0.0.1:$E2E_PF_PORT" npm --prefix "$E2E_ROOT" run smoke
