# shellcheck shell=bash disable=SC2034  # the names below are used by the scripts that source this file
# Shared by scripts/cluster/*.sh: the pinned versions (versions.env at the root), where things are cached and where the running
# cluster keeps its state. Sourced, never run.

CLUSTER_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CLUSTER_ROOT="$(cd "$CLUSTER_SCRIPTS/../.." && pwd)"
readonly CLUSTER_SCRIPTS CLUSTER_ROOT

# shellcheck source=versions.env
source "$CLUSTER_ROOT/versions.env"
# The images built here from those programs, named after their versions (upstream's names).
COREDNS_IMAGE="registry.k8s.io/coredns/coredns:$COREDNS_VERSION"
LOCAL_PATH_PROVISIONER_IMAGE="rancher/local-path-provisioner:$LOCAL_PATH_PROVISIONER_VERSION"
TRAEFIK_IMAGE="traefik:$TRAEFIK_VERSION"
PROMETHEUS_OPERATOR_IMAGE="quay.io/prometheus-operator/prometheus-operator:$PROMETHEUS_OPERATOR_VERSION"
PROMETHEUS_CONFIG_RELOADER_IMAGE="quay.io/prometheus-operator/prometheus-config-reloader:$PROMETHEUS_OPERATOR_VERSION"
PROMETHEUS_IMAGE="quay.io/prometheus/prometheus:$PROMETHEUS_VERSION"

# Built binaries and Go's module and build caches live outside the git tree, so that a fresh clone on the
# same machine starts a cluster in minutes instead of rebuilding Kubernetes.
CLUSTER_CACHE="${PAGE_TRACKER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/page-tracker}"
CLUSTER_GOMODCACHE="$CLUSTER_CACHE/go/mod"
CLUSTER_GOCACHE="$CLUSTER_CACHE/go/build"
CLUSTER_BIN="$CLUSTER_CACHE/cluster/bin"

# The directory the Go proxy's copy of MODULE@VERSION is unpacked to in the cache (downloading it if
# needed): the builds read sources there, the install steps read manifests that ship in a module.
cluster_module_dir() {
  GOMODCACHE="$CLUSTER_GOMODCACHE" GOFLAGS=-mod=mod GOTOOLCHAIN=local go mod download -json "$1@$2" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'
}

# Everything a running cluster writes (certificates, etcd data, logs, pids, kubeconfig) is under one folder
# that `cluster:down` removes.
CLUSTER_STATE="${PAGE_TRACKER_CLUSTER_STATE:-/var/lib/page-tracker-cluster}"
CLUSTER_NAME="page-tracker-local"
CLUSTER_CONTEXT="$CLUSTER_NAME"
CLUSTER_KUBECONFIG="$CLUSTER_STATE/kubeconfig"
# The node's address: the API server's endpoints may not be in 127.0.0.0/8, so the node gets an address
# of its own on the loopback interface (this kernel has no dummy interfaces), and a firewall rule below
# keeps it unreachable from outside the machine.
CLUSTER_NODE_IFACE="lo"
CLUSTER_NODE_IP="10.220.0.1"
CLUSTER_POD_CIDR="10.244.0.0/24"
CLUSTER_SERVICE_CIDR="10.96.0.0/16"
CLUSTER_DNS_IP="10.96.0.10"
CLUSTER_DOMAIN="cluster.local"
CLUSTER_API_PORT=6443

