#!/usr/bin/env bash
# The whole test run, from a fresh machine, as root. Setup comes first and installs what every
# suite needs (Node 22, Debian packages with shellcheck, dockerd, local images, the SSH test
# hosts with their own engines, npm packages), so no suite's outcome depends on what a machine
# happened to have, and the real Pulumi engine built from Go modules. Then the suites: unit
# (lint, type-check, jest under Pulumi mocks), scripts, the lab, the real engine; the lab is
# stopped at the end. Prints each stage's time
# and one closing line "N passed, M failed".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

TIMES=()
# Returns the stage's own status: called as `stage … || status=1`, set -e is off inside it.
stage() {
    local name=$1 start=$SECONDS rc=0
    shift
    echo "==> $name"
    "$@" || rc=$?
    TIMES+=("$(printf '%-50s %5d s' "$name" "$((SECONDS - start))")")
    echo "==> $name: $((SECONDS - start)) s"
    return "$rc"
}

cleanup() { bash test/lab/down.sh || true; }

if [ "$(id -u)" -ne 0 ]; then
    echo "test/run.sh needs root: it installs Debian packages, starts dockerd and creates network namespaces" >&2
    exit 1
fi
counts=$(mktemp -d)

# --- setup -----------------------------------------------------------------------------------
# Every suite, jest, tsc and eslint alike, runs on the pinned Node 22 (test/lab/lib.sh), not
# the machine's: Pulumi's SDK declares node >=22.
use_node() {
    local bin
    bin=$(bash test/lab/node.sh) || return
    export PATH="$bin:$PATH"
    echo "node $(node --version) at $(command -v node)"
}
stage "node" use_node
trap cleanup EXIT
stage "test lab up (packages, dockerd, images, hosts, engines)" bash test/lab/up.sh
stage "npm ci" npm ci --no-audit --no-fund
# The real Pulumi engine (CLI and Node.js language host) from Go modules; nothing to do when
# the pins did not change (test/engine/README.md).
stage "engine build (Go modules)" bash test/engine/build.sh

# --- suites ----------------------------------------------------------------------------------
# A failing suite does not stop the others: the closing line counts them all.
status=0
stage "unit tests (lint, type-check, jest under mocks)" npm test -- --json --outputFile="$counts/unit.json" || status=1
stage "script tests (the node-side scripts as processes)" npm run test:scripts -- --json --outputFile="$counts/scripts.json" || status=1
stage "integration tests against the lab" npm run test:lab -- --json --outputFile="$counts/lab.json" || status=1
stage "engine tests (the real Pulumi CLI)" npm run test:engine -- --json --outputFile="$counts/engine.json" || status=1

echo "==> stage times"
printf '  %s\n' "${TIMES[@]}"
# One closing line for all suites, in the plain form CI reads. A suite that wrote no counts
# (lint or type-check stopped it before jest) counts as one failure, not as nothing.
# shellcheck disable=SC2016 # the template literal is JavaScript, not shell
node -e '
const fs = require("fs");
let passed = 0, failed = 0;
for (const f of process.argv.slice(1)) {
    if (!fs.existsSync(f)) { console.error(`no test counts in ${f}: that suite stopped before jest`); failed += 1; continue; }
    const r = require(f);
    passed += r.numPassedTests;
    failed += r.numFailedTests;
}
console.log(`${passed} passed, ${failed} failed`);
' "$counts/unit.json" "$counts/scripts.json" "$counts/lab.json" "$counts/engine.json"
# Exits non-zero when any suite failed.
[ "$status" -eq 0 ]
