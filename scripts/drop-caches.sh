#!/usr/bin/env bash
# Drops the page cache on the node it runs on (fed to `bash -s -- --node ID` over SSH), so every
# run starts cold. One command resource per node runs this, in parallel, instead of an ssh loop.
# Prints one short line: command resources keep stdout in state, so it must stay tiny.
#
# usage: drop-caches.sh --node ID
set -uo pipefail

node=""
while [ $# -gt 0 ]; do
  case "$1" in
    --node) [ $# -ge 2 ] || break; node=$2; shift 2 ;;
    *) echo "drop-caches: unknown argument: $1" >&2; exit 2 ;;
  esac
done
if [ -z "$node" ]; then
  echo "usage: drop-caches.sh --node ID" >&2
  exit 2
fi

die() {
  echo "drop-caches $node: $*" >&2
  exit 1
}

cached_kb() {
  local key value _
  while read -r key value _; do
    if [ "$key" = "Cached:" ]; then echo "$value"; return 0; fi
  done </proc/meminfo
  echo "?"
}

before=$(cached_kb)
sync
if [ "$(id -u)" -eq 0 ]; then
  err=$( { echo 3 >/proc/sys/vm/drop_caches; } 2>&1 ) \
    || die "cannot write /proc/sys/vm/drop_caches as root: ${err##*: }"
elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
  err=$(echo 3 | sudo -n tee /proc/sys/vm/drop_caches 2>&1 >/dev/null) \
    || die "sudo -n tee /proc/sys/vm/drop_caches failed: ${err%%$'\n'*}"
else
  die "not root and no passwordless sudo (sudo -n): cannot write /proc/sys/vm/drop_caches"
fi
after=$(cached_kb)
# The time of the drop (this node's clock): the driver on this node refuses a run that is not
# preceded by a fresh drop, e.g. a retry after a failed run.
echo "drop-caches $node: Cached $before -> $after kB at $(date +%s.%N)"
