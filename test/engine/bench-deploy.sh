#!/usr/bin/env bash
# Benchmark of up / no-op up / destroy on the test lab through the real engine (bench-deploy.ts).
# Prints its figures; asserts nothing. Usage: bash test/engine/bench-deploy.sh [REPS]   (as root)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PATH="$(bash test/lab/node.sh):$PATH"
exec node tools/run-ts.js test/engine/bench-deploy.ts "$@"
