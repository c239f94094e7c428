#!/usr/bin/env bash
# `npm run cluster:down`: stops every process `cluster:up` started (by the pids it recorded) and the
# containers they started, then removes what it made: mounts, pod network interfaces, cgroups, iptables
# rules, the node address and the state folder. Safe to run when nothing is up. The build cache stays.
set -euo pipefail
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || cluster_die "cluster:down needs root, as cluster:up did"
started=$SECONDS

# stop_component NAME: SIGTERM to its process group, then SIGKILL after a grace period.
stop_component() {
  local name="$1" pid waited=0
  pid="$(cat "$(pid_file "$name")" 2>/dev/null)" || return 0
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 20 ]; do sleep 0.5; waited=$((waited + 1)); done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    cluster_log "stopped $name (pid $pid)"
  fi
  rm -f "$(pid_file "$name")"
}

# The kubelet first, so that it does not restart the containers removed below.
stop_component kubelet

if component_running containerd; then
  ctr_k8s() { "$(containerd_bin)/ctr" --address "$CLUSTER_CONTAINERD_SOCKET" --namespace k8s.io "$@"; }
  for task in $(ctr_k8s tasks list --quiet 2>/dev/null); do
    ctr_k8s tasks kill --signal SIGKILL "$task" >/dev/null 2>&1 || true
  done
  sleep 1
  for task in $(ctr_k8s tasks list --quiet 2>/dev/null); do
    ctr_k8s tasks delete --force "$task" >/dev/null 2>&1 || true
  done
fi
stop_component containerd
# containerd's shims outlive it by design; ours are the ones serving this cluster's socket.
for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address $CLUSTER_CONTAINERD_SOCKET" || true); do
  kill -KILL "$pid" 2>/dev/null || true
done

stop_component kube-router
stop_component kube-proxy
if [ -x "$(kubernetes_bin)/kube-proxy" ]; then
  # Removes kube-proxy's KUBE-* chains from every table.
  "$(kubernetes_bin)/kube-proxy" --cleanup >/dev/null 2>&1 || true
fi
for name in kube-scheduler kube-controller-manager kube-apiserver etcd; do
  stop_component "$name"
done
# What kube-proxy's clean-up leaves: the kubelet's own KUBE-FIREWALL and KUBE-KUBELET-CANARY chains, and
# kube-router's KUBE-ROUTER-* and KUBE-NWPLCY-* chains.
for tool in iptables ip6tables; do
  for table in filter nat mangle; do
    for chain in $("$tool" -t "$table" -S 2>/dev/null | sed -n 's/^-N \(KUBE-[^ ]*\)$/\1/p'); do
      { "$tool" -t "$table" -S 2>/dev/null | grep -- "-j $chain\( \|$\)" || true; } | sed 's/^-A/-D/' | while read -r rule; do
        # The rule is iptables' own -S output; xargs splits it into words as a shell would, keeping a quoted
        # comment (kube-router's rules carry one) as one word.
        printf '%s\n' "$rule" | xargs "$tool" -t "$table" 2>/dev/null || true
      done
      "$tool" -t "$table" -F "$chain" 2>/dev/null || true
    done
    for chain in $("$tool" -t "$table" -S 2>/dev/null | sed -n 's/^-N \(KUBE-[^ ]*\)$/\1/p'); do
      "$tool" -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
done

# kube-router's ipsets, now that no rule refers to them.
for set in $(ipset list -name 2>/dev/null | grep -E '^(KUBE-|kube-router)' || true); do
  ipset destroy "$set" 2>/dev/null || true
done

if [ -d "$CLUSTER_STATE" ]; then
  # Pod volumes, overlay snapshots and network namespaces, innermost first.
  { grep -F " $CLUSTER_STATE/" /proc/mounts || true; } | awk '{print $2}' | sort -r | while read -r mount_point; do
    umount "$mount_point" 2>/dev/null || umount -l "$mount_point" 2>/dev/null || true
  done
fi
# The host ends of the pods' ptp veths carry the pod network's gateway address.
pod_gateway="${CLUSTER_POD_CIDR%.*/*}.1"
for iface in $(ip -o -4 addr show to "$pod_gateway/32" 2>/dev/null | awk '{print $2}' | sed 's/@.*//' | sort -u); do
  ip link del "$iface" 2>/dev/null || true
done
# The kubelet's pod cgroups (cgroupfs driver: a "kubepods" tree in every hierarchy).
for hierarchy in /sys/fs/cgroup/*/; do
  if [ -d "$hierarchy/kubepods" ]; then
    find "$hierarchy/kubepods" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  fi
done
cluster_network_down
rm -rf "$CLUSTER_STATE"
cluster_log "down in $((SECONDS - started)) s"
