#!/usr/bin/env bash
# Persistence: the view count survives the loss of the Redis pod (AOF on its PersistentVolumeClaim).
set -euo pipefail
# shellcheck source=scripts/e2e-kind/lib.sh
source "$(dirname "$0")/lib.sh"
require_kind_context

page="e2e-persistence-$RANDOM"
views_of() { ingress_curl --fail --silent --show-error --max-time 5 "$E2E_BASE_URL/api/views/$page" | json_field views; }

for _ in 1 2 3 4 5; do
  ingress_curl --fail --silent --show-error --max-time 5 --request POST --output /dev/null "$E2E_BASE_URL/api/views/$page"
done
before="$(views_of)"
[[ "$before" == "5" ]] || die "expected 5 views of $page before the restart, got $before"

log "deleting pod $REDIS_OBJECT_NAME-0 (count before: $before)"
kubectl --namespace "$RELEASE_NAMESPACE" delete pod "$REDIS_OBJECT_NAME-0" --wait=true
# The StatefulSet controller recreates the pod under the same name; until then `wait` finds nothing.
redis_ready() { kubectl --namespace "$RELEASE_NAMESPACE" wait --for=condition=Ready pod "$REDIS_OBJECT_NAME-0" --timeout=10s; }
retry_until 180 redis_ready || die "pod $REDIS_OBJECT_NAME-0 did not come back ready"
# The app turns ready again once its next ping reaches the new Redis pod.
kubectl --namespace "$RELEASE_NAMESPACE" wait --for=condition=Ready pod \
  --selector "app.kubernetes.io/instance=$RELEASE_NAME,app.kubernetes.io/component=app" --timeout=120s

count_readable() { views_of >/dev/null 2>&1; }
retry_until 60 count_readable || die "the app did not answer for $page after Redis came back"
after="$(views_of)"
[[ "$after" == "$before" ]] || die "views of $page changed across the Redis restart: $before before, $after after"
log "persistence OK: $page still has $after views after the Redis pod was replaced"
