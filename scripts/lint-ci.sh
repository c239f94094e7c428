#!/usr/bin/env bash
# Lints what CI runs but cannot be executed here: every GitHub Actions workflow with actionlint (and
# their bash steps with ShellCheck), and every shell script in the repository with ShellCheck at all
# severities, following sourced files. Fails on any finding. `npm run lint:ci`; a step of .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v shellcheck >/dev/null 2>&1 || { echo "shellcheck not found on PATH: install it (Debian: apt-get install shellcheck)" >&2; exit 1; }

status=0
node --import tsx scripts/lint-workflows.ts || status=1

# Tracked and new (not ignored) scripts, so a script is linted before its first commit too.
mapfile -t scripts < <(git ls-files --cached --others --exclude-standard -- '*.sh' .ci/run | sort -u)
if ((${#scripts[@]} == 0)); then
  echo "lint-ci: no shell scripts found: is this a git checkout?" >&2
  exit 1
fi
if shellcheck --external-sources --source-path=SCRIPTDIR "${scripts[@]}"; then
  echo "lint-ci: shellcheck: ${#scripts[@]} scripts, no findings"
else
  status=1
fi
exit "$status"
