#!/usr/bin/env bash
# The whole kind e2e, step by step (`npm run e2e:kind`; CI runs this same script). Each step is its own
# script in this folder and can be re-run alone against the current kind context.
# E2E_CREATE_CLUSTER=0 uses the current kind context instead of creating/reusing the cluster from
# test/e2e/kind-config.yaml. On failure, diagnostics go to $E2E_ARTIFACTS.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=scripts/e2e-kind/lib.sh
source "$here/lib.sh"

steps=(
  load-image
  install-gateway-api
  install-ingress
  install-prometheus
  create-namespace
  install-chart
  helm-test
  smoke
  persistence
  zero-downtime
  network-policy
  prometheus
)
if [[ "${E2E_CREATE_CLUSTER:-1}" == "1" ]]; then
  steps=(create-cluster "${steps[@]}")
fi

in_github_actions() { [[ "${GITHUB_ACTIONS:-}" == "true" ]]; }

for step in "${steps[@]}"; do
  if in_github_actions; then echo "::group::$step"; fi
  started=$SECONDS
  log "step $step"
  if ! "$here/$step.sh"; then
    if in_github_actions; then echo "::endgroup::"; echo "::error title=e2e-kind::step $step failed"; fi
    log "step $step failed after $((SECONDS - started)) s"
    "$here/collect-diagnostics.sh" || true
    exit 1
  fi
  log "step $step done in $((SECONDS - started)) s"
  if in_github_actions; then echo "::endgroup::"; fi
done
log "all e2e steps passed in ${SECONDS} s"
