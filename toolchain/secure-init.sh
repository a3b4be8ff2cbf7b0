#!/usr/bin/env bash
# `npm run secure:init -- <stack>`: the one-time bootstrap of a secured stack (token key, private CA,
# brokers' certificates in .stacks/<stack>/security/; adminToken and adminCaFile in its config).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PROJECT_ROOT"
stack="${1:?usage: npm run secure:init -- <stack>}"
pulumi stack select --create "$stack" --non-interactive >/dev/null
exec node -r ts-node/register/transpile-only ops/secure-init-command.ts "$stack"
