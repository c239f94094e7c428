#!/usr/bin/env bash
# Creates the release namespace with the restricted Pod Security Standard enforced, so the API server
# itself rejects any pod of ours (app, Redis, helm test, the NetworkPolicy probe) that breaks the profile.
set -euo pipefail
# shellcheck source=scripts/e2e-kind/lib.sh
source "$(dirname "$0")/lib.sh"
require_kind_context

kubectl apply --filename - <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: $RELEASE_NAMESPACE
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: latest
    pod-security.kubernetes.io/warn: restricted
    pod-security.kubernetes.io/audit: restricted
YAML
