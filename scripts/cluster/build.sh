#!/usr/bin/env bash
# Builds the local test cluster's programs from the Go module proxy, once per pinned version
# (versions.env), into the cache outside the git tree (scripts/cluster/lib.sh):
#   Kubernetes (kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kubeadm,
#   kubectl), etcd, containerd (with ctr and the runc shim), CoreDNS, local-path-provisioner, Traefik,
#   kube-router, the Prometheus Operator (with its config reloader), Prometheus, Skaffold and the Helm 3 it
#   drives;
# and the static pause binary.
# A component whose folder is complete is not rebuilt. Nothing is downloaded except Go modules.
set -euo pipefail
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "$0")/lib.sh"

command -v go >/dev/null 2>&1 || cluster_die "go not found on PATH: install Go 1.26 or newer"
command -v gcc >/dev/null 2>&1 || cluster_die "gcc not found on PATH (apt-get install gcc): it builds the static pause binary"

export GOMODCACHE="$CLUSTER_GOMODCACHE" GOCACHE="$CLUSTER_GOCACHE" GOFLAGS="-buildvcs=false" GOTOOLCHAIN=local
work="$CLUSTER_CACHE/cluster/work"
mkdir -p "$work" "$CLUSTER_BIN"


# Writes a wrapper go.mod that requires MODULE@VERSION and repeats its replace and exclude directives:
# `go install module@version` refuses modules that have them, and a dependency's own replace lines are
# ignored when it is built as a dependency. A replace that points into the module's own tree
# (Kubernetes' ./staging/src/k8s.io/..., etcd's ../api) becomes the published module of that release.
write_wrapper() {
  local dir="$1" module="$2" version="$3" staging_version="${4:-}" upstream
  upstream="$(cluster_module_dir "$module" "$version")/go.mod"
  [ -s "$upstream" ] || cluster_die "no go.mod for $module@$version from the Go proxy"
  mkdir -p "$dir"
  {
    echo "module page-tracker.local/cluster-build/$(basename "$dir")"
    echo
    sed -n 's/^go \(.*\)$/go \1/p' "$upstream" | head -n 1
    # godebug settings change runtime defaults: the binaries must behave as upstream's builds do.
    awk '/^godebug \(/{p=1;print;next} p&&/^\)/{print;p=0;next} p{print;next} /^godebug /{print}' "$upstream"
    echo
    echo "require $module $version"
    echo
    awk -v staging="$staging_version" '
      function emit(line,   parts, n) {
        n = split(line, parts, /[[:space:]]+=>[[:space:]]+/)
        if (n != 2) { return }
        if (parts[2] ~ /^\.\.?\//) {
          if (staging == "") { printf "unmapped local replace: %s\n", line > "/dev/stderr"; exit 3 }
          sub(/[[:space:]].*$/, "", parts[1])
          printf "replace %s => %s %s\n", parts[1], parts[1], staging
        } else {
          printf "replace %s => %s\n", parts[1], parts[2]
        }
      }
      /^replace \(/ { block = "replace"; next }
      /^exclude \(/ { block = "exclude"; next }
      block != "" && /^\)/ { block = ""; next }
      block == "replace" { line = $0; sub(/^[[:space:]]+/, "", line); sub(/[[:space:]]*\/\/.*$/, "", line); if (line != "") emit(line); next }
      block == "exclude" { line = $0; sub(/^[[:space:]]+/, "", line); sub(/[[:space:]]*\/\/.*$/, "", line); if (line != "") print "exclude " line; next }
      /^replace / { line = $0; sub(/^replace[[:space:]]+/, "", line); sub(/[[:space:]]*\/\/.*$/, "", line); emit(line); next }
      /^exclude / { line = $0; sub(/[[:space:]]*\/\/.*$/, "", line); print line; next }
    ' "$upstream"
  } >"$dir/go.mod"
}

# build_component NAME VERSION MODULE STAGING_VERSION TAGS LDFLAGS PACKAGE...
build_component() {
  local name="$1" version="$2" module="$3" staging="$4" tags="$5" ldflags="$6"
  shift 6
  local out dir started=$SECONDS
  out="$(component_bin "$name" "$version")"
  if [ -f "$out/.complete" ]; then
    return 0
  fi
  cluster_log "building $name $version from the Go module proxy (once; cached in $out)"
  dir="$work/$name-$version"
  rm -rf "$dir" "$out.partial"
  write_wrapper "$dir" "$module" "$version" "$staging"
  (
    cd "$dir"
    local pkgs=() pkg
    for pkg in "$@"; do pkgs+=("$pkg@$version"); done
    go get "${pkgs[@]}" >"$dir/get.log" 2>&1 || { tail -n 30 "$dir/get.log" >&2; exit 1; }
    mkdir -p "$out.partial"
    # One `go build` for all of a component's programs: they share most packages.
    go build -trimpath -tags "$tags" -ldflags "$ldflags" -o "$out.partial/" "$@"
  ) || cluster_die "building $name $version failed (see above)"
  touch "$out.partial/.complete"
  rm -rf "$out"
  mv "$out.partial" "$out"
  cluster_log "built $name $version in $((SECONDS - started)) s"
}

kubernetes_ldflags() {
  local commit major minor rest build_date key
  commit="$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/^[[:space:]]*"Hash": "\([0-9a-f]*\)".*/\1/p' | head -n 1)"
  rest="${KUBERNETES_VERSION#v}"
  major="${rest%%.*}"
  rest="${rest#*.}"
  minor="${rest%%.*}"
  # The release's own date would be better; the proxy's timestamp for the tag is the closest we have.
  build_date="$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/^[[:space:]]*"Time": "\([^"]*\)".*/\1/p' | head -n 1)"
  local flags="-s -w"
  for key in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $key.gitVersion=$KUBERNETES_VERSION -X $key.gitMajor=$major -X $key.gitMinor=$minor"
    flags+=" -X $key.gitCommit=${commit:-unknown} -X $key.gitTreeState=clean -X $key.buildDate=${build_date:-1970-01-01T00:00:00Z}"
  done
  printf '%s\n' "$flags"
}

# Kubernetes publishes each staging module (k8s.io/api, k8s.io/client-go, ...) as v0.MINOR.PATCH of the release.
kubernetes_staging_version="v0.${KUBERNETES_VERSION#v1.}"

CGO_ENABLED=0 build_component kubernetes "$KUBERNETES_VERSION" k8s.io/kubernetes "$kubernetes_staging_version" \
  "" "$(kubernetes_ldflags)" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy \
  k8s.io/kubernetes/cmd/kubeadm k8s.io/kubernetes/cmd/kubectl

# etcd's server module replaces its sibling modules (api, client, pkg) with ../ paths; each is published at
# the same version.
CGO_ENABLED=0 build_component etcd "$ETCD_VERSION" go.etcd.io/etcd/server/v3 "$ETCD_VERSION" "" "-s -w" go.etcd.io/etcd/server/v3

CGO_ENABLED=0 build_component containerd "$CONTAINERD_VERSION" github.com/containerd/containerd/v2 "" \
  "no_btrfs no_zfs no_devmapper" \
  "-s -w -X github.com/containerd/containerd/v2/version.Version=$CONTAINERD_VERSION" \
  github.com/containerd/containerd/v2/cmd/containerd github.com/containerd/containerd/v2/cmd/ctr \
  github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2

CGO_ENABLED=0 build_component coredns "$COREDNS_VERSION" github.com/coredns/coredns "" "" "-s -w" github.com/coredns/coredns

CGO_ENABLED=0 build_component local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION" \
  github.com/rancher/local-path-provisioner "" "" "-s -w" github.com/rancher/local-path-provisioner

CGO_ENABLED=0 build_component traefik "$TRAEFIK_VERSION" github.com/traefik/traefik/v3 "" "" \
  "-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION" github.com/traefik/traefik/v3/cmd/traefik

CGO_ENABLED=0 build_component kube-router "$KUBE_ROUTER_VERSION" github.com/cloudnativelabs/kube-router/v2 "" "" \
  "-s -w -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KUBE_ROUTER_VERSION" \
  github.com/cloudnativelabs/kube-router/v2/cmd/kube-router

# The operator and the config reloader it adds to every Prometheus pod; the module replaces its own
# pkg/apis/monitoring and pkg/client with ./ paths, published at the same version.
CGO_ENABLED=0 build_component prometheus-operator "$PROMETHEUS_OPERATOR_VERSION" \
  github.com/prometheus-operator/prometheus-operator "$PROMETHEUS_OPERATOR_VERSION" "" \
  "-s -w -X github.com/prometheus/common/version.Version=${PROMETHEUS_OPERATOR_VERSION#v}" \
  github.com/prometheus-operator/prometheus-operator/cmd/operator \
  github.com/prometheus-operator/prometheus-operator/cmd/prometheus-config-reloader

# Prometheus (module version from lib.sh) with Kubernetes service discovery only (its build tags leave out
# the cloud providers' SDKs), and without the web UI's assets (npm makes them; they are not in the module):
# the HTTP API, which the tests use, is whole.
CGO_ENABLED=0 build_component prometheus "$(prometheus_module_version)" github.com/prometheus/prometheus "" \
  "remove_all_sd enable_kubernetes_sd" \
  "-s -w -X github.com/prometheus/common/version.Version=${PROMETHEUS_VERSION#v}" \
  github.com/prometheus/prometheus/cmd/prometheus

CGO_ENABLED=0 build_component skaffold "$SKAFFOLD_VERSION" github.com/GoogleContainerTools/skaffold/v2 "" "" \
  "-s -w -X github.com/GoogleContainerTools/skaffold/v2/pkg/skaffold/version.version=$SKAFFOLD_VERSION" \
  github.com/GoogleContainerTools/skaffold/v2/cmd/skaffold

CGO_ENABLED=0 build_component helm "$SKAFFOLD_HELM_VERSION" helm.sh/helm/v3 "" "" \
  "-s -w -X helm.sh/helm/v3/internal/version.version=$SKAFFOLD_HELM_VERSION" helm.sh/helm/v3/cmd/helm

# The pause container: the C source ships in the Kubernetes module; a static build runs FROM scratch.
pause_out="$(component_bin pause "$KUBERNETES_VERSION")"
if [ ! -x "$pause_out/pause" ]; then
  mkdir -p "$pause_out"
  gcc -Os -static -Wall -Werror -DVERSION="${PAUSE_IMAGE##*:}" -o "$pause_out/pause.partial" \
    "$(cluster_module_dir k8s.io/kubernetes "$KUBERNETES_VERSION")/build/pause/linux/pause.c"
  mv "$pause_out/pause.partial" "$pause_out/pause"
fi
cluster_log "all cluster programs are built ($CLUSTER_BIN)"
