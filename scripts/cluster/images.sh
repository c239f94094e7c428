#!/usr/bin/env bash
# Makes images visible to the local cluster's kubelet (containerd's k8s.io namespace) under the exact names
# the manifests use. Nothing is pulled: every image is built on this machine.
#   scripts/cluster/images.sh system      pause, CoreDNS, local-path-provisioner and its helper image
#   scripts/cluster/images.sh ingress     Traefik
#   scripts/cluster/images.sh load IMAGE… images already in the local Docker engine (docker save | ctr import)
# Needs a Docker engine (scripts/dockerd.sh start) to build and save images.
set -euo pipefail
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "$0")/lib.sh"

docker info >/dev/null 2>&1 || cluster_die "no Docker engine answers: start one (scripts/dockerd.sh start)"
ctr_k8s() { "$(containerd_bin)/ctr" --address "$CLUSTER_CONTAINERD_SOCKET" --namespace k8s.io "$@"; }

# An image of one static binary on an empty filesystem: what upstream ships for pause and for Go programs.
build_scratch_image() {
  local tag="$1" binary="$2" user="$3"
  shift 3
  local context
  context="$(mktemp -d)"
  cp "$binary" "$context/"
  {
    echo "FROM scratch"
    echo "COPY $(basename "$binary") /$(basename "$binary")"
    echo "USER $user"
    printf 'ENTRYPOINT ["/%s"' "$(basename "$binary")"
    local arg
    for arg in "$@"; do printf ', "%s"' "$arg"; done
    echo "]"
  } >"$context/Dockerfile"
  docker build --quiet --tag "$tag" "$context" >/dev/null
  rm -rf "$context"
}

load_images() {
  local image
  for image in "$@"; do
    docker image inspect "$image" >/dev/null 2>&1 || cluster_die "image $image is not in the local Docker engine"
    docker save "$image" | ctr_k8s images import - >/dev/null
    cluster_log "loaded $image into the cluster"
  done
}

case "${1:-}" in
  system)
    build_scratch_image "$PAUSE_IMAGE" "$(component_bin pause "$KUBERNETES_VERSION")/pause" 65535:65535
    build_scratch_image "$COREDNS_IMAGE" "$(coredns_bin)/coredns" 65532:65532
    build_scratch_image "$LOCAL_PATH_PROVISIONER_IMAGE" "$(local_path_provisioner_bin)/local-path-provisioner" 0:0
    "$CLUSTER_ROOT/scripts/standin-images.sh" "$HELPER_IMAGE"
    load_images "$PAUSE_IMAGE" "$COREDNS_IMAGE" "$LOCAL_PATH_PROVISIONER_IMAGE" "$HELPER_IMAGE"
    ;;
  ingress)
    build_scratch_image "$TRAEFIK_IMAGE" "$(traefik_bin)/traefik" 65532:65532
    load_images "$TRAEFIK_IMAGE"
    ;;
  load)
    shift
    load_images "$@"
    ;;
  *)
    cluster_die "usage: images.sh system | ingress | load IMAGE..."
    ;;
esac
