#!/usr/bin/env bash
# A single-node Kubernetes cluster on this machine, from nothing, with the toolchain's binaries
# and images (toolchain/kubernetes/install.sh builds them):
#
#   cluster.sh up       certificates, etcd, containerd (bridge CNI, local images), API server,
#                       controller manager (with a host-path volume provisioner), scheduler, kubelet,
#                       kube-proxy (iptables), CoreDNS and a default storage class; then waits until
#                       the node is Ready and DNS answers. Prints one line per step with its time.
#   cluster.sh down     stops every process it started (by PID file), and removes pods' network
#                       interfaces and namespaces, the cluster's iptables chains, mounts, cgroups,
#                       volumes, state, and restores the sysctls the components changed.
#   cluster.sh status   exits 0 when the API server answers
#
# Admin kubeconfig: .toolchain/kubernetes/cluster/pki/admin.kubeconfig (cluster.sh prints it).
# Needs root (containerd, kubelet, iptables). Apart from the node's own components' ports (6443,
# 2379-2380, 10248-10259) nothing listens on the host except NodePort Services (30000-32767).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

PKI="$K8S_CLUSTER/pki"
PIDS="$K8S_CLUSTER/pids"
LOGS="$K8S_CLUSTER/logs"
SOCK="$K8S_RUN/containerd.sock"
POD_CIDR="10.88.0.0/16"
SERVICE_CIDR="10.0.0.0/24"
CLUSTER_DNS="10.0.0.10"
NODE_NAME="$(hostname | tr '[:upper:]' '[:lower:]')"
# Folders containerd and the CNI plugins create outside the cluster's own; `down` removes those `up` did not find.
HOST_DIRS=(/run/containerd /run/containerd/s /run/netns /var/lib/cni /var/lib/cni/results)
# The sysctls kubelet and kube-proxy (and the bridge plugin) set; `down` puts back what `up` found.
SYSCTLS=(vm.overcommit_memory kernel.panic kernel.panic_on_oops net.ipv4.ip_forward net.ipv4.conf.all.route_localnet
  net.bridge.bridge-nf-call-iptables net.netfilter.nf_conntrack_tcp_timeout_established net.netfilter.nf_conntrack_tcp_timeout_close_wait
  net.netfilter.nf_conntrack_max)

say() { printf '[cluster] %s\n' "$*" >&2; }
fail() { say "error: $*"; exit 1; }
T0=$SECONDS
timed() { say "$(printf '%-48s %4d s' "$1" $((SECONDS - T0)))"; }
kc() { kubectl --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }
ctr_() { ctr --address "$SOCK" -n k8s.io "$@"; }

node_ip() {
  local ip
  ip="$(ip -4 -o route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p')"
  [[ -n "$ip" ]] || ip="$(ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -n1)"
  [[ -n "$ip" ]] || fail "this machine has no IPv4 address besides loopback"
  echo "$ip"
}

# start NAME COMMAND...: a process in its own session, its output in logs/NAME.log, its PID in pids/NAME.
start() {
  local name="$1"
  shift
  setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$PIDS/$name"
}

alive() { [[ -f "$PIDS/$1" ]] && kill -0 "$(cat "$PIDS/$1")" 2>/dev/null; }

