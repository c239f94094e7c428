#!/usr/bin/env bash
# NetworkPolicy: a pod without the app's labels cannot open a TCP connection to Redis, while the app
# pods can. Both sides run the same probe (node's net.connect in the app image), so the only difference
# is the labels; the probe pod meets the restricted Pod Security Standard like everything else here.
# Enforcers block in one of two ways: kind's kube-network-policies drops the packet (the probe times out),
# kube-router on the local cluster rejects it (the connection is refused). A refusal is only the policy's
# because the app pod is checked first to connect to the very same address.
set -euo pipefail
# shellcheck source=scripts/e2e-kind/lib.sh
source "$(dirname "$0")/lib.sh"
require_kind_context

probe_pod="e2e-netpol-probe"
# Exit codes: 0 connected, 3 timed out (a dropped packet), 5 refused (a rejected one), 4 any other error.
probe_js='
const socket = require("node:net").connect({ host: process.argv[1], port: Number(process.argv[2]) });
socket.setTimeout(5000);
socket.on("connect", () => { console.log("connected"); socket.destroy(); process.exit(0); });
socket.on("timeout", () => { console.log("timed out"); process.exit(3); });
socket.on("error", (error) => { console.log("error: " + error.message); process.exit(error.code === "ECONNREFUSED" ? 5 : 4); });
'
# The Service's cluster IP, not its name: a DNS failure must not pass for a NetworkPolicy drop.
redis_host="$(kubectl --namespace "$RELEASE_NAMESPACE" get service "$REDIS_OBJECT_NAME" --output 'jsonpath={.spec.clusterIP}')"
[[ -n "$redis_host" ]] || die "service $REDIS_OBJECT_NAME has no cluster IP"

cleanup() { kubectl --namespace "$RELEASE_NAMESPACE" delete pod "$probe_pod" --ignore-not-found --wait=false >/dev/null; }
trap cleanup EXIT
cleanup
kubectl --namespace "$RELEASE_NAMESPACE" wait --for=delete "pod/$probe_pod" --timeout=60s 2>/dev/null || true

log "probe from an app pod (must connect)"
app_said="$(kubectl --namespace "$RELEASE_NAMESPACE" exec "deployment/$APP_OBJECT_NAME" -- node -e "$probe_js" "$redis_host" 6379)" \
  || die "the app pod could not reach Redis: $app_said"
log "app: $app_said"

log "probe from a pod without the app's labels (must be dropped or refused)"
probe_js_json="$(node -p 'JSON.stringify(process.argv[1])' "$probe_js")"
kubectl --namespace "$RELEASE_NAMESPACE" apply --filename - <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $probe_pod
  labels:
    app.kubernetes.io/name: e2e-netpol-probe
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
    runAsGroup: 10001
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: probe
      image: $E2E_IMAGE
      imagePullPolicy: Never
      command: ["node", "-e", $probe_js_json, "$redis_host", "6379"]
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: ["ALL"]
      resources:
        limits:
          cpu: 100m
          memory: 64Mi
YAML

probe_finished() {
  local phase
  phase="$(kubectl --namespace "$RELEASE_NAMESPACE" get pod "$probe_pod" --output 'jsonpath={.status.phase}')"
  [[ "$phase" == "Succeeded" || "$phase" == "Failed" ]]
}
retry_until 120 probe_finished || die "probe pod did not finish"
outsider_exit="$(kubectl --namespace "$RELEASE_NAMESPACE" get pod "$probe_pod" \
  --output 'jsonpath={.status.containerStatuses[0].state.terminated.exitCode}')"
outsider_said="$(kubectl --namespace "$RELEASE_NAMESPACE" logs "$probe_pod")"
log "outsider: exit $outsider_exit ($outsider_said)"
[[ "$outsider_exit" == "3" || "$outsider_exit" == "5" ]] ||
  die "a pod without the app's labels was not blocked from Redis: $outsider_said"

log "NetworkPolicy OK"
