# shellcheck shell=bash disable=SC2034  # the names below are used by the scripts that source this file
# Shared by every scripts/e2e-kind step: names, the kube-context guard and small helpers.
# Sourced, never run. Every value a step needs about the release is defined here once.

E2E_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly E2E_ROOT

# The release, object, image, host and namespace names (RELEASE_NAME, RELEASE_NAMESPACE, APP_OBJECT_NAME,
# REDIS_OBJECT_NAME, IMAGE_NAME, E2E_IMAGE_TAG, E2E_INGRESS_HOST, E2E_GATEWAY_HOST, E2E_TRAEFIK_NAMESPACE,
# E2E_MONITORING_NAMESPACE) are in names.env, shared with the chart tests, the local-cluster suites,
# test/e2e/kind-values.yaml and skaffold.yaml.
# shellcheck source=names.env
source "$E2E_ROOT/names.env"
# The image the e2e builds and loads into the cluster; test/e2e/kind-values.yaml names the same one.
readonly E2E_IMAGE="$IMAGE_NAME:$E2E_IMAGE_TAG"
readonly E2E_KIND_CONFIG="$E2E_ROOT/test/e2e/kind-config.yaml"
readonly E2E_VALUES="$E2E_ROOT/test/e2e/kind-values.yaml"
# Layered on top of E2E_VALUES on the local test cluster: what that cluster cannot run yet.
readonly E2E_LOCAL_VALUES="$E2E_ROOT/test/e2e/local-values.yaml"
readonly E2E_CHART="$E2E_ROOT/charts/page-tracker"

# The versions of the third-party charts (TRAEFIK_CHART_VERSION, PROM_STACK_CHART_VERSION) and of the kind
# node image (KIND_NEWEST_NODE_IMAGE) are in versions.env, which scripts/cluster/lib.sh (sourced below) reads.

E2E_CLUSTER_NAME="${E2E_CLUSTER_NAME:-page-tracker-e2e}"
# The host port test/e2e/kind-config.yaml maps to the ingress controller's web entry point.
E2E_HTTP_PORT="${E2E_HTTP_PORT:-80}"
E2E_BASE_URL="http://127.0.0.1:$E2E_HTTP_PORT"
E2E_ARTIFACTS="${E2E_ARTIFACTS:-$E2E_ROOT/test-results/e2e-kind}"

# curl to Traefik (URLs under $E2E_BASE_URL) with HOST as the Host header: the Ingress's host or one of the
# HTTPRoute's host names, which Traefik serves on the same port.
route_curl() {
  local host="$1"
  shift
  curl --header "Host: $host" "$@"
}

# curl to the ingress (URLs under $E2E_BASE_URL) with the Ingress host as the Host header.
ingress_curl() {
  route_curl "$E2E_INGRESS_HOST" "$@"
}

# The local test cluster (scripts/cluster, `npm run cluster:up`) runs the same steps as kind; only
# creating the cluster and loading images differ.
# shellcheck source=scripts/cluster/lib.sh
source "$E2E_ROOT/scripts/cluster/lib.sh"

