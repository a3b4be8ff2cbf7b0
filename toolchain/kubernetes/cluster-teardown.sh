# Sourced by cluster.sh: `down`, which stops what `up` started and removes what it left on the host.
# Needs the folders, PIDS, SOCK, HOST_DIRS and helpers of cluster.sh.

stop_process() {
  local name="$1" pid
  [[ -f "$PIDS/$name" ]] || return 0
  pid="$(cat "$PIDS/$name")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDS/$name"
}

# Removes every rule of a table that jumps to one of the cluster's chains, then the chains.
remove_chains() {
  local cmd="$1" table="$2" rule chain
  command -v "$cmd" >/dev/null || return 0
  local rules
  rules="$("$cmd" -t "$table" -S 2>/dev/null | grep -E '^-A .*-j (KUBE-|CNI-)' | grep -vE '^-A (KUBE-|CNI-)' || true)"
  while read -r rule; do
    [[ -n "$rule" ]] && eval "$cmd -t $table ${rule/-A/-D}" 2>/dev/null || true
  done <<<"$rules"
  for chain in $("$cmd" -t "$table" -S 2>/dev/null | awk '/^-N (KUBE-|CNI-)/ {print $2}'); do "$cmd" -t "$table" -F "$chain" 2>/dev/null || true; done
  for chain in $("$cmd" -t "$table" -S 2>/dev/null | awk '/^-N (KUBE-|CNI-)/ {print $2}'); do "$cmd" -t "$table" -X "$chain" 2>/dev/null || true; done
}

down() {
  [[ $EUID -eq 0 ]] || fail "the cluster needs root to be taken down"
  T0=$SECONDS
  mkdir -p "$PIDS"
  local volumes=""
  # Let kubelet tear pods down properly first: CNI removes their interfaces, addresses and rules.
  if alive kube-apiserver && alive kubelet; then
    volumes="$(kc get pv -o jsonpath='{.items[*].spec.hostPath.path}' 2>/dev/null || true)"
    kc delete namespace --all --wait=false >/dev/null 2>&1 || true
    kc delete statefulsets,deployments,daemonsets,jobs --all -A --wait=false >/dev/null 2>&1 || true
    kc delete pods --all -A --grace-period=2 --wait=true --timeout=60s >/dev/null 2>&1 || true
  fi
  local c
  for c in kube-proxy kube-scheduler kube-controller-manager kubelet kube-apiserver etcd; do stop_process "$c"; done
  if alive containerd; then
    local t
    for t in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true; done
    sleep 1
    for t in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks rm -f "$t" >/dev/null 2>&1 || true; done
    for t in $(ctr_ containers ls -q 2>/dev/null); do ctr_ containers rm "$t" >/dev/null 2>&1 || true; done
  fi
  local shims
  shims="$(pgrep -f "containerd-shim-runc-v2 .*-address $SOCK" || true)"
  stop_process containerd
  for c in $shims; do kill "$c" 2>/dev/null || true; done

  # kube-proxy's own cleanup, then whatever KUBE-/CNI- chains are left; other rules (Docker's) stay.
  "$K8S_BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true
  local table
  for table in filter nat mangle; do remove_chains iptables "$table"; remove_chains ip6tables "$table"; done

  # Mounts (deepest first), network namespaces, the bridge, cgroups.
  local m
  for m in $(mount | awk '{print $3}' | grep -E "^($K8S_CLUSTER|$K8S_RUN)(/|$)" | sort -r || true); do umount "$m" 2>/dev/null || umount -l "$m"; done
  for m in /run/netns/cni-*; do
    [[ -e "$m" ]] || continue
    umount "$m" 2>/dev/null || true
    rm -f "$m"
  done
  ip link del cni-pi0 2>/dev/null || true
  local cg
  for cg in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/*/kubepods.slice; do
    [[ -d "$cg" ]] && find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  for m in $volumes; do [[ "$m" == /tmp/hostpath_pv/* ]] && rm -rf "$m"; done
  rmdir /tmp/hostpath_pv 2>/dev/null || true
  rm -f /var/lib/cni/results/pulsar-isolation-* 2>/dev/null || true

  # Sysctls: back to what `up` found.
  if [[ -f "$K8S_CLUSTER/sysctl.before" ]]; then
    local kv
    while read -r kv; do sysctl -qw "$kv" 2>/dev/null || true; done <"$K8S_CLUSTER/sysctl.before"
  fi
  if [[ -f "$K8S_CLUSTER/dirs.created" ]]; then
    sort -r "$K8S_CLUSTER/dirs.created" | while read -r m; do rmdir "$m" 2>/dev/null || true; done
  fi
  rm -rf "$K8S_CLUSTER" "$K8S_RUN"
  local left
  left="$(pgrep -f "^($K8S_BIN/|etcd --name pulsar-isolation|containerd --config $K8S_CLUSTER)" || true)"
  [[ -z "$left" ]] || fail "processes left: $left"
  timed "cluster down: nothing left"
}

