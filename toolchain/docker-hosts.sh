#!/usr/bin/env bash
# Several Docker hosts on one machine, for tests that need more than one: each host is a network
# namespace with its own dockerd, joined to the others over a bridge in the root namespace. Traffic
# stays on this machine (the hosts have no route out: the root namespace does not forward it).
#
#   docker-hosts.sh up [NAME=ADDRESS ...]   default: rack1=10.213.0.11 rack2=10.213.0.12
#                                           prints "NAME unix:///run/pi-docker/NAME/docker.sock ADDRESS"
#                                           per host, once its engine answers and holds the local image
#   docker-hosts.sh down                    removes the hosts' containers, volumes and networks, stops
#                                           their engines, deletes the namespaces, links and rule
#
# The engines' data roots (.toolchain/docker/hosts/NAME/data) outlive `down`: they cache the loaded
# Pulsar image, so the next `up` skips the load. The root namespace's own engine is only read from.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

DOCKER_DIR="$TOOLCHAIN_DIR/docker"
HOSTS_DIR="$DOCKER_DIR/hosts"
IMAGE_TAR="$DOCKER_DIR/pulsar-image.tar"
# Short on purpose: unix socket paths are limited to 108 characters.
RUN_DIR=/run/pi-docker
BRIDGE=pi-hosts
SUBNET=10.213.0
GATEWAY="$SUBNET.1"
NS_PREFIX=pi-host-
# This machine passes bridged frames through iptables (bridge-nf-call-iptables=1) and the root
# engine sets FORWARD's policy to DROP: without this rule the hosts cannot reach each other.
FORWARD_RULE=(FORWARD -i "$BRIDGE" -o "$BRIDGE" -m comment --comment pi-docker-hosts -j ACCEPT)
DEFAULT_HOSTS=(rack1="$SUBNET.11" rack2="$SUBNET.12")

say() { printf '[docker-hosts] %s\n' "$*" >&2; }
fail() { say "error: $*"; exit 1; }

[[ $EUID -eq 0 ]] || fail "needs root (network namespaces, a bridge, iptables, dockerd)"

socket() { echo "unix://$RUN_DIR/$1/docker.sock"; }
hdocker() { local name="$1"; shift; docker -H "$(socket "$name")" "$@"; }
engine_up() { hdocker "$1" info >/dev/null 2>&1; }
netns_path() { echo "/var/run/netns/$NS_PREFIX$1"; }
# The root-side end of the host's veth; interface names have at most 15 characters.
veth() { echo "pih-$1"; }

# The pid in the host's pid file, if it still names a live dockerd (a stale one may name another
# process, and a killed one stays a zombie until it is reaped).
dockerd_pid() {
  local pid stat
  pid="$(cat "$RUN_DIR/$1/dockerd.pid" 2>/dev/null)" || return 1
  stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
  [[ "$stat" == "$pid (dockerd) "[^Z]* ]] && echo "$pid"
}

# --- up ---------------------------------------------------------------------------------------

