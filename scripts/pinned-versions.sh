#!/usr/bin/env bash
# Prints the KEY=value lines of versions.env (no comments or blank lines), the format of GitHub Actions'
# $GITHUB_ENV file: a workflow step runs `scripts/pinned-versions.sh >> "$GITHUB_ENV"` so that later steps
# read the pins as ${{ env.NAME }} instead of repeating them.
set -euo pipefail
grep -E '^[A-Z][A-Z0-9_]*=' "$(dirname "$0")/../versions.env"