cluster_log() { printf '[cluster %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
cluster_die() { cluster_log "FAIL: $*"; exit 1; }

# The directory of one component's binaries, keyed by its version.
component_bin() { printf '%s/%s-%s\n' "$CLUSTER_BIN" "$1" "$2"; }

kubernetes_bin() { component_bin kubernetes "$KUBERNETES_VERSION"; }
etcd_bin() { component_bin etcd "$ETCD_VERSION"; }
# `go build go.etcd.io/etcd/server/v3` names the program after the last path element that is not a major
# version: "server".
etcd_program() { printf '%s/server\n' "$(etcd_bin)"; }
containerd_bin() { component_bin containerd "$CONTAINERD_VERSION"; }
coredns_bin() { component_bin coredns "$COREDNS_VERSION"; }

CLUSTER_ETCD_PORT=12379
CLUSTER_ETCD_PEER_PORT=12380
CLUSTER_CONTAINERD_SOCKET="$CLUSTER_STATE/containerd/containerd.sock"
# The iptables chains this cluster adds of its own (kube-proxy's KUBE-* chains are removed by kube-proxy).
CLUSTER_GUARD_CHAIN="PT-LOCAL-GUARD"
CLUSTER_FORWARD_CHAIN="PT-LOCAL-FORWARD"

# Every process cluster:up starts, in start order (cluster:down stops them in its own safe order).
CLUSTER_COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy kube-router)

pid_file() { printf '%s/pids/%s.pid\n' "$CLUSTER_STATE" "$1"; }

# start_component NAME BINARY ARGS...: runs it in its own session (so down.sh can stop its whole group),
# logging to $CLUSTER_STATE/logs/NAME.log.
start_component() {
  local name="$1"; shift
  cluster_log "starting $name"
  setsid "$@" >"$CLUSTER_STATE/logs/$name.log" 2>&1 </dev/null &
  echo "$!" >"$(pid_file "$name")"
}

