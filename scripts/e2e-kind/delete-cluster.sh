#!/usr/bin/env bash
# Deletes the e2e's kind cluster (the one behind the current kind context).
set -euo pipefail
# shellcheck source=scripts/e2e-kind/lib.sh
source "$(dirname "$0")/lib.sh"
require_kind_context

kind delete cluster --name "$(current_kind_cluster)"
