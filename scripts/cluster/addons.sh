#!/usr/bin/env bash
# The cluster's own add-ons, applied once the node is Ready: CoreDNS (cluster names only, nothing is
# forwarded off the machine) and local-path-provisioner as the default StorageClass (named "standard", as
# kind's is), so that a PersistentVolumeClaim such as Redis's is bound to a folder under the cluster state.
set -euo pipefail
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "$0")/lib.sh"
export KUBECONFIG="$CLUSTER_KUBECONFIG"

kubectl apply --server-side --field-manager page-tracker-cluster -f - >/dev/null <<YAML
apiVersion: v1
kind: ServiceAccount
metadata: { name: coredns, namespace: kube-system }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: "system:coredns" }
rules:
  - apiGroups: [""]
    resources: [endpoints, services, pods, namespaces]
    verbs: [list, watch]
  - apiGroups: [discovery.k8s.io]
    resources: [endpointslices]
    verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: "system:coredns" }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:coredns" }
subjects: [{ kind: ServiceAccount, name: coredns, namespace: kube-system }]
---
apiVersion: v1
kind: ConfigMap
metadata: { name: coredns, namespace: kube-system }
data:
  # No forward plugin: a name outside the cluster gets an error answer instead of a query off the machine.
  Corefile: |
    .:53 {
        errors
        health {
            lameduck 5s
        }
        ready
        kubernetes $CLUSTER_DOMAIN in-addr.arpa ip6.arpa {
            pods insecure
            fallthrough in-addr.arpa ip6.arpa
            ttl 30
        }
        cache 30
        reload
    }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: coredns
  namespace: kube-system
  labels: { k8s-app: kube-dns }
spec:
  replicas: 1
  selector: { matchLabels: { k8s-app: kube-dns } }
  template:
    metadata: { labels: { k8s-app: kube-dns } }
    spec:
      serviceAccountName: coredns
      priorityClassName: system-cluster-critical
      dnsPolicy: Default
      containers:
        - name: coredns
          image: $COREDNS_IMAGE
          imagePullPolicy: Never
          args: [-conf, /etc/coredns/Corefile]
          ports:
            - { name: dns, containerPort: 53, protocol: UDP }
            - { name: dns-tcp, containerPort: 53, protocol: TCP }
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: { add: [NET_BIND_SERVICE], drop: [ALL] }
            readOnlyRootFilesystem: true
          livenessProbe:
            httpGet: { path: /health, port: 8080 }
          readinessProbe:
            httpGet: { path: /ready, port: 8181 }
          volumeMounts: [{ name: config, mountPath: /etc/coredns, readOnly: true }]
      volumes:
        - name: config
          configMap: { name: coredns }
---
apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels: { k8s-app: kube-dns, kubernetes.io/name: CoreDNS }
spec:
  clusterIP: $CLUSTER_DNS_IP
  selector: { k8s-app: kube-dns }
  ports:
    - { name: dns, port: 53, protocol: UDP }
    - { name: dns-tcp, port: 53, protocol: TCP }
---
apiVersion: v1
kind: Namespace
metadata: { name: local-path-storage }
---
apiVersion: v1
kind: ServiceAccount
# The provisioner's helper pods run under this name unless told otherwise.
metadata: { name: local-path-provisioner-service-account, namespace: local-path-storage }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: local-path-provisioner, namespace: local-path-storage }
rules:
  - apiGroups: [""]
    resources: [pods]
    verbs: [get, list, watch, create, patch, update, delete]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: local-path-provisioner, namespace: local-path-storage }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: local-path-provisioner }
subjects: [{ kind: ServiceAccount, name: local-path-provisioner-service-account, namespace: local-path-storage }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: local-path-provisioner }
rules:
  - apiGroups: [""]
    resources: [nodes, persistentvolumeclaims, configmaps, pods, pods/log]
    verbs: [get, list, watch]
  - apiGroups: [""]
    resources: [persistentvolumes]
    verbs: [get, list, watch, create, patch, update, delete]
  - apiGroups: [""]
    resources: [events]
    verbs: [create, patch]
  - apiGroups: [storage.k8s.io]
    resources: [storageclasses]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: local-path-provisioner }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: local-path-provisioner }
subjects: [{ kind: ServiceAccount, name: local-path-provisioner-service-account, namespace: local-path-storage }]
---
apiVersion: v1
kind: ConfigMap
metadata: { name: local-path-config, namespace: local-path-storage }
data:
  config.json: |
    { "nodePathMap": [{ "node": "DEFAULT_PATH_FOR_NON_LISTED_NODES", "paths": ["$CLUSTER_STATE/local-path"] }] }
  # 0777: a hostPath volume gets no fsGroup, and the pods that use it run as non-root users.
  setup: |
    set -eu
    mkdir -m 0777 -p "\$VOL_DIR"
  teardown: |
    set -eu
    rm -rf "\$VOL_DIR"
  helperPod.yaml: |
    apiVersion: v1
    kind: Pod
    metadata: { name: helper-pod }
    spec:
      priorityClassName: system-node-critical
      containers:
        - name: helper-pod
          image: $HELPER_IMAGE
          imagePullPolicy: Never
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: local-path-provisioner, namespace: local-path-storage }
spec:
  replicas: 1
  selector: { matchLabels: { app: local-path-provisioner } }
  template:
    metadata: { labels: { app: local-path-provisioner } }
    spec:
      serviceAccountName: local-path-provisioner-service-account
      containers:
        - name: local-path-provisioner
          image: $LOCAL_PATH_PROVISIONER_IMAGE
          imagePullPolicy: Never
          command: [/local-path-provisioner, start, --config, /etc/config/config.json]
          env:
            - name: POD_NAMESPACE
              valueFrom: { fieldRef: { fieldPath: metadata.namespace } }
            - { name: CONFIG_MOUNT_PATH, value: /etc/config/ }
          volumeMounts: [{ name: config, mountPath: /etc/config/ }]
      volumes:
        - name: config
          configMap: { name: local-path-config }
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations: { storageclass.kubernetes.io/is-default-class: "true" }
provisioner: rancher.io/local-path
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Delete
YAML
kubectl -n kube-system rollout status deployment/coredns --timeout=120s >/dev/null
kubectl -n local-path-storage rollout status deployment/local-path-provisioner --timeout=120s >/dev/null
cluster_log "add-ons ready: CoreDNS, local-path-provisioner (StorageClass standard)"
