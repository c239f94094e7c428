#!/usr/bin/env bash
# Writes k8s/base/redis.secret.env (gitignored) with a random Redis password (the app's ACL user's),
# redis-users.secret.env beside it with random passwords of the Redis probe and exporter users, and
# visitor.secret.env with a random key for signing visitor cookies, each unless it already exists: kustomize's secretGenerator
# reads them, so `kubectl apply -k k8s/` never needs a committed secret.
# Usage: scripts/k8s-secret-env.sh [file, default k8s/base/redis.secret.env]
set -euo pipefail

file="${1:-$(cd "$(dirname "$0")/.." && pwd)/k8s/base/redis.secret.env}"
umask 077
# 24 random bytes, base64url: 32 characters, nothing the Redis config or a shell would need to escape.
random_secret() {
  node -e "process.stdout.write(require('node:crypto').randomBytes(24).toString('base64url'))"
}

# write_once PATH WHAT KEY...: one random value per key.
write_once() {
  local path="$1" what="$2"
  shift 2
  if [ -e "$path" ]; then
    echo "$path exists: keeping its $what"
    return
  fi
  local key content=""
  for key in "$@"; do content+="$key=$(random_secret)"$'\n'; done
  printf '%s' "$content" >"$path"
  echo "wrote $path with a random $what"
}

write_once "$file" password redis-password
write_once "$(dirname "$file")/redis-users.secret.env" "probe and exporter passwords" probe-password exporter-password
write_once "$(dirname "$file")/visitor.secret.env" "visitor cookie key" visitor-secret
