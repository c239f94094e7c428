#!/usr/bin/env bash
# `npm run cluster:up`: builds (first time) and starts the local single-node test cluster: etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler, containerd + kubelet (runc from Debian, CNI ptp
# from Debian's containernetworking-plugins), kube-proxy (iptables), CoreDNS and a local-path storage
# provisioner, and kube-router's firewall alone as the NetworkPolicy enforcer. The last line printed is `export KUBECONFIG=...`.
# Needs root: the kubelet mounts volumes, creates cgroups and network namespaces; kube-proxy writes iptables.
# A cluster that is already up is left as it is. `npm run cluster:down` stops and removes everything.
set -euo pipefail
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || cluster_die "the local cluster needs root (kubelet, mounts, iptables): run as root"
for tool in iptables iptables-restore ipset conntrack runc ip mount openssl docker; do
  command -v "$tool" >/dev/null 2>&1 ||
    cluster_die "$tool not found on PATH: run scripts/install-system-deps.sh (Debian: iptables ipset conntrack runc iproute2 openssl docker.io)"
done
[ -x /usr/lib/cni/ptp ] || cluster_die "/usr/lib/cni/ptp missing: apt-get install containernetworking-plugins"
# Images are built with Docker and handed to the cluster's containerd (nothing can be pulled).
docker info >/dev/null 2>&1 || cluster_die "no Docker engine answers: start one (scripts/ci-machine/dockerd.sh start)"

started=$SECONDS
if cluster_is_up; then
  cluster_log "already up ($CLUSTER_STATE)"
  echo "export KUBECONFIG=$CLUSTER_KUBECONFIG"
  exit 0
fi
if [ -d "$CLUSTER_STATE" ]; then
  cluster_log "a previous cluster left $CLUSTER_STATE behind: removing it first"
  "$CLUSTER_SCRIPTS/down.sh"
fi

"$CLUSTER_SCRIPTS/build.sh"
k8s_bin="$(kubernetes_bin)"
containerd_dir="$(containerd_bin)"
# containerd finds its runc shim on PATH; kubeadm and kubectl must be this release's.
export PATH="$containerd_dir:$k8s_bin:$PATH"

mkdir -p "$CLUSTER_STATE"/{logs,pids,pki,etcd,cni/net.d,cni/ipam,containerd,runc,kubelet,pod-logs,local-path,config}

cluster_network_up

# Certificates and kubeconfigs the way kubeadm makes them for a real control plane (only these two phases
# of kubeadm run: the components themselves are started below as plain processes).
cat >"$CLUSTER_STATE/config/kubeadm.yaml" <<YAML
apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
localAPIEndpoint:
  advertiseAddress: $CLUSTER_NODE_IP
  bindPort: $CLUSTER_API_PORT
nodeRegistration:
  name: $CLUSTER_NAME
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
clusterName: $CLUSTER_NAME
kubernetesVersion: $KUBERNETES_VERSION
certificatesDir: $CLUSTER_STATE/pki
controlPlaneEndpoint: $CLUSTER_NODE_IP:$CLUSTER_API_PORT
networking:
  dnsDomain: $CLUSTER_DOMAIN
  serviceSubnet: $CLUSTER_SERVICE_CIDR
  podSubnet: $CLUSTER_POD_CIDR
apiServer:
  certSANs: [127.0.0.1, localhost, $CLUSTER_NODE_IP]
YAML
kubeadm init phase certs all --config "$CLUSTER_STATE/config/kubeadm.yaml" >"$CLUSTER_STATE/logs/kubeadm.log" 2>&1 ||
  { cat "$CLUSTER_STATE/logs/kubeadm.log" >&2; cluster_die "kubeadm could not make the certificates"; }
kubeadm init phase kubeconfig all --config "$CLUSTER_STATE/config/kubeadm.yaml" \
  --kubeconfig-dir "$CLUSTER_STATE/config" >>"$CLUSTER_STATE/logs/kubeadm.log" 2>&1 ||
  { cat "$CLUSTER_STATE/logs/kubeadm.log" >&2; cluster_die "kubeadm could not make the kubeconfigs"; }
pki="$CLUSTER_STATE/pki"
conf="$CLUSTER_STATE/config"

# etcd on loopback only, without TLS: nothing but the API server on this machine talks to it.
start_component etcd "$(etcd_program)" \
  --name "$CLUSTER_NAME" --data-dir "$CLUSTER_STATE/etcd" \
  --listen-client-urls "http://127.0.0.1:$CLUSTER_ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$CLUSTER_ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$CLUSTER_ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$CLUSTER_ETCD_PEER_PORT" \
  --initial-cluster "$CLUSTER_NAME=http://127.0.0.1:$CLUSTER_ETCD_PEER_PORT" \
  --unsafe-no-fsync --log-level warn
wait_for "etcd" 60 curl --silent --fail "http://127.0.0.1:$CLUSTER_ETCD_PORT/health"