parse_hosts() {
  local spec name addr
  NAMES=() ADDRS=()
  for spec in "$@"; do
    [[ "$spec" == *=* ]] || fail "expected NAME=ADDRESS, got '$spec'"
    name="${spec%%=*}" addr="${spec#*=}"
    [[ "$name" =~ ^[a-z0-9][a-z0-9-]{0,10}$ ]] || fail "host name '$name': 1-11 characters of a-z, 0-9, -"
    [[ "$addr" =~ ^${SUBNET//./\\.}\.([0-9]{1,3})$ ]] && (( BASH_REMATCH[1] > 1 && BASH_REMATCH[1] < 255 )) \
      || fail "address '$addr' of $name: must be in $SUBNET.0/24 and not $GATEWAY"
    NAMES+=("$name") ADDRS+=("$addr")
  done
}

bridge_up() {
  ip link show "$BRIDGE" >/dev/null 2>&1 || { say "creating bridge $BRIDGE ($GATEWAY/24)"; ip link add "$BRIDGE" type bridge; }
  ip addr replace "$GATEWAY/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  iptables -C "${FORWARD_RULE[@]}" 2>/dev/null || iptables -I "${FORWARD_RULE[@]:0:1}" 1 "${FORWARD_RULE[@]:1}"
}

netns_up() {
  local name="$1" addr="$2" ns="$NS_PREFIX$1" link
  link="$(veth "$name")"
  [[ -e "$(netns_path "$name")" ]] || { say "creating namespace $ns ($addr)"; ip netns add "$ns"; }
  # Deleting either end of a veth deletes both, so the pair is either whole or gone.
  ip link show "$link" >/dev/null 2>&1 || ip link add "$link" type veth peer name eth0 netns "$ns"
  ip link set "$link" master "$BRIDGE" up
  if [[ "$(ip -n "$ns" -4 -o addr show dev eth0 | awk '{print $4}')" != "$addr/24" ]]; then
    ip -n "$ns" addr flush dev eth0
    ip -n "$ns" addr add "$addr/24" dev eth0
  fi
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route replace default via "$GATEWAY"
}

dockerd_start() {
  local name="$1" log="$HOSTS_DIR/$1/dockerd.log"
  dockerd_pid "$name" >/dev/null && return
  STARTED+=("$name")
  mkdir -p "$HOSTS_DIR/$name/data" "$RUN_DIR/$name"
  say "starting dockerd in $NS_PREFIX$name (log: $log)"
  # nsenter, not `ip netns exec`: that remounts /sys and hides the cgroup mounts dockerd needs.
  # Its own containerd namespaces and cgroup parent too, so engines that share a containerd leave
  # each other's containers alone, and `down` finds this engine's containers even if it died.
  setsid nohup nsenter --net="$(netns_path "$name")" dockerd \
    --host "$(socket "$name")" \
    --data-root "$HOSTS_DIR/$name/data" \
    --exec-root "$RUN_DIR/$name/exec" \
    --pidfile "$RUN_DIR/$name/dockerd.pid" \
    --containerd-namespace "pi-$name" \
    --containerd-plugins-namespace "pi-$name-plugins" \
    --cgroup-parent "/pi-docker-$name" \
    </dev/null >"$log" 2>&1 &
}

dockerd_wait() {
  local name="$1"
  for _ in $(seq 1 60); do
    engine_up "$name" && return
    sleep 1
  done
  tail -n 20 "$HOSTS_DIR/$name/dockerd.log" >&2 || true
  fail "the dockerd of $name did not answer within 60 s"
}

# Saves the root engine's image once per image id, so each host engine loads it from a file.
image_tar() {
  bash "$PROJECT_ROOT/toolchain/docker-engine.sh" start
  IMAGE="$(bash "$PROJECT_ROOT/toolchain/docker-engine.sh" image)"
  IMAGE_ID="$(docker image inspect -f '{{.Id}}' "$IMAGE")"
  if [[ -f "$IMAGE_TAR" && "$(cat "$IMAGE_TAR.id" 2>/dev/null)" == "$IMAGE_ID" ]]; then return; fi
  say "saving $IMAGE to $IMAGE_TAR"
  rm -f "$IMAGE_TAR.id"
  docker save -o "$IMAGE_TAR.tmp" "$IMAGE"
  mv "$IMAGE_TAR.tmp" "$IMAGE_TAR"
  echo "$IMAGE_ID" >"$IMAGE_TAR.id"
}

image_load() {
  local name pids=() failed=0 pid
  for name in "$@"; do
    [[ "$(hdocker "$name" image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null)" == "$IMAGE_ID" ]] && continue
    say "loading $IMAGE into $name"
    hdocker "$name" load -q -i "$IMAGE_TAR" >/dev/null &
    pids+=("$!")
  done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  (( failed == 0 )) || fail "loading $IMAGE into a host engine failed"
}

up() {
  (( $# > 0 )) || set -- "${DEFAULT_HOSTS[@]}"
  parse_hosts "$@"
  local i
  STARTED=()
  bridge_up
  for i in "${!NAMES[@]}"; do
    netns_up "${NAMES[i]}" "${ADDRS[i]}"
    dockerd_start "${NAMES[i]}"
  done
  # The image is saved while the engines start.
  image_tar
  for i in "${!NAMES[@]}"; do dockerd_wait "${NAMES[i]}"; done
  # A freshly started engine holds only what an earlier life left in its data root (after a crash,
  # say): a host starts empty, but for the cached image.
  for i in "${!STARTED[@]}"; do engine_clean "${STARTED[i]}"; done
  image_load "${NAMES[@]}"
  for i in "${!NAMES[@]}"; do echo "${NAMES[i]} $(socket "${NAMES[i]}") ${ADDRS[i]}"; done
}

# --- down -------------------------------------------------------------------------------------

# Every host any `up` left behind, whole or in part.
present_hosts() {
  {
    ip netns list | awk '{print $1}' | sed -n "s/^$NS_PREFIX//p"
    [[ -d "$RUN_DIR" ]] && find "$RUN_DIR" -mindepth 1 -maxdepth 1 -type d -printf '%f\n'
    ip -o link show type veth | awk -F': ' '{print $2}' | sed -n 's/@.*//; s/^pih-//p'
  } | sort -u
}

engine_clean() {
  local name="$1" containers volumes networks
  engine_up "$name" || return 0
  containers="$(hdocker "$name" ps -aq)"
  volumes="$(hdocker "$name" volume ls -q)"
  networks="$(hdocker "$name" network ls -q --filter type=custom)"
  [[ -n "$containers$volumes$networks" ]] || return 0
  say "removing the containers, volumes and networks of $name"
  # shellcheck disable=SC2086
  {
    [[ -z "$containers" ]] || hdocker "$name" rm -f $containers
    [[ -z "$volumes" ]] || hdocker "$name" volume rm -f $volumes
    [[ -z "$networks" ]] || hdocker "$name" network rm $networks
  } >/dev/null
}

dockerd_stop() {
  local name="$1" pid
  pid="$(dockerd_pid "$name")" || return 0
  say "stopping the dockerd of $name ($pid)"
  kill "$pid"
  # Not `kill -0`: that also succeeds on the zombie it is until it is reaped.
  for _ in $(seq 1 60); do
    dockerd_pid "$name" >/dev/null || break
    sleep 0.5
  done
  # leftovers_clean ends it then.
  dockerd_pid "$name" >/dev/null && say "the dockerd of $name ($pid) did not exit within 30 s"
  # Its containerd follows it out.
  for _ in $(seq 1 20); do
    [[ -z "$(ip netns pids "$NS_PREFIX$name" 2>/dev/null)" ]] && break
    sleep 0.5
  done
}

# A dockerd that died leaves its containers running (under its cgroup parent), their shims in the
# namespace, and mounts under its roots: end those processes by id and drop the mounts.
leftovers_clean() {
  local name="$1" pids dir
  pids="$( { cat /sys/fs/cgroup/*/"pi-docker-$name"/*/cgroup.procs /sys/fs/cgroup/"pi-docker-$name"/*/cgroup.procs
             ip netns pids "$NS_PREFIX$name"; } 2>/dev/null | sort -un | xargs || true)"
  if [[ -n "$pids" ]]; then
    say "ending what the dockerd of $name left running: $pids"
    # shellcheck disable=SC2086
    kill -9 $pids 2>/dev/null || true
    sleep 1
  fi
  for dir in /sys/fs/cgroup/*/"pi-docker-$name"/* /sys/fs/cgroup/*/"pi-docker-$name" /sys/fs/cgroup/"pi-docker-$name"/* /sys/fs/cgroup/"pi-docker-$name"; do
    [[ -d "$dir" ]] && rmdir "$dir" 2>/dev/null || true
  done
  awk -v run="$RUN_DIR/$name/" -v data="$HOSTS_DIR/$name/data" \
      'index($2, run) == 1 || index($2, data) == 1 {print $2}' /proc/self/mounts \
    | sort -r | xargs -r -n1 umount -l
  rm -rf "${RUN_DIR:?}/$name"
}

down() {
  local name hosts
  mapfile -t hosts < <(present_hosts)
  for name in "${hosts[@]}"; do engine_clean "$name"; done
  # An engine takes about 3 s to stop (its containerd's): stop them all at once.
  for name in "${hosts[@]}"; do dockerd_stop "$name" & done
  wait
  for name in "${hosts[@]}"; do
    leftovers_clean "$name"
    [[ -e "$(netns_path "$name")" ]] && { say "deleting namespace $NS_PREFIX$name"; ip netns del "$NS_PREFIX$name"; }
    ip link del "$(veth "$name")" 2>/dev/null || true
  done
  ip link del "$BRIDGE" 2>/dev/null && say "deleted bridge $BRIDGE" || true
  while iptables -C "${FORWARD_RULE[@]}" 2>/dev/null; do iptables -D "${FORWARD_RULE[@]}"; done
  rmdir "$RUN_DIR" 2>/dev/null || true
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down) down ;;
  *) echo "usage: $0 up [NAME=ADDRESS ...] | down" >&2; exit 2 ;;
esac
