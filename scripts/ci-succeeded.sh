#!/usr/bin/env bash
# Waits until the CI workflow (.github/workflows/ci.yml) has finished on a commit and fails unless it
# succeeded there, so a release never publishes a commit whose tests failed or never ran.
# Usage: GH_TOKEN=... GITHUB_REPOSITORY=owner/name scripts/ci-succeeded.sh SHA [MAX_WAIT_SECONDS]
set -euo pipefail
sha="${1:?usage: ci-succeeded.sh SHA [MAX_WAIT_SECONDS]}"
max_wait="${2:-2400}"
: "${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is required}"
deadline=$((SECONDS + max_wait))
while :; do
  # The newest CI run on this commit: "status conclusion", or nothing when CI never ran on it.
  latest="$(gh api "repos/$GITHUB_REPOSITORY/actions/workflows/ci.yml/runs?head_sha=$sha&per_page=1" \
    --jq '.workflow_runs[0] | select(.) | "\(.status) \(.conclusion)"')"
  case "$latest" in
    "completed success") echo "CI succeeded on $sha"; exit 0 ;;
    completed*) echo "CI did not succeed on $sha ($latest): not releasing it" >&2; exit 1 ;;
    "") echo "no CI run on $sha yet" >&2 ;;
    *) echo "CI on $sha is $latest; waiting" >&2 ;;
  esac
  if ((SECONDS >= deadline)); then
    echo "CI on $sha did not succeed within $max_wait s: not releasing it (re-run the release once CI has passed)" >&2
    exit 1
  fi
  sleep 30
done
