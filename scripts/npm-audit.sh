#!/usr/bin/env bash
# Fails when a runtime dependency has a known high or critical vulnerability (npm's advisory database).
# `npm audit` queries the registry itself, whatever `audit=false` in an .npmrc says (that only silences the
# audit `npm install` runs). When the registry cannot answer the audit (a mirror without the advisory
# endpoint), that is a failure too, with its own message: "no finding" must never mean "not checked".
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

report=$(npm audit --omit=dev --audit-level=high --json 2>/dev/null)
status=$?
if [ "$status" -eq 0 ]; then
  # shellcheck disable=SC2016 # a JavaScript template literal, not shell
  node -e 'const m = JSON.parse(process.argv[1]).metadata; console.log(`npm audit: ${m.dependencies.prod ?? m.dependencies.total} runtime dependencies, vulnerabilities ${JSON.stringify(m.vulnerabilities)}`)' "$report"
  exit 0
fi
if node -e 'process.exit("error" in JSON.parse(process.argv[1]) ? 0 : 1)' "$report" 2>/dev/null; then
  echo "npm audit could not be answered by the registry: $(node -e 'console.log(JSON.parse(process.argv[1]).error.summary || JSON.parse(process.argv[1]).message)' "$report")" >&2
  echo "This check needs the npm registry's advisory endpoint (POST /-/npm/v1/security/advisories/bulk)." >&2
  exit 2
fi
npm audit --omit=dev --audit-level=high
exit 1
