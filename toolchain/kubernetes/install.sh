#!/usr/bin/env bash
# Builds and caches what the kubernetes runtime's cluster and Pulumi's Kubernetes provider need, from
# the registries this machine reaches (Debian's archive and the Go module proxy), into .toolchain/:
#
#   Debian packages   containerd, runc, CNI plugins, iptables, conntrack, etcd
#   kubernetes        kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kubectl
#   coredns           the cluster's DNS server (only the plugins it needs)
#   provider          pulumi-resource-kubernetes, for npm @pulumi/kubernetes
#   images            pause, coredns and Pulsar (Debian with Java 17 and the distribution) as image archives
#
# Each step prints one line with its time; a step whose inputs did not change is skipped (its stamp
# matches). Go's output goes to .toolchain/kubernetes/logs/ and is shown only when a step fails.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$K8S_SRC/image-archive.sh"

STEP_PREFIX=kubernetes
STEP_DIR="$K8S_TOOLCHAIN"
source "$PROJECT_ROOT/toolchain/steps.sh"
as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

# --- Debian packages ---------------------------------------------------------------------------
DEBIAN_PACKAGES=(containerd runc containernetworking-plugins iptables conntrack etcd-server debootstrap openssl gcc libc6-dev)
missing_packages() {
  local p
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}
install_packages_if_missing() {
  local missing
  missing="$(missing_packages | tr '\n' ' ')"
  [[ -z "${missing// }" ]] && return
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends $missing
}

# --- Go builds ---------------------------------------------------------------------------------
go_build() { # MODULE_DIR OUT LDFLAGS PACKAGES...
  local dir="$1" out="$2" ldflags="$3"
  shift 3
  (cd "$dir" && GOFLAGS=-buildvcs=false go build -trimpath -ldflags "$ldflags" -o "$out" "$@")
}

build_kubernetes() {
  local v="v$KUBERNETES_VERSION" minor
  minor="$(cut -d. -f2 <<<"$KUBERNETES_VERSION")"
  # One `go build` for all six: shared packages are compiled once.
  go_build "$K8S_SRC/go/cluster" "$K8S_BIN/" \
    "-s -w -X k8s.io/component-base/version.gitVersion=$v -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/client-go/pkg/version.gitVersion=$v" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler \
    k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy k8s.io/kubernetes/cmd/kubectl
}

build_coredns() {
  CGO_ENABLED=0 go_build "$K8S_SRC/go/coredns" "$K8S_BIN/coredns" "-s -w" .
}

# The upstream main embeds a schema with its version set and the Terraform mapping; both are
# written from the module's files into a copy of our main's folder, outside the source tree.
build_provider() {
  local work="$K8S_TOOLCHAIN/src/provider" upstream
  rm -rf "$work" && mkdir -p "$work"
  cp "$K8S_SRC/go/provider/"{go.mod,go.sum,main.go} "$work/"
  (cd "$work" && go mod download github.com/pulumi/pulumi-kubernetes/provider/v4)
  upstream="$(cd "$work" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)/cmd/pulumi-resource-kubernetes"
  node -e '
    const fs = require("fs");
    const [dir, out, version] = process.argv.slice(1);
    const schema = JSON.parse(fs.readFileSync(`${dir}/schema.json`, "utf8"));
    fs.writeFileSync(`${out}/schema-embed.json`, JSON.stringify({ ...schema, version }));
    fs.writeFileSync(`${out}/terraform-mapping-embed.json`, JSON.stringify(JSON.parse(fs.readFileSync(`${dir}/terraform-mapping.json`, "utf8"))));
  ' "$upstream" "$work" "$PULUMI_KUBERNETES_VERSION"
  go_build "$work" "$TOOLCHAIN_DIR/bin/pulumi-resource-kubernetes" \
    "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$PULUMI_KUBERNETES_VERSION" .
  rm -rf "$work"
}

