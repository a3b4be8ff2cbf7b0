# Sourced by cluster.sh: the cluster's CA, the components' certificates and their kubeconfigs (openssl).
# Needs PKI, NODE_NAME and say/fail from cluster.sh.

sign() { # NAME CN [O] [SAN]: a key and a certificate signed by the cluster's CA
  local name="$1" cn="$2" org="${3:-}" san="${4:-}"
  openssl genrsa -out "$PKI/$name.key" 2048 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "/CN=$cn${org:+/O=$org}" -out "$PKI/$name.csr"
  if [[ -n "$san" ]]; then
    printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$san" >"$PKI/$name.ext"
  else
    printf 'extendedKeyUsage=clientAuth\n' >"$PKI/$name.ext"
  fi
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 365 \
    -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

kubeconfig() { # NAME: a kubeconfig with NAME's certificate, for the API server on 127.0.0.1
  local b64="base64 -w0"
  cat >"$PKI/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: pulsar-isolation
    cluster: {server: "https://127.0.0.1:6443", certificate-authority-data: $($b64 <"$PKI/ca.crt")}
users:
  - name: $1
    user: {client-certificate-data: $($b64 <"$PKI/$1.crt"), client-key-data: $($b64 <"$PKI/$1.key")}
contexts:
  - name: pulsar-isolation
    context: {cluster: pulsar-isolation, user: $1}
current-context: pulsar-isolation
EOF
  chmod 600 "$PKI/$1.kubeconfig"
}

certificates() {
  local ip="$1"
  mkdir -p "$PKI" && chmod 700 "$PKI"
  openssl genrsa -out "$PKI/ca.key" 2048 2>/dev/null
  openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=pulsar-isolation-k8s-ca" -days 365 -out "$PKI/ca.crt"
  local dns="DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost"
  sign apiserver kube-apiserver "" "$dns,DNS:$NODE_NAME,IP:127.0.0.1,IP:10.0.0.1,IP:$ip"
  sign apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
  sign kubelet-serving "$NODE_NAME" "" "DNS:$NODE_NAME,DNS:localhost,IP:127.0.0.1,IP:$ip"
  local who
  for who in "admin admin system:masters" "kubelet system:node:$NODE_NAME system:nodes" \
    "controller-manager system:kube-controller-manager" "scheduler system:kube-scheduler" "kube-proxy system:kube-proxy"; do
    set -- $who
    sign "$1" "$2" "${3:-}"
    kubeconfig "$1"
  done
  openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
  openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
}