component_running() {
  local pid
  pid="$(cat "$(pid_file "$1")" 2>/dev/null)" || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# wait_for WHAT SECONDS COMMAND...: polls COMMAND; fails with the newest component log if it never succeeds.
wait_for() {
  local what="$1" seconds="$2"; shift 2
  local deadline=$((SECONDS + seconds)) name
  until "$@" >/dev/null 2>&1; do
    for name in "${CLUSTER_COMPONENTS[@]}"; do
      if [ -f "$(pid_file "$name")" ] && ! component_running "$name"; then
        tail -n 40 "$CLUSTER_STATE/logs/$name.log" >&2
        cluster_die "$name exited while waiting for $what (log: $CLUSTER_STATE/logs/$name.log)"
      fi
    done
    if ((SECONDS >= deadline)); then
      cluster_die "$what not ready after $seconds s (logs: $CLUSTER_STATE/logs)"
    fi
    sleep 1
  done
}

cluster_is_up() {
  local name
  for name in "${CLUSTER_COMPONENTS[@]}"; do
    component_running "$name" || return 1
  done
  KUBECONFIG="$CLUSTER_KUBECONFIG" kubectl get --raw /readyz >/dev/null 2>&1
}

node_is_ready() {
  [ "$(kubectl get node "$CLUSTER_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = "True" ]
}

# The node address, and the only two firewall rules of our own: packets to the node address from anywhere
# but this machine or its pods are dropped, and pod traffic may be forwarded (Docker's engine sets the
# FORWARD policy to DROP).
cluster_network_up() {
  ip addr replace "$CLUSTER_NODE_IP/32" dev "$CLUSTER_NODE_IFACE"
  # The two sysctls the cluster changes (ip_forward here, route_localnet by kube-proxy), saved once so
  # that cluster:down can put them back.
  [ -f "$CLUSTER_STATE/sysctl.saved" ] ||
    sysctl net.ipv4.ip_forward net.ipv4.conf.all.route_localnet | tr -d ' ' >"$CLUSTER_STATE/sysctl.saved"
  sysctl -qw net.ipv4.ip_forward=1
  iptables -N "$CLUSTER_GUARD_CHAIN" 2>/dev/null || iptables -F "$CLUSTER_GUARD_CHAIN"
  iptables -A "$CLUSTER_GUARD_CHAIN" -i lo -j RETURN
  iptables -A "$CLUSTER_GUARD_CHAIN" -s "$CLUSTER_POD_CIDR" -j RETURN
  iptables -A "$CLUSTER_GUARD_CHAIN" -d "$CLUSTER_NODE_IP" -j DROP
  iptables -C INPUT -j "$CLUSTER_GUARD_CHAIN" 2>/dev/null || iptables -I INPUT -j "$CLUSTER_GUARD_CHAIN"
  iptables -N "$CLUSTER_FORWARD_CHAIN" 2>/dev/null || iptables -F "$CLUSTER_FORWARD_CHAIN"
  iptables -A "$CLUSTER_FORWARD_CHAIN" -s "$CLUSTER_POD_CIDR" -j ACCEPT
  iptables -A "$CLUSTER_FORWARD_CHAIN" -d "$CLUSTER_POD_CIDR" -j ACCEPT
  # Appended, not inserted: the NetworkPolicy enforcer's (kube-router's) own FORWARD rules must come first.
  iptables -C FORWARD -j "$CLUSTER_FORWARD_CHAIN" 2>/dev/null || iptables -A FORWARD -j "$CLUSTER_FORWARD_CHAIN"
}

cluster_network_down() {
  if [ -f "$CLUSTER_STATE/sysctl.saved" ]; then
    # shellcheck disable=SC2046  # one key=value word per line
    sysctl -qw $(cat "$CLUSTER_STATE/sysctl.saved")
  fi
  iptables -D INPUT -j "$CLUSTER_GUARD_CHAIN" 2>/dev/null || true
  iptables -F "$CLUSTER_GUARD_CHAIN" 2>/dev/null || true
  iptables -X "$CLUSTER_GUARD_CHAIN" 2>/dev/null || true
  iptables -D FORWARD -j "$CLUSTER_FORWARD_CHAIN" 2>/dev/null || true
  iptables -F "$CLUSTER_FORWARD_CHAIN" 2>/dev/null || true
  iptables -X "$CLUSTER_FORWARD_CHAIN" 2>/dev/null || true
  ip addr del "$CLUSTER_NODE_IP/32" dev "$CLUSTER_NODE_IFACE" 2>/dev/null || true
}

write_containerd_config() {
  cat >"$CLUSTER_STATE/containerd/config.toml" <<TOML
version = 3
root = "$CLUSTER_STATE/containerd/root"
state = "$CLUSTER_STATE/containerd/state"

[grpc]
  address = "$CLUSTER_CONTAINERD_SOCKET"

[plugins.'io.containerd.cri.v1.images']
  snapshotter = 'overlayfs'
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = '$PAUSE_IMAGE'

[plugins.'io.containerd.cri.v1.runtime']
  # This machine does not let even root lower a process's oom_score_adj (writing -998, the pause
  # container's default, is "Permission denied"): keep each container's at least the runtime's own.
  restrict_oom_score_adj = true
  # Pod network namespaces under the state folder, so that cluster:down finds and unmounts them.
  netns_mounts_under_state_dir = true
  tolerate_missing_hugetlb_controller = true
  disable_hugetlb_controller = true
  [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
    runtime_type = 'io.containerd.runc.v2'
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
      BinaryName = '$(command -v runc)'
      Root = '$CLUSTER_STATE/runc'
      SystemdCgroup = false
  [plugins.'io.containerd.cri.v1.runtime'.cni]
    bin_dirs = ['/usr/lib/cni']
    conf_dir = '$CLUSTER_STATE/cni/net.d'

[plugins.'io.containerd.grpc.v1.cri']
  stream_server_address = '127.0.0.1'
TOML
  # ptp as kind does: a veth per pod routed by the host, no bridge and no br_netfilter needed. No ipMasq:
  # pods have nowhere outside this machine to go.
  cat >"$CLUSTER_STATE/cni/net.d/10-page-tracker.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "$CLUSTER_NAME",
  "plugins": [
    {
      "type": "ptp",
      "ipMasq": false,
      "mtu": 1500,
      "ipam": {
        "type": "host-local",
        "dataDir": "$CLUSTER_STATE/cni/ipam",
        "ranges": [[{ "subnet": "$CLUSTER_POD_CIDR" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
JSON
}

write_kubelet_config() {
  cat >"$CLUSTER_STATE/config/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
containerRuntimeEndpoint: unix://$CLUSTER_CONTAINERD_SOCKET
# No systemd in this machine, and its kernel offers cgroup v1 only (unsupported from 1.35 unless told).
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
address: $CLUSTER_NODE_IP
healthzBindAddress: 127.0.0.1
readOnlyPort: 0
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $CLUSTER_STATE/pki/ca.crt }
authorization:
  mode: Webhook
clusterDNS: [$CLUSTER_DNS_IP]
clusterDomain: $CLUSTER_DOMAIN
# Pods with dnsPolicy Default (CoreDNS) get no upstream resolver: no name is resolved outside the cluster.
resolvConf: ""
serializeImagePulls: false
podLogsDir: $CLUSTER_STATE/pod-logs
# A build machine's disk is shared with Go's caches: evict only when it is really full.
evictionHard:
  memory.available: 100Mi
  nodefs.available: 1%
  nodefs.inodesFree: 1%
  imagefs.available: 1%
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
YAML
}

write_kube_proxy_config() {
  cat >"$CLUSTER_STATE/config/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: $CLUSTER_STATE/config/admin.conf
hostnameOverride: $CLUSTER_NAME
mode: iptables
clusterCIDR: $CLUSTER_POD_CIDR
bindAddress: $CLUSTER_NODE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# NodePorts answer on loopback too, as kind's port mappings make the ingress answer on 127.0.0.1. For that
# kube-proxy turns on route_localnet; cluster:down puts back the value it had.
nodePortAddresses: [127.0.0.0/8, $CLUSTER_NODE_IP/32]
# Leave the machine's conntrack sysctls alone.
conntrack:
  maxPerCore: 0
  min: 0
YAML
}

write_user_kubeconfig() {
  local conf="$CLUSTER_STATE/config/admin.conf" old
  cp "$conf" "$CLUSTER_KUBECONFIG"
  old="$(kubectl --kubeconfig "$CLUSTER_KUBECONFIG" config current-context)"
  kubectl --kubeconfig "$CLUSTER_KUBECONFIG" config rename-context "$old" "$CLUSTER_CONTEXT" >/dev/null
  chmod 600 "$CLUSTER_KUBECONFIG"
}
local_path_provisioner_bin() { component_bin local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION"; }
traefik_bin() { component_bin traefik "$TRAEFIK_VERSION"; }
kube_router_bin() { component_bin kube-router "$KUBE_ROUTER_VERSION"; }
prometheus_operator_bin() { component_bin prometheus-operator "$PROMETHEUS_OPERATOR_VERSION"; }
# Prometheus publishes release v3.MINOR.PATCH as the Go module version v0.3MINOR.PATCH (minor in two digits).
prometheus_module_version() {
  local minor patch rest="${PROMETHEUS_VERSION#v3.}"
  minor="${rest%%.*}" patch="${rest#*.}"
  printf 'v0.%d%02d.%s\n' 3 "$((10#$minor))" "$patch"
}
prometheus_bin() { component_bin prometheus "$(prometheus_module_version)"; }
skaffold_bin() { component_bin skaffold "$SKAFFOLD_VERSION"; }
skaffold_helm_bin() { component_bin helm "$SKAFFOLD_HELM_VERSION"; }

# kube-router's firewall is in place once its chains hook the pod traffic (it inserts them at the top of
# INPUT, FORWARD and OUTPUT).
network_policy_enforcer_ready() {
  iptables -S FORWARD 2>/dev/null | grep -q -- '-j KUBE-ROUTER-FORWARD'
}
