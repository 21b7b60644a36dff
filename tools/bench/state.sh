#!/usr/bin/env bash
# Issue 10, finding 7: state size and evaluation time at 8, 64 and 256 generated nodes against a
# bare program with as many resources (tools/bench/state.ts). Prints figures; exits non-zero only
# when an evaluation fails. Takes a few minutes at 256 nodes.
# usage: bash tools/bench/state.sh [NODES...]      (default 8 64 256)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
exec node tools/run-ts.js tools/bench/state.ts "$@"
