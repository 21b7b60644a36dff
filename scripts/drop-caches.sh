#!/usr/bin/env bash
# Drops the page cache on the node it runs on (fed to `bash -s -- --node ID` over SSH), so every
# run starts cold. One command resource per node runs this, in parallel, instead of an ssh loop.
# Prints one short line: command resources keep stdout in state, so it must stay tiny.
#
# usage: drop-caches.sh --node ID [--sync-timeout SECONDS] [--write-timeout SECONDS]
set -uo pipefail

node="" sync_timeout=120 write_timeout=30
usage() {
  echo "usage: drop-caches.sh --node ID [--sync-timeout SECONDS] [--write-timeout SECONDS]" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
    --node | --sync-timeout | --write-timeout)
      [ $# -ge 2 ] || usage
      case "$1" in
        --node) node=$2 ;;
        --sync-timeout) sync_timeout=$2 ;;
        --write-timeout) write_timeout=$2 ;;
      esac
      shift 2 ;;
    *) echo "drop-caches: unknown argument: $1" >&2; usage ;;
  esac
done
is_uint() { [[ $1 =~ ^[0-9]+$ ]] && [ "$1" -gt 0 ]; }
if [ -z "$node" ] || ! is_uint "$sync_timeout" || ! is_uint "$write_timeout"; then
  usage
fi

die() {
  echo "drop-caches $node: $*" >&2
  exit 1
}

err_file=$(mktemp) || die "cannot create a temporary file"
trap 'rm -f "$err_file"' EXIT

# Runs a command in the background, its stdin the text $2, and gives up on it after $1 seconds
# (status 124) without waiting for it. A sync stuck on a dead NFS mount sits in the kernel and
# survives even SIGKILL: `timeout` would wait for it, and any fd it shares with the SSH channel
# keeps the session (and `pulumi up`) open. So it gets no fd of ours; its stderr goes to a file.
bounded() {
  local seconds=$1 input=$2 pid tenths=0
  shift 2
  "$@" <<<"$input" >/dev/null 2>"$err_file" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    [ "$tenths" -ge $((seconds * 10)) ] && return 124
    sleep 0.1
    tenths=$((tenths + 1))
  done
  wait "$pid"
}
# The cause alone: tee and sudo prefix it with their name and the file.
last_error() {
  local line=""
  IFS= read -r line <"$err_file"
  line=${line##*: }
  echo "${line:-no message}"
}

cached_kb() {
  local key value _
  while read -r key value _; do
    if [ "$key" = "Cached:" ]; then echo "$value"; return 0; fi
  done </proc/meminfo
  echo "?"
}

before=$(cached_kb)
bounded "$sync_timeout" "" sync
case $? in
  0) ;;
  124) die "sync still running after $sync_timeout s" ;;
  *) die "sync failed: $(last_error)" ;;
esac

if [ "$(id -u)" -eq 0 ]; then
  how="as root" writer=(tee)
elif command -v sudo >/dev/null 2>&1; then
  how="with sudo -n tee" writer=(sudo -n tee)
else
  die "not root and sudo is not installed: cannot write /proc/sys/vm/drop_caches"
fi
bounded "$write_timeout" 3 "${writer[@]}" /proc/sys/vm/drop_caches
case $? in
  0) ;;
  124) die "write to /proc/sys/vm/drop_caches still running after $write_timeout s" ;;
  *) die "cannot write /proc/sys/vm/drop_caches $how: $(last_error)" ;;
esac
after=$(cached_kb)
# The time of the drop (this node's clock): the driver on this node refuses a run that is not
# preceded by a fresh drop, e.g. a retry after a failed run.
echo "drop-caches $node: Cached $before -> $after kB at $(date +%s.%N)"
