#!/usr/bin/env bash
# Puts the real Pulumi CLI, a Node.js language host, the launchers the engine needs and the
# Apache Pulsar binary distribution into .toolchain/, and the npm packages in place. Idempotent:
# a second run only checks. One line per step, with its time; the tools' own output is in
# .toolchain/logs/ and shown only when a step fails.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
STEP_PREFIX=toolchain
STEP_DIR="$TOOLCHAIN_DIR"
source "$PROJECT_ROOT/toolchain/steps.sh"

require_java() {
  command -v java >/dev/null || fail "Java 17 or later is required to run Pulsar, and 'java' is not on PATH."
  local major
  major="$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')"
  [[ "${major%%.*}" -ge 17 ]] || fail "Java 17 or later is required to run Pulsar; found Java $major."
}

require() {
  command -v "$1" >/dev/null || fail "'$1' is required ($2) and is not on PATH."
}

npm_packages() {
  local dir="$1" name="$2"
  step "$name" "$(files_hash "$dir/package-lock.json")" "$dir/node_modules/.package-lock.json" \
    bash -c "cd '$dir' && npm ci --no-audit --no-fund --loglevel=error"
}

# The Pulumi CLI and our language host, built from the Go module proxy.
pulumi_cli() {
  local bin="$TOOLCHAIN_DIR/bin" src="$PROJECT_ROOT/toolchain/go"
  mkdir -p "$bin"
  cp "$PROJECT_ROOT/toolchain/launchers/"* "$bin/"
  if command -v pulumi >/dev/null && [[ "$(command -v pulumi)" != "$bin/pulumi" ]]; then
    say "using pulumi from PATH: $(command -v pulumi)"
  else
    require go "to build the Pulumi CLI"
    cached_step "Pulumi CLI $PULUMI_CLI_VERSION (go build)" "$PULUMI_CLI_VERSION $(files_hash "$src/go.mod" "$src/go.sum")" "$bin/pulumi" \
      bash -c "cd '$src' && go build -o '$bin/pulumi' -ldflags '-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_CLI_VERSION' github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
  fi
  require go "to build the Node.js language host"
  cached_step "Node.js language host (go build)" "$(files_hash "$src/go.mod" "$src/go.sum" "$src"/cmd/*/*.go)" "$bin/pulumi-language-nodejs" \
    bash -c "cd '$src' && go build -o '$bin/pulumi-language-nodejs' ./cmd/pulumi-language-nodejs"
}

# The Pulsar binary distribution from Maven Central, unpacked once per version.
pulsar_distribution() {
  require mvn "to fetch Apache Pulsar from Maven Central"
  cached_step "Apache Pulsar $PULSAR_VERSION (Maven Central)" "$PULSAR_VERSION" "$PULSAR_HOME" fetch_pulsar
}

fetch_pulsar() {
  local downloads="$TOOLCHAIN_DIR/downloads"
  local tarball="$downloads/pulsar-server-distribution-$PULSAR_VERSION-bin.tar.gz"
  mkdir -p "$downloads" "$(dirname "$PULSAR_HOME")"
  [[ -f "$tarball" ]] || mvn -q -B dependency:copy \
    -Dartifact="org.apache.pulsar:pulsar-server-distribution:$PULSAR_VERSION:tar.gz:bin" -DoutputDirectory="$downloads"
  tar -xzf "$tarball" -C "$(dirname "$PULSAR_HOME")"
  rm -f "$tarball"
  [[ -x "$PULSAR_HOME/bin/pulsar" ]] || { echo "the Pulsar distribution did not unpack to $PULSAR_HOME"; return 1; }
}

# The bookies' placement policy, compiled against the distribution's own jars into its lib/.
placement_policy() {
  require javac "to compile the bookies' placement policy (a JDK, not only a JRE)"
  step "bookie placement policy (javac)" "$PULSAR_VERSION $(placement_policy_hash)" "$PLACEMENT_POLICY_JAR" build_placement_policy
}

build_placement_policy() {
  local classes
  classes="$(mktemp -d)"
  javac -nowarn --release 17 -cp "$PULSAR_HOME/lib/*" -d "$classes" "$PROJECT_ROOT"/runtime/bookie-placement/*.java &&
    jar cf "$PLACEMENT_POLICY_JAR" -C "$classes" .
  local built=$?
  rm -rf "$classes"
  return $built
}

started=$SECONDS
require node "to run the Pulumi program"
require_java
npm_packages "$PROJECT_ROOT" "npm packages"
npm_packages "$PROJECT_ROOT/policy" "npm packages of the policy pack"
# The CLI's build takes minutes the first time; Pulsar downloads meanwhile.
pulumi_cli &
pulumi_job=$!
pulsar_distribution
placement_policy
wait "$pulumi_job"
say "ready in $((SECONDS - started)) s: $(pulumi version), Apache Pulsar $PULSAR_VERSION in ${PULSAR_HOME#"$PROJECT_ROOT"/}"
