#!/usr/bin/env bash
# Makes images visible to the local cluster's kubelet (containerd's k8s.io namespace) under the exact names
# the manifests use. Nothing is pulled: every image is built on this machine.
#   scripts/cluster/images.sh system      pause, CoreDNS, local-path-provisioner and its helper image
#   scripts/cluster/images.sh ingress     Traefik
#   scripts/cluster/images.sh monitoring  the Prometheus Operator, its config reloader and Prometheus
#   scripts/cluster/images.sh load IMAGE… images already in the local Docker engine (docker save | ctr import)
#   scripts/cluster/images.sh skaffold-artifact   the image a Skaffold build hook names (skaffold.yaml)
# Needs a Docker engine (scripts/ci-machine/dockerd.sh start) to build and save images.
set -euo pipefail
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "$0")/lib.sh"

docker info >/dev/null 2>&1 || cluster_die "no Docker engine answers: start one (scripts/ci-machine/dockerd.sh start)"
ctr_k8s() { "$(containerd_bin)/ctr" --address "$CLUSTER_CONTAINERD_SOCKET" --namespace k8s.io "$@"; }

# An image of one static binary at PATH on an empty filesystem: what upstream ships for pause and for Go
# programs (PATH is where upstream's image has it, for manifests that name the command).
build_scratch_image() {
  local tag="$1" binary="$2" path="$3" user="$4"
  shift 4
  local context
  context="$(mktemp -d)"
  cp "$binary" "$context/program"
  {
    echo "FROM scratch"
    echo "COPY program $path"
    echo "USER $user"
    printf 'ENTRYPOINT ["%s"' "$path"
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
    build_scratch_image "$PAUSE_IMAGE" "$(component_bin pause "$KUBERNETES_VERSION")/pause" /pause 65535:65535
    build_scratch_image "$COREDNS_IMAGE" "$(coredns_bin)/coredns" /coredns 65532:65532
    build_scratch_image "$LOCAL_PATH_PROVISIONER_IMAGE" "$(local_path_provisioner_bin)/local-path-provisioner" \
      /local-path-provisioner 0:0
    "$CLUSTER_ROOT/scripts/ci-machine/standin-images.sh" "$HELPER_IMAGE"
    load_images "$PAUSE_IMAGE" "$COREDNS_IMAGE" "$LOCAL_PATH_PROVISIONER_IMAGE" "$HELPER_IMAGE"
    ;;
  ingress)
    build_scratch_image "$TRAEFIK_IMAGE" "$(traefik_bin)/traefik" /traefik 65532:65532
    load_images "$TRAEFIK_IMAGE"
    ;;
  monitoring)
    build_scratch_image "$PROMETHEUS_OPERATOR_IMAGE" "$(prometheus_operator_bin)/operator" /bin/operator 65534:65534
    build_scratch_image "$PROMETHEUS_CONFIG_RELOADER_IMAGE" "$(prometheus_operator_bin)/prometheus-config-reloader" \
      /bin/prometheus-config-reloader 65534:65534
    build_scratch_image "$PROMETHEUS_IMAGE" "$(prometheus_bin)/prometheus" /bin/prometheus 65534:65534
    load_images "$PROMETHEUS_OPERATOR_IMAGE" "$PROMETHEUS_CONFIG_RELOADER_IMAGE" "$PROMETHEUS_IMAGE"
    ;;
  load)
    shift
    load_images "$@"
    ;;
  skaffold-artifact)
    # A build hook of skaffold.yaml's local-cluster profile: SKAFFOLD_IMAGE is the tag Skaffold built. An
    # image it does not push is deployed under NAME:<image id without "sha256:"> instead (Skaffold's
    # TagWithImageID), which it tags only after the hook: both names are loaded.
    [ -n "${SKAFFOLD_IMAGE:-}" ] || cluster_die "skaffold-artifact runs as a Skaffold build hook (SKAFFOLD_IMAGE unset)"
    image_id="$(docker image inspect --format '{{.Id}}' "$SKAFFOLD_IMAGE")"
    deployed="${SKAFFOLD_IMAGE%:*}:${image_id#sha256:}"
    docker tag "$SKAFFOLD_IMAGE" "$deployed"
    load_images "$SKAFFOLD_IMAGE" "$deployed"
    ;;
  *)
    cluster_die "usage: images.sh system | ingress | monitoring | load IMAGE... | skaffold-artifact"
    ;;
esac
