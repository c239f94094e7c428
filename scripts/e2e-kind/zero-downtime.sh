#!/usr/bin/env bash
# Zero downtime: a request loop runs while `kubectl rollout restart` replaces every app pod; any failed
# request (connection error, timeout or non-2xx through the ingress) fails the step.
set -euo pipefail
# shellcheck source=scripts/e2e-kind/lib.sh
source "$(dirname "$0")/lib.sh"
require_kind_context

results="$(mktemp)"
stop_file="$(mktemp -u)"
loop_pid=""
cleanup() {
  touch "$stop_file"
  if [[ -n "$loop_pid" ]]; then wait "$loop_pid" 2>/dev/null || true; fi
  rm -f "$stop_file"
}
trap cleanup EXIT

# One line per request: the HTTP status, or 000 when curl got none (refused, reset, timed out).
request_loop() {
  while [[ ! -e "$stop_file" ]]; do
    ingress_curl --silent --output /dev/null --max-time 5 --write-out '%{http_code}\n' \
      --request POST "$E2E_BASE_URL/api/views/e2e-zero-downtime" >>"$results" || true
  done
}

request_loop &
loop_pid=$!
sleep 2
log "rollout restart deployment/$APP_OBJECT_NAME under load"
kubectl --namespace "$RELEASE_NAMESPACE" rollout restart "deployment/$APP_OBJECT_NAME"
kubectl --namespace "$RELEASE_NAMESPACE" rollout status "deployment/$APP_OBJECT_NAME" --timeout=180s
# Old pods keep draining for SHUTDOWN_DELAY_SECONDS after the rollout reports done: keep the load on.
sleep 10
touch "$stop_file"
wait "$loop_pid"
loop_pid=""

total="$(wc -l <"$results")"
failed="$(grep -cv '^2[0-9][0-9]$' "$results" || true)"
log "zero-downtime: $total requests, $failed failed"
if ((failed > 0)); then
  sort "$results" | uniq -c >&2
  die "$failed of $total requests failed during the rollout"
fi
((total >= 50)) || die "only $total requests ran during the rollout: the loop did not exercise it"