# wait_for WHAT SECONDS COMMAND...: until COMMAND succeeds; fails with the logs of dead components.
wait_for() {
  local what="$1" limit="$2" deadline=$((SECONDS + $2))
  shift 2
  until "$@" >/dev/null 2>&1; do
    for p in "$PIDS"/*; do
      [[ -e "$p" ]] || continue
      alive "$(basename "$p")" || { tail -n 20 "$LOGS/$(basename "$p").log" >&2; fail "$(basename "$p") exited while waiting for $what"; }
    done
    ((SECONDS < deadline)) || fail "$what did not happen within $limit s (logs: ${LOGS#"$PROJECT_ROOT"/})"
    sleep 0.5
  done
}

source "$K8S_SRC/cluster-certificates.sh"

# --- etcd and containerd -----------------------------------------------------------------------
start_etcd() {
  command -v etcd >/dev/null || fail "etcd is missing: run toolchain/kubernetes/install.sh"
  start etcd etcd --name pulsar-isolation --data-dir "$K8S_CLUSTER/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster pulsar-isolation=http://127.0.0.1:2380 --listen-metrics-urls ""
}

start_containerd() {
  mkdir -p "$K8S_CLUSTER/cni-conf" "$K8S_RUN"
  # firewall: lets pod traffic through a FORWARD policy of DROP (as Docker leaves it).
  cat >"$K8S_CLUSTER/cni-conf/10-pulsar-isolation.conflist" <<EOF
{ "cniVersion": "1.0.0", "name": "pulsar-isolation",
  "plugins": [
    { "type": "bridge", "bridge": "cni-pi0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
      "ipam": { "type": "host-local", "ranges": [[{"subnet": "$POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}],
                "dataDir": "$K8S_CLUSTER/cni-ipam" } },
    { "type": "portmap", "capabilities": {"portMappings": true} },
    { "type": "firewall" } ] }
EOF
  cat >"$K8S_CLUSTER/containerd.toml" <<EOF
version = 2
root = "$K8S_CLUSTER/containerd"
state = "$K8S_RUN/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # The processes here lack CAP_SYS_RESOURCE: a negative oom_score_adj for the sandbox fails in runc.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$K8S_RUN/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$K8S_CLUSTER/cni-conf"
EOF
  start containerd containerd --config "$K8S_CLUSTER/containerd.toml"
}

import_image() { ctr_ images import --no-unpack=false "$K8S_IMAGES/$1.tar" >>"$LOGS/images.log" 2>&1; }

# --- control plane and node --------------------------------------------------------------------
start_apiserver() {
  local ip="$1"
  start kube-apiserver kube-apiserver --etcd-servers=http://127.0.0.1:2379 \
    --bind-address=0.0.0.0 --secure-port=6443 --advertise-address="$ip" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" --client-ca-file="$PKI/ca.crt" \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction --allow-privileged=true \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local --service-account-key-file="$PKI/sa.pub" \
    --service-account-signing-key-file="$PKI/sa.key" --service-cluster-ip-range="$SERVICE_CIDR" \
    --service-node-port-range=30000-32767 --profiling=false
}

start_controllers() {
  start kube-controller-manager kube-controller-manager --kubeconfig="$PKI/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$PKI/controller-manager.kubeconfig" --authorization-kubeconfig="$PKI/controller-manager.kubeconfig" \
    --use-service-account-credentials=true --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" --service-cluster-ip-range="$SERVICE_CIDR" \
    --enable-hostpath-provisioner=true --leader-elect=false --bind-address=127.0.0.1 --profiling=false
  start kube-scheduler kube-scheduler --kubeconfig="$PKI/scheduler.kubeconfig" \
    --authentication-kubeconfig="$PKI/scheduler.kubeconfig" --authorization-kubeconfig="$PKI/scheduler.kubeconfig" \
    --leader-elect=false --bind-address=127.0.0.1 --profiling=false
}

start_kubelet() {
  local ip="$1"
  mkdir -p "$K8S_CLUSTER/kubelet" "$K8S_CLUSTER/pod-logs"
  # cgroup v1 here: kubelet 1.34 allows it (failCgroupV1 false). The images cannot be pulled again,
  # so image garbage collection is kept away from them.
  cat >"$K8S_CLUSTER/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
failSwapOn: false
failCgroupV1: false
containerRuntimeEndpoint: unix://$SOCK
podLogsDir: $K8S_CLUSTER/pod-logs
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $PKI/kubelet-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-serving.key
clusterDomain: cluster.local
clusterDNS: [$CLUSTER_DNS]
resolvConf: /etc/resolv.conf
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: 2%, imagefs.available: 2%}
EOF
  start kubelet kubelet --config="$K8S_CLUSTER/kubelet.yaml" --kubeconfig="$PKI/kubelet.kubeconfig" \
    --root-dir="$K8S_CLUSTER/kubelet" --hostname-override="$NODE_NAME" --node-ip="$ip" --v=1
}

start_kube_proxy() {
  cat >"$K8S_CLUSTER/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: {kubeconfig: $PKI/kube-proxy.kubeconfig}
clusterCIDR: $POD_CIDR
hostnameOverride: $NODE_NAME
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
conntrack: {maxPerCore: 0}
EOF
  start kube-proxy kube-proxy --config="$K8S_CLUSTER/kube-proxy.yaml"
}

node_ready() { kc get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' | grep -qx True; }
dns_ready() { kc -n kube-system get endpointslices -l kubernetes.io/service-name=kube-dns -o jsonpath='{.items[*].endpoints[*].conditions.ready}' | grep -q true; }

up() {
  [[ $EUID -eq 0 ]] || fail "the cluster needs root (containerd, kubelet, iptables)"
  local b
  for b in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl coredns; do
    [[ -x "$K8S_BIN/$b" ]] || fail "$b is not built: run toolchain/kubernetes/install.sh"
  done
  for b in pause coredns pulsar; do
    [[ -f "$K8S_IMAGES/$b.tar" ]] || fail "the $b image is not built: run toolchain/kubernetes/install.sh"
  done
  if [[ -d "$K8S_CLUSTER" ]]; then
    say "a cluster's state is left in ${K8S_CLUSTER#"$PROJECT_ROOT"/}: taking it down first"
    down
  fi
  mkdir -p "$PIDS" "$LOGS"
  T0=$SECONDS
  for b in "${SYSCTLS[@]}"; do sysctl -n "$b" 2>/dev/null | sed "s|^|$b=|"; done >"$K8S_CLUSTER/sysctl.before"
  for b in "${HOST_DIRS[@]}"; do [[ -e "$b" ]] || echo "$b"; done >"$K8S_CLUSTER/dirs.created"
  modprobe br_netfilter 2>/dev/null || true
  sysctl -qw net.bridge.bridge-nf-call-iptables=1 net.ipv4.ip_forward=1

  local ip
  ip="$(node_ip)"
  certificates "$ip"
  timed "certificates and kubeconfigs"
  start_etcd
  start_containerd
  wait_for "containerd's socket" 30 test -S "$SOCK"
  import_image pause
  import_image coredns
  # The Pulsar image is large: it loads while the control plane starts.
  (import_image pulsar && touch "$K8S_CLUSTER/pulsar-image.loaded") &
  local pulsar_import=$!
  timed "etcd, containerd, pause and CoreDNS images"
  wait_for "etcd" 30 curl -sf http://127.0.0.1:2379/health
  start_apiserver "$ip"
  wait_for "the API server's /readyz" 120 kc get --raw /readyz
  timed "API server ready"
  start_controllers
  start_kubelet "$ip"
  start_kube_proxy
  wait_for "node $NODE_NAME to be Ready" 120 node_ready
  timed "node Ready (kubelet, kube-proxy, controllers)"
  wait_for "the default service account" 60 kc -n default get serviceaccount default
  sed "s|COREDNS_IMAGE|$COREDNS_IMAGE|" "$K8S_SRC/addons/coredns.yaml" | kc apply -f - >/dev/null
  kc apply -f "$K8S_SRC/addons/storage-class.yaml" >/dev/null
  wait_for "CoreDNS to be ready" 120 dns_ready
  timed "CoreDNS ready, storage class"
  wait "$pulsar_import" || true
  [[ -f "$K8S_CLUSTER/pulsar-image.loaded" ]] || { tail -n 5 "$LOGS/images.log" >&2; fail "the Pulsar image did not load"; }
  timed "Pulsar image loaded: cluster up"
  say "kubeconfig: $KUBECONFIG_ADMIN"
}

source "$K8S_SRC/cluster-teardown.sh"

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) kc get --raw /readyz >/dev/null 2>&1 ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
