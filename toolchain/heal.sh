#!/usr/bin/env bash
# Brings every node of a stack back after a crash, with what the brokers hold: `pulumi up --refresh`
# restarts whatever its refresh finds dead. A node can die meanwhile because another was down (the
# bookies end themselves once the configuration store has been gone longer than their ZooKeeper
# session), so it runs again until a refresh finds nothing changed, at most three times. The check
# is a refresh's preview (1.2 s on the dev stack; a `preview --refresh`, which also runs the program,
# 2.8 s): right after an `up`, only something that died since can differ.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
stack="${1:-dev}"
cd "$PROJECT_ROOT"
for round in 1 2 3; do
  pulumi up --refresh --stack "$stack" --yes --non-interactive --skip-preview
  if pulumi refresh --preview-only --expect-no-changes --stack "$stack" --non-interactive >/dev/null; then
    echo "[heal] $stack runs as declared (after $round round(s))"
    exit 0
  fi
  echo "[heal] something died meanwhile: another round"
done
echo "[heal] $stack still differs from its declaration after 3 rounds: see \`pulumi preview --refresh --stack $stack\`" >&2
exit 1
