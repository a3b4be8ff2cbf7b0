# Sourced by the Kubernetes toolchain scripts and the Kubernetes tests: versions and folders of a
# single-node Kubernetes cluster built from the Go module proxy, and of Pulumi's Kubernetes provider.
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"

KUBERNETES_VERSION="1.34.4"
COREDNS_VERSION="1.12.4"
PULUMI_KUBERNETES_VERSION="4.25.0"

# Binaries and images, cached by version (stamps beside them).
K8S_TOOLCHAIN="$TOOLCHAIN_DIR/kubernetes"
K8S_BIN="$K8S_TOOLCHAIN/bin"
K8S_IMAGES="$K8S_TOOLCHAIN/images"
K8S_LOGS="$K8S_TOOLCHAIN/logs"
K8S_SRC="$PROJECT_ROOT/toolchain/kubernetes"

# A running cluster: certificates, etcd's data, containerd's and kubelet's roots, logs. `cluster.sh down`
# removes all of it. Sockets live under /run (short paths; unix sockets allow about 100 characters).
K8S_CLUSTER="${K8S_CLUSTER:-$K8S_TOOLCHAIN/cluster}"
K8S_RUN="${K8S_RUN:-/run/pulsar-isolation-k8s}"
export KUBECONFIG_ADMIN="$K8S_CLUSTER/pki/admin.kubeconfig"

# Images the cluster's pods run; none is pulled (imagePullPolicy Never).
PAUSE_IMAGE="pulsar-isolation/pause:3.10"
COREDNS_IMAGE="pulsar-isolation/coredns:$COREDNS_VERSION"
PULSAR_K8S_IMAGE="pulsar-isolation/pulsar:$PULSAR_VERSION-local"

export PATH="$K8S_BIN:$PATH"
