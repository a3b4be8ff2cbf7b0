# Sourced by the toolchain scripts and the tests: puts the project's toolchain on PATH and
# keeps Pulumi offline, with its state in a local file backend inside the project.
PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLCHAIN_DIR="$PROJECT_ROOT/.toolchain"
PULSAR_VERSION="${PULSAR_VERSION:-4.0.8}"
PULUMI_CLI_VERSION="3.274.1"

export PULSAR_HOME="${PULSAR_HOME:-$TOOLCHAIN_DIR/pulsar/apache-pulsar-$PULSAR_VERSION}"
export PATH="$TOOLCHAIN_DIR/bin:$PATH"
# The bookies' placement policy (runtime/bookie-placement/), compiled into the distribution's lib/,
# where bin/pulsar puts it on every node's class path, in every runtime's image too.
PLACEMENT_POLICY_JAR="$PULSAR_HOME/lib/pulsar-isolation-placement.jar"
placement_policy_hash() { cat "$PROJECT_ROOT"/runtime/bookie-placement/*.java | sha256sum | cut -c1-16; }
export PULUMI_HOME="${PULUMI_HOME:-$TOOLCHAIN_DIR/pulumi-home}"
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$PROJECT_ROOT/.pulumi-state}"
mkdir -p "${PULUMI_BACKEND_URL#file://}" 2>/dev/null || true
# The dev stacks' secrets are encrypted with this passphrase. It protects nothing real:
# set your own PULUMI_CONFIG_PASSPHRASE for any stack that holds real credentials.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-pulsar-isolation-dev}"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# The project's program runs compiled (bin/, by `npm run build`); programs that run as TypeScript,
# such as examples/article, are transpiled, not type-checked, at each run (about 7 s less per run).
export PULUMI_NODEJS_TRANSPILE_ONLY="${PULUMI_NODEJS_TRANSPILE_ONLY:-true}"
