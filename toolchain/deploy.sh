#!/usr/bin/env bash
# Installs the toolchain if needed, then deploys a stack (default: dev) with `pulumi up`.
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
stack="${1:-dev}"
bash "$here/install.sh"
source "$here/env.sh"
cd "$PROJECT_ROOT"
# Type-checks the program and compiles it into bin/, which `pulumi` runs.
npm run -s build
pulumi stack select --create "$stack" --non-interactive >/dev/null
# A secured stack's token key, CA and certificates, and its adminToken and adminCaFile, once.
node -r ts-node/register/transpile-only ops/secure-init-command.ts "$stack"
pulumi up --stack "$stack" --yes --non-interactive