# --- images ------------------------------------------------------------------------------------
# The pause image: the sandbox every pod starts from, compiled from the module's pause.c.
image_pause() {
  local src work
  src="$(cd "$K8S_SRC/go/cluster" && go list -m -f '{{.Dir}}' k8s.io/kubernetes)/build/pause/linux/pause.c"
  work="$(mktemp -d)"
  gcc -Os -static -DVERSION=v3.10-pulsar-isolation -o "$work/pause" "$src"
  strip "$work/pause"
  tar --owner=0 --group=0 --mtime=@0 -C "$work" -cf "$work/layer.tar" pause
  image_archive "$PAUSE_IMAGE" "$work/layer.tar" "$K8S_IMAGES/pause.tar" '{"Entrypoint":["/pause"],"WorkingDir":"/"}'
  rm -rf "$work"
}

image_coredns() {
  local work
  work="$(mktemp -d)"
  mkdir -p "$work/root/etc/coredns" "$work/root/tmp"
  cp "$K8S_BIN/coredns" "$work/root/coredns"
  tar --owner=0 --group=0 --mtime=@0 -C "$work/root" -cf "$work/layer.tar" .
  image_archive "$COREDNS_IMAGE" "$work/layer.tar" "$K8S_IMAGES/coredns.tar" '{"Entrypoint":["/coredns"],"WorkingDir":"/"}'
  rm -rf "$work"
}

# Debian bookworm with Java 17 (the Docker runtime's root, built once for both), plus the
# distribution at /pulsar as in the official apachepulsar/pulsar image.
image_pulsar() {
  [[ -x "$PULSAR_HOME/bin/pulsar" ]] || fail "no Pulsar distribution at $PULSAR_HOME: run 'npm run toolchain' first"
  local rootfs dist work
  rootfs="$(bash "$PROJECT_ROOT/toolchain/docker-engine.sh" rootfs)"
  dist="$(basename "$PULSAR_HOME")"
  work="$(mktemp -d "$K8S_TOOLCHAIN/pulsar-image.XXXX")"
  as_root tar -c --exclude=./.complete -C "$rootfs" . \
    -C "$(dirname "$PULSAR_HOME")" --exclude="$dist/data" --exclude="$dist/logs" --transform "s,^$dist,pulsar," "$dist" \
    -f "$work/layer.tar"
  image_archive "$PULSAR_K8S_IMAGE" "$work/layer.tar" "$K8S_IMAGES/pulsar.tar" \
    '{"Cmd":["bash"],"WorkingDir":"/pulsar","Env":["PULSAR_HOME=/pulsar","PATH=/pulsar/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}'
  rm -rf "$work"
}

command -v go >/dev/null || fail "Go is required to build Kubernetes and its Pulumi provider"
mkdir -p "$K8S_BIN" "$K8S_IMAGES" "$K8S_LOGS" "$TOOLCHAIN_DIR/bin"

step debian-packages "${DEBIAN_PACKAGES[*]}" "" install_packages_if_missing
mod="$K8S_SRC/go"
cached_step "kubernetes-v$KUBERNETES_VERSION" "$KUBERNETES_VERSION $(files_hash "$mod/cluster/"{go.mod,go.sum})" \
  "$(printf "$K8S_BIN/%s " kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)" build_kubernetes
cached_step "coredns-v$COREDNS_VERSION" "$(files_hash "$mod/coredns/"{go.mod,go.sum,main.go})" "$K8S_BIN/coredns" build_coredns
cached_step "pulumi-resource-kubernetes-v$PULUMI_KUBERNETES_VERSION" "$PULUMI_KUBERNETES_VERSION $(files_hash "$mod/provider/"{go.mod,go.sum,main.go})" \
  "$TOOLCHAIN_DIR/bin/pulumi-resource-kubernetes" build_provider
cached_step image-pause "$KUBERNETES_VERSION" "$K8S_IMAGES/pause.tar" image_pause
cached_step image-coredns "$(files_hash "$K8S_BIN/coredns")" "$K8S_IMAGES/coredns.tar" image_coredns
cached_step "image-pulsar-$PULSAR_VERSION" "$PULSAR_VERSION $(placement_policy_hash)" "$K8S_IMAGES/pulsar.tar" image_pulsar
# The bookie decommission's node control runs kubectl from PATH, which toolchain/env.sh sets up.
ln -sfn ../kubernetes/bin/kubectl "$TOOLCHAIN_DIR/bin/kubectl"