log() { printf '[e2e %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

# Refuses to act on a cluster that is neither a kind cluster nor the local test cluster, so nobody sends
# test load to a real one.
require_kind_context() {
  local context
  context="$(kubectl config current-context 2>/dev/null)" || die "no current kube context (create one: npm run e2e:kind)"
  if [[ "$context" != kind-* && "$context" != "$CLUSTER_CONTEXT" ]]; then
    if [[ "${E2E_ALLOW_ANY_CONTEXT:-}" == "1" ]]; then
      log "context '$context' is not a kind cluster; going on because E2E_ALLOW_ANY_CONTEXT=1"
    else
      die "current kube context '$context' is not a kind cluster (name must start with 'kind-') nor the local test cluster ('$CLUSTER_CONTEXT'); set E2E_ALLOW_ANY_CONTEXT=1 to override"
    fi
  fi
}

# The kind cluster behind the current context ("kind-NAME" -> "NAME").
current_kind_cluster() {
  local context
  context="$(kubectl config current-context)"
  if [[ "$context" == kind-* ]]; then
    printf '%s\n' "${context#kind-}"
  else
    printf '%s\n' "$E2E_CLUSTER_NAME"
  fi
}

on_local_cluster() {
  [[ "$(kubectl config current-context 2>/dev/null)" == "$CLUSTER_CONTEXT" ]]
}

# The chart's --values arguments for the current cluster, one per line (for mapfile).
e2e_values_args() {
  printf '%s\n' --values "$E2E_VALUES"
  if on_local_cluster; then
    printf '%s\n' --values "$E2E_LOCAL_VALUES"
  fi
}

helm_bin() {
  "$E2E_ROOT/scripts/ci-machine/helm.sh"
}

# The cluster's Kubernetes version (gitVersion, e.g. v1.30.4).
server_version() {
  kubectl get --raw /version | json_field gitVersion
}

# Downloads a chart (helm pull arguments: name, --repo/--version, or an oci:// reference) into DEST, fails
# when a CRD it ships calls a CEL function this cluster's API server does not know (scripts/check-crd-cel.ts),
# and prints the unpacked chart's directory: the caller installs that directory, so the chart checked is the
# chart installed.
pull_checked_chart() {
  local dest="$1" chart_name="$2" version
  shift 2
  "$(helm_bin)" pull "$@" --untar --untardir "$dest" >&2
  version="$(server_version)"
  log "checking the CEL rules of the CRDs in $chart_name against Kubernetes $version"
  (cd "$E2E_ROOT" && npx --no-install tsx scripts/check-crd-cel.ts --kubernetes "$version" "$dest/$chart_name") >&2 ||
    die "chart $chart_name ships CRDs the Kubernetes $version API server would reject (see above)"
  printf '%s\n' "$dest/$chart_name"
}

# install_checked_chart RELEASE NAMESPACE VALUES_FILE TIMEOUT CHART_NAME HELM_PULL_ARGS...: pulls a
# third-party chart, checks its CRDs against this cluster (pull_checked_chart) and installs that same copy.
install_checked_chart() {
  local release="$1" namespace="$2" values="$3" timeout="$4" chart_dir chart status=0
  shift 4
  chart_dir="$(mktemp -d)"
  chart="$(pull_checked_chart "$chart_dir" "$@")" || status=$?
  if ((status == 0)); then
    log "installing $release from chart $1 ($*)"
    "$(helm_bin)" upgrade --install "$release" "$chart" --namespace "$namespace" --create-namespace \
      --values "$values" --wait --timeout "$timeout" || status=$?
  fi
  rm -rf "$chart_dir"
  return "$status"
}

# Starts `kubectl port-forward` in the background on a local port kubectl picks, and waits until it
# listens. Sets E2E_PF_PORT (not printed: a $(...) subshell would lose the pid needed to stop it).
E2E_PF_PIDS=()
E2E_PF_PORT=""
start_port_forward() {
  local namespace="$1" target="$2" remote_port="$3" log_file _
  log_file="$(mktemp)"
  kubectl port-forward --namespace "$namespace" --address 127.0.0.1 "$target" ":$remote_port" >"$log_file" 2>&1 &
  E2E_PF_PIDS+=("$!")
  for _ in $(seq 1 75); do
    E2E_PF_PORT="$(sed -n 's/^Forwarding from 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$log_file" | head -n 1)"
    if [[ -n "$E2E_PF_PORT" ]]; then
      return 0
    fi
    sleep 0.2
  done
  cat "$log_file" >&2
  die "port-forward to $namespace/$target:$remote_port did not start"
}

stop_port_forwards() {
  local pid
  for pid in "${E2E_PF_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  E2E_PF_PIDS=()
}

# One JSON field of a response body read on stdin (node is there anyway: the smoke suite needs it).
json_field() {
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s)[process.argv[1]];if(v===undefined){process.exit(1)}console.log(v)})' "$1"
}

# Retries a command until it succeeds or the deadline (seconds) passes.
retry_until() {
  local seconds="$1"; shift
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    if ((SECONDS >= deadline)); then
      return 1
    fi
    sleep 2
  done
}
