#!/usr/bin/env bash
# Writes k8s/base/redis.secret.env (gitignored) with a random Redis password, unless it already exists: kustomize's
# secretGenerator reads it, so `kubectl apply -k k8s/` never needs a committed password.
# Usage: scripts/k8s-secret-env.sh [file, default k8s/base/redis.secret.env]
set -euo pipefail

file="${1:-$(cd "$(dirname "$0")/.." && pwd)/k8s/base/redis.secret.env}"
if [ -e "$file" ]; then
  echo "$file exists: keeping its password"
  exit 0
fi
umask 077
# 24 random bytes, base64url: 32 characters, nothing the Redis config or a shell would need to escape.
password="$(node -e "process.stdout.write(require('node:crypto').randomBytes(24).toString('base64url'))")"
printf 'redis-password=%s\n' "$password" >"$file"
echo "wrote $file with a random Redis password"
