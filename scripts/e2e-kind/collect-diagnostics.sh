#!/usr/bin/env bash
# Writes what is needed to understand a failed e2e run into $E2E_ARTIFACTS (CI uploads it): events,
# `kubectl describe` and the logs (current and previous) of every pod in the namespaces the e2e uses.
# Never fails the caller: a missing object is noted and skipped.
set -uo pipefail
# shellcheck source=scripts/e2e-kind/lib.sh
source "$(dirname "$0")/lib.sh"
require_kind_context

mkdir -p "$E2E_ARTIFACTS"
log "collecting diagnostics into $E2E_ARTIFACTS"
kubectl get nodes --output wide >"$E2E_ARTIFACTS/nodes.txt" 2>&1
kubectl get all,ingress,networkpolicy,pvc --all-namespaces --output wide >"$E2E_ARTIFACTS/objects.txt" 2>&1
kubectl get events --all-namespaces --sort-by=.lastTimestamp >"$E2E_ARTIFACTS/events.txt" 2>&1
"$(helm_bin)" list --all-namespaces >"$E2E_ARTIFACTS/helm-releases.txt" 2>&1

for namespace in "$RELEASE_NAMESPACE" "$E2E_TRAEFIK_NAMESPACE" "$E2E_MONITORING_NAMESPACE" kube-system; do
  dir="$E2E_ARTIFACTS/$namespace"
  mkdir -p "$dir"
  kubectl --namespace "$namespace" describe all,ingress,networkpolicy,pvc >"$dir/describe.txt" 2>&1
  for pod in $(kubectl --namespace "$namespace" get pods --output 'jsonpath={.items[*].metadata.name}' 2>/dev/null); do
    kubectl --namespace "$namespace" logs "$pod" --all-containers --timestamps >"$dir/$pod.log" 2>&1
    kubectl --namespace "$namespace" logs "$pod" --all-containers --timestamps --previous >"$dir/$pod.previous.log" 2>/dev/null \
      || rm -f "$dir/$pod.previous.log"
  done
done
if command -v kind >/dev/null 2>&1; then
  kind export logs "$E2E_ARTIFACTS/kind" --name "$(current_kind_cluster)" >/dev/null 2>&1 || log "kind export logs failed"
fi
exit 0
