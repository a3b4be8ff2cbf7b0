#!/usr/bin/env bash
# The project's Pulumi CLI with its offline settings and local state: `bash toolchain/pulumi.sh preview --stack dev`.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
exec pulumi "$@"
