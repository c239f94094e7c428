#!/usr/bin/env bash
# Loads into the local cluster every image that the manifests on stdin name (a `helm template` or
# `kubectl kustomize` render), since the cluster cannot pull. The app's own image, under whatever name the
# render gives it, is APP_IMAGE (built from this checkout's Dockerfile) re-tagged; any other image comes
# from the local Docker engine or, when missing there, from scripts/ci-machine/standin-images.sh. APP_IMAGE "-" leaves
# the app's image out, for a deploy whose own build hands it to the node (skaffold.yaml's local-cluster profile).
#   helm template ... | scripts/cluster/load-rendered-images.sh APP_IMAGE
set -euo pipefail
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "$0")/lib.sh"

app_image="${1:?usage: load-rendered-images.sh APP_IMAGE|- < manifests}"
[ "$app_image" = - ] || docker image inspect "$app_image" >/dev/null 2>&1 || cluster_die "app image $app_image is not built"
mapfile -t images < <(sed -nE 's/^[[:space:]-]*image:[[:space:]]*"?([^"[:space:]]+)"?[[:space:]]*$/\1/p' | sort -u)
[ "${#images[@]}" -gt 0 ] || cluster_die "the manifests on stdin name no image"
to_load=()
for image in "${images[@]}"; do
  case "${image%%[:@]*}" in
    page-tracker | */page-tracker)
      [ "$app_image" != - ] || continue
      [ "$image" = "$app_image" ] || docker tag "$app_image" "$image"
      ;;
    *)
      docker image inspect "$image" >/dev/null 2>&1 || "$CLUSTER_ROOT/scripts/ci-machine/standin-images.sh" "$image"
      ;;
  esac
  to_load+=("$image")
done
[ "${#to_load[@]}" -eq 0 ] || "$CLUSTER_SCRIPTS/images.sh" load "${to_load[@]}"
