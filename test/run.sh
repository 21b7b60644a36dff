#!/usr/bin/env bash
# The whole test run, from a fresh machine: installs the npm packages, brings up the test lab
# (Debian packages, dockerd, local images, SSH test hosts: needs root), runs the unit suite
# (lint, type-check, jest under Pulumi mocks) and the integration suite against the lab, then
# stops what the lab started. Prints how long each stage took.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

stage() {
    local name=$1 start=$SECONDS
    shift
    echo "==> $name"
    "$@"
    echo "==> $name: $((SECONDS - start)) s"
}

cleanup() { bash test/lab/down.sh || true; }

if [ "$(id -u)" -ne 0 ]; then
    echo "test/run.sh needs root: it installs Debian packages, starts dockerd and creates network namespaces" >&2
    exit 1
fi
counts=$(mktemp -d)
stage "npm ci" npm ci --no-audit --no-fund --ignore-scripts
stage "unit tests (lint, type-check, jest under mocks)" npm test -- --json --outputFile="$counts/unit.json"
trap cleanup EXIT
stage "test lab up" bash test/lab/up.sh
stage "integration tests against the lab" npm run test:lab -- --json --outputFile="$counts/lab.json"
# One closing line for both suites, in the plain form CI reads.
# shellcheck disable=SC2016 # the template literal is JavaScript, not shell
node -e '
const runs = process.argv.slice(1).map((f) => require(f));
const sum = (k) => runs.reduce((n, r) => n + r[k], 0);
console.log(`${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed`);
' "$counts/unit.json" "$counts/lab.json"
