#!/usr/bin/env bash
# Prints the KEY=value lines of versions.env and names.env (no comments or blank lines), the format of GitHub
# Actions' $GITHUB_ENV file: a workflow step runs `scripts/shared-env.sh >> "$GITHUB_ENV"` so that later
# steps read the pins and shared names as ${{ env.NAME }} instead of repeating them.
set -euo pipefail
root="$(dirname "$0")/.."
grep -hE '^[A-Z][A-Z0-9_]*=' "$root/versions.env" "$root/names.env"