start_component kube-apiserver "$k8s_bin/kube-apiserver" \
  --advertise-address "$CLUSTER_NODE_IP" --bind-address "$CLUSTER_NODE_IP" --secure-port "$CLUSTER_API_PORT" \
  --etcd-servers "http://127.0.0.1:$CLUSTER_ETCD_PORT" \
  --client-ca-file "$pki/ca.crt" \
  --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
  --kubelet-client-certificate "$pki/apiserver-kubelet-client.crt" --kubelet-client-key "$pki/apiserver-kubelet-client.key" \
  --kubelet-preferred-address-types InternalIP \
  --proxy-client-cert-file "$pki/front-proxy-client.crt" --proxy-client-key-file "$pki/front-proxy-client.key" \
  --requestheader-client-ca-file "$pki/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
  --requestheader-extra-headers-prefix X-Remote-Extra- --requestheader-group-headers X-Remote-Group \
  --requestheader-username-headers X-Remote-User \
  --service-account-issuer "https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
  --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
  --service-cluster-ip-range "$CLUSTER_SERVICE_CIDR" \
  --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
  --allow-privileged=true --profiling=false
wait_for "kube-apiserver" 120 kubectl --kubeconfig "$conf/super-admin.conf" get --raw /readyz

# kubeadm's admin.conf is bound to cluster-admin through this group (super-admin.conf is system:masters
# and is used only for this one binding, as kubeadm does).
kubectl --kubeconfig "$conf/super-admin.conf" create clusterrolebinding kubeadm:cluster-admins \
  --clusterrole cluster-admin --group kubeadm:cluster-admins >/dev/null
# The API server's client certificate for kubelets (logs, exec, port-forward), bound as kubeadm binds it.
kubectl --kubeconfig "$conf/super-admin.conf" create clusterrolebinding kubeadm:kube-apiserver-kubelet-client \
  --clusterrole system:kubelet-api-admin --user kube-apiserver-kubelet-client >/dev/null

start_component kube-controller-manager "$k8s_bin/kube-controller-manager" \
  --kubeconfig "$conf/controller-manager.conf" \
  --authentication-kubeconfig "$conf/controller-manager.conf" --authorization-kubeconfig "$conf/controller-manager.conf" \
  --bind-address 127.0.0.1 --leader-elect=false \
  --root-ca-file "$pki/ca.crt" --service-account-private-key-file "$pki/sa.key" --use-service-account-credentials=true \
  --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
  --allocate-node-cidrs=true --cluster-cidr "$CLUSTER_POD_CIDR" --node-cidr-mask-size 24 \
  --service-cluster-ip-range "$CLUSTER_SERVICE_CIDR" --controllers '*,bootstrapsigner,tokencleaner'

start_component kube-scheduler "$k8s_bin/kube-scheduler" \
  --kubeconfig "$conf/scheduler.conf" \
  --authentication-kubeconfig "$conf/scheduler.conf" --authorization-kubeconfig "$conf/scheduler.conf" \
  --bind-address 127.0.0.1 --leader-elect=false

write_containerd_config
start_component containerd "$(containerd_bin)/containerd" --config "$CLUSTER_STATE/containerd/config.toml"
wait_for "containerd" 60 ctr --address "$CLUSTER_CONTAINERD_SOCKET" version

"$CLUSTER_SCRIPTS/images.sh" system

write_kubelet_config
start_component kubelet "$k8s_bin/kubelet" \
  --config "$CLUSTER_STATE/config/kubelet.yaml" --kubeconfig "$conf/kubelet.conf" \
  --hostname-override "$CLUSTER_NAME" --node-ip "$CLUSTER_NODE_IP" \
  --root-dir "$CLUSTER_STATE/kubelet" --cert-dir "$CLUSTER_STATE/kubelet/pki" --v 1

write_kube_proxy_config
start_component kube-proxy "$k8s_bin/kube-proxy" --config "$CLUSTER_STATE/config/kube-proxy.yaml"

# The kubeconfig handed to users and tests: kubeadm's admin.conf under a context that names the cluster.
write_user_kubeconfig
export KUBECONFIG="$CLUSTER_KUBECONFIG"
wait_for "node $CLUSTER_NAME Ready" 180 node_is_ready

# NetworkPolicy: kube-router's firewall only (pod routing is the ptp plugin's, services are kube-proxy's).
# It finds its node by name, so it starts once the kubelet has registered it. Health and metrics ports off:
# nothing of the cluster listens beyond what the tests reach.
start_component kube-router "$(kube_router_bin)/kube-router" \
  --kubeconfig "$conf/admin.conf" --hostname-override "$CLUSTER_NAME" \
  --run-firewall=true --run-router=false --run-service-proxy=false --enable-cni=false \
  --health-port 0 --metrics-port 0 --iptables-sync-period 1m
wait_for "kube-router's firewall" 60 network_policy_enforcer_ready

"$CLUSTER_SCRIPTS/addons.sh"

cluster_log "up in $((SECONDS - started)) s: $(kubectl version -o json | sed -n 's/.*"gitVersion": "\([^"]*\)".*/\1/p' | tail -n 1) on $CLUSTER_NODE_IP"
echo "export KUBECONFIG=$CLUSTER_KUBECONFIG"
