#!/usr/bin/env bash
# A Docker engine and a local Pulsar image for the docker runtime's boot test, on a machine that
# reaches Debian's archive but no image registry.
#
#   docker-engine.sh start   installs docker.io if dockerd is missing, starts dockerd unless one runs
#   docker-engine.sh image   prints the local image's name, building it first if needed
#   docker-engine.sh stop    stops the dockerd that `start` started (never one it found running)
#   docker-engine.sh rootfs  prints the Debian root's folder, building it first if needed (the kubernetes runtime's image uses it too)
#
# The image is Debian bookworm (debootstrap minbase with Java 17) plus the Pulsar distribution
# from .toolchain/pulsar, at /pulsar like the official apachepulsar/pulsar image.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

DOCKER_DIR="$TOOLCHAIN_DIR/docker"
PIDFILE="$DOCKER_DIR/dockerd.pid"
IMAGE="${PULSAR_ISOLATION_IMAGE:-pulsar-isolation/pulsar:$PULSAR_VERSION-local}"
ROOTFS="$DOCKER_DIR/rootfs-bookworm-jre17"

say() { printf '[docker-engine] %s\n' "$*" >&2; }
fail() { say "error: $*"; exit 1; }
as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

engine_up() { docker info >/dev/null 2>&1; }

apt_install() {
  say "installing $* from Debian's archive"
  as_root apt-get update -qq >/dev/null || fail "apt-get update failed: Debian's archive is needed to install $*"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >"$DOCKER_DIR/apt.log" 2>&1 \
    || { tail -n 20 "$DOCKER_DIR/apt.log" >&2; fail "apt-get install $* failed"; }
}

start() {
  mkdir -p "$DOCKER_DIR"
  if engine_up; then return; fi
  command -v dockerd >/dev/null || apt_install docker.io
  say "starting dockerd (log: $DOCKER_DIR/dockerd.log)"
  as_root bash -c "nohup dockerd --pidfile '$PIDFILE' >'$DOCKER_DIR/dockerd.log' 2>&1 &"
  for _ in $(seq 1 60); do
    if engine_up; then return; fi
    sleep 1
  done
  tail -n 20 "$DOCKER_DIR/dockerd.log" >&2 || true
  fail "dockerd did not answer within 60 s"
}

stop() {
  [[ -f "$PIDFILE" ]] || return 0
  local pid
  pid="$(cat "$PIDFILE")"
  # A stale pid file may name another process by now.
  if [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == dockerd ]]; then
    say "stopping dockerd ($pid)"
    as_root kill "$pid"
    for _ in $(seq 1 30); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
  fi
  rm -f "$PIDFILE"
}

# The Debian mirror apt already uses, so the build needs nothing apt does not.
debian_mirror() {
  local mirror
  mirror="$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
    | grep -v security | grep -oE 'https?://[^ ]+/debian/?' | head -n1 || true)"
  echo "${mirror:-http://deb.debian.org/debian}"
}

rootfs() {
  [[ -f "$ROOTFS/.complete" ]] && return
  command -v debootstrap >/dev/null || apt_install debootstrap
  local mirror
  mirror="$(debian_mirror)"
  say "building a Debian bookworm root with Java 17 from $mirror (about a minute)"
  as_root rm -rf "$ROOTFS"
  as_root debootstrap --variant=minbase --include=openjdk-17-jre-headless,procps bookworm "$ROOTFS" "$mirror" \
    >"$DOCKER_DIR/debootstrap.log" 2>&1 || { tail -n 20 "$DOCKER_DIR/debootstrap.log" >&2; fail "debootstrap failed"; }
  as_root rm -rf "$ROOTFS/var/cache/apt/archives/"*.deb "$ROOTFS/var/lib/apt/lists/"*
  as_root touch "$ROOTFS/.complete"
}

image() {
  engine_up || fail "no Docker engine answers: run '$0 start' first"
  [[ -x "$PULSAR_HOME/bin/pulsar" ]] || fail "no Pulsar distribution at $PULSAR_HOME: run 'npm run toolchain' first"
  [[ -f "$PLACEMENT_POLICY_JAR" ]] || fail "no bookie placement policy at $PLACEMENT_POLICY_JAR: run 'npm run toolchain' first"
  # An image made before the placement policy changed is made again.
  local policy
  policy="$(placement_policy_hash)"
  if [[ "$(docker image inspect -f '{{index .Config.Labels "pulsar-isolation.placement-policy"}}' "$IMAGE" 2>/dev/null)" == "$policy" ]]; then
    echo "$IMAGE"
    return
  fi
  rootfs
  say "importing $IMAGE: the Debian root plus $(basename "$PULSAR_HOME") at /pulsar"
  local dist
  dist="$(basename "$PULSAR_HOME")"
  # One stream: the Debian root, and the distribution renamed to /pulsar.
  as_root tar -c --exclude=./.complete -C "$ROOTFS" . \
      -C "$(dirname "$PULSAR_HOME")" --exclude="$dist/data" --exclude="$dist/logs" \
      --transform "s,^$dist,pulsar," "$dist" \
    | docker import \
      --change 'WORKDIR /pulsar' \
      --change 'ENV PULSAR_HOME=/pulsar' \
      --change 'ENV PATH=/pulsar/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["bash"]' \
      --change "LABEL pulsar-isolation.placement-policy=$policy" \
      - "$IMAGE" >/dev/null
  docker run --rm "$IMAGE" java -version >/dev/null 2>&1 || fail "the image $IMAGE does not run java"
  echo "$IMAGE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  image) image ;;
  rootfs) mkdir -p "$DOCKER_DIR" && rootfs && echo "$ROOTFS" ;;
  *) echo "usage: $0 start|image|stop|rootfs" >&2; exit 2 ;;
esac
