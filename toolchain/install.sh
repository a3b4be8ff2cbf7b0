#!/usr/bin/env bash
# Puts the real Pulumi CLI, a Node.js language host, the launchers the engine needs and the
# Apache Pulsar binary distribution into .toolchain/. Idempotent: a second run only checks.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

say() { printf '[toolchain] %s\n' "$*" >&2; }
fail() { say "error: $*"; exit 1; }

require_java() {
  command -v java >/dev/null || fail "Java 17 or later is required to run Pulsar, and 'java' is not on PATH."
  local major
  major="$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')"
  [[ "${major%%.*}" -ge 17 ]] || fail "Java 17 or later is required to run Pulsar; found Java $major."
}

require() {
  command -v "$1" >/dev/null || fail "'$1' is required ($2) and is not on PATH."
}

# The Pulumi CLI and our language host, built from the Go module proxy. A stamp of the
# module's sources decides whether the cached binaries are current.
install_pulumi() {
  local bin="$TOOLCHAIN_DIR/bin" src="$PROJECT_ROOT/toolchain/go"
  mkdir -p "$bin"
  cp "$PROJECT_ROOT/toolchain/launchers/"* "$bin/"
  local stamp
  stamp="$(cat "$src/go.mod" "$src/go.sum" "$src"/cmd/*/*.go | sha256sum | cut -c1-16)"
  if [[ -x "$bin/pulumi" && -x "$bin/pulumi-language-nodejs" && "$(cat "$bin/.stamp" 2>/dev/null)" == "$stamp" ]]; then
    return
  fi
  if command -v pulumi >/dev/null && [[ "$(command -v pulumi)" != "$bin/pulumi" ]]; then
    say "using pulumi from PATH: $(command -v pulumi)"
  else
    require go "to build the Pulumi CLI"
    say "building the Pulumi CLI $PULUMI_CLI_VERSION from the Go module proxy (a few minutes the first time)"
    (cd "$src" && go build -o "$bin/pulumi" \
      -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_CLI_VERSION" \
      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  fi
  require go "to build the Node.js language host"
  (cd "$src" && go build -o "$bin/pulumi-language-nodejs" ./cmd/pulumi-language-nodejs)
  echo "$stamp" > "$bin/.stamp"
}

# The Pulsar binary distribution from Maven Central, unpacked once per version.
install_pulsar() {
  [[ -x "$PULSAR_HOME/bin/pulsar" ]] && return
  require mvn "to fetch Apache Pulsar from Maven Central"
  local downloads="$TOOLCHAIN_DIR/downloads"
  local tarball="$downloads/pulsar-server-distribution-$PULSAR_VERSION-bin.tar.gz"
  mkdir -p "$downloads" "$(dirname "$PULSAR_HOME")"
  if [[ ! -f "$tarball" ]]; then
    say "fetching Apache Pulsar $PULSAR_VERSION from Maven Central"
    mvn -q -B dependency:copy \
      -Dartifact="org.apache.pulsar:pulsar-server-distribution:$PULSAR_VERSION:tar.gz:bin" \
      -DoutputDirectory="$downloads" >&2
  fi
  say "unpacking Apache Pulsar $PULSAR_VERSION"
  tar -xzf "$tarball" -C "$(dirname "$PULSAR_HOME")"
  rm -f "$tarball"
  [[ -x "$PULSAR_HOME/bin/pulsar" ]] || fail "the Pulsar distribution did not unpack to $PULSAR_HOME"
}

install_node_modules() {
  local dir="$1"
  if [[ ! -d "$dir/node_modules" || "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]]; then
    say "installing npm packages in ${dir#"$PROJECT_ROOT"/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
}

require node "to run the Pulumi program"
require_java
install_node_modules "$PROJECT_ROOT"
install_node_modules "$PROJECT_ROOT/policy"
install_pulumi &
pulumi_job=$!
install_pulsar
wait "$pulumi_job"
say "ready: $(pulumi version), Apache Pulsar $PULSAR_VERSION in ${PULSAR_HOME#"$PROJECT_ROOT"/}"
