#!/usr/bin/env bash
# Preflight checks for one PARWOP node, run ON the node (a command resource feeds this file to
# `bash -s -- ARGS` over SSH, so nothing has to be copied there first).
# It reports every failed check, not only the first: one failed update should show the user all
# of a node's problems at once. Only bash, coreutils and the docker CLI are assumed (no awk, jq).
#
# usage: preflight.sh --node ID --data-dir DIR --code-dir DIR --min-memory-bytes N --min-cpus N
#                     [--docker-host-check] [--docker-timeout SECONDS] [--check-timeout SECONDS]
#                     [--stack NAME --containers NAME[,NAME...]] [--dumps-dir DIR]
set -uo pipefail

node="" data_dir="" code_dir="" dumps_dir="" min_mem="" min_cpus="" docker_host_check=0 docker_timeout=20 check_timeout=30 stack="" containers=""

usage() {
  echo "usage: preflight.sh --node ID --data-dir DIR --code-dir DIR --min-memory-bytes N --min-cpus N [--docker-host-check] [--docker-timeout SECONDS] [--check-timeout SECONDS] [--stack NAME --containers NAME[,NAME...]] [--dumps-dir DIR]" >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --node | --data-dir | --code-dir | --min-memory-bytes | --min-cpus | --docker-timeout | --check-timeout | --stack | --containers | --dumps-dir)
      [ $# -ge 2 ] || usage
      case "$1" in
        --node) node=$2 ;;
        --data-dir) data_dir=$2 ;;
        --code-dir) code_dir=$2 ;;
        --min-memory-bytes) min_mem=$2 ;;
        --min-cpus) min_cpus=$2 ;;
        --docker-timeout) docker_timeout=$2 ;;
        --check-timeout) check_timeout=$2 ;;
        --stack) stack=$2 ;;
        --containers) containers=$2 ;;
        --dumps-dir) dumps_dir=$2 ;;
      esac
      shift 2 ;;
    --docker-host-check) docker_host_check=1; shift ;;
    *) echo "preflight: unknown argument: $1" >&2; usage ;;
  esac
done

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
if [ -z "$node" ] || [ -z "$data_dir" ] || [ -z "$code_dir" ] \
  || ! is_uint "$min_mem" || ! is_uint "$min_cpus" || ! is_uint "$docker_timeout" \
  || ! is_uint "$check_timeout"; then
  usage
fi

failures=0
fail() {
  echo "preflight $node: $*" >&2
  failures=$((failures + 1))
}

# Docker: bounded, because a hung daemon must fail the update instead of stalling it.
if ! command -v docker >/dev/null 2>&1; then
  fail "docker CLI not found in PATH"
else
  docker_err=$(timeout "$docker_timeout" docker info --format '{{.ServerVersion}}' 2>&1 >/dev/null)
  rc=$?
  if [ "$rc" -eq 124 ]; then
    fail "docker info did not answer within ${docker_timeout}s"
  elif [ "$rc" -ne 0 ]; then
    fail "docker not reachable: ${docker_err%%$'\n'*}"
  fi
  # The Pulumi docker provider reaches a node's engine through ssh:// and runs
  # `docker system dial-stdio` there; an old or stripped CLI would only fail later, mid-deploy.
  if [ "$docker_host_check" -eq 1 ] \
    && ! timeout "$docker_timeout" docker system dial-stdio --help >/dev/null 2>&1; then
    fail "docker CLI has no 'system dial-stdio' (needed for ssh:// DOCKER_HOST)"
  fi
fi

# The containers this stack will create must be free to take: every tier's stack uses the same
# names and ports on the same nodes, and the old docker-compose deployment used them too.
# Docker would only say "name already in use" halfway through the deploy.
if [ -n "$containers" ] && command -v docker >/dev/null 2>&1; then
  IFS=, read -r -a names <<<"$containers"
  for name in "${names[@]}"; do
    owner=$(timeout "$docker_timeout" docker inspect -f '{{index .Config.Labels "parwop.stack"}}' "$name" 2>/dev/null) || continue
    if [ -z "$owner" ] || [ "$owner" = "<no value>" ]; then
      fail "container $name exists and is not managed by this project (the old docker-compose deployment?): remove it with docker rm -f $name"
    elif [ "$owner" != "$stack" ]; then
      fail "container $name belongs to stack $owner: run pulumi destroy -s $owner before deploying $stack"
    fi
  done
fi

check_dir() { # $1 = label, $2 = path
  if [ ! -e "$2" ]; then
    fail "$1 $2 does not exist"
  elif [ ! -d "$2" ]; then
    fail "$1 $2 is not a directory"
  elif [ ! -r "$2" ] || [ ! -x "$2" ]; then
    fail "$1 $2 is not readable"
  else
    return 0
  fi
  return 1
}
# An empty or unmounted data dir makes every query an empty, very fast run: find one data file.
if check_dir "data dir" "$data_dir"; then
  found=$(timeout -k 2 "$check_timeout" find -L "$data_dir" -type f -size +0c -print -quit 2>/dev/null)
  rc=$?
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    fail "data dir $data_dir: looking for a data file did not finish within ${check_timeout}s"
  elif [ -z "$found" ]; then
    fail "data dir $data_dir has no data files (no non-empty regular file under it)"
  fi
fi
check_dir "code dir" "$code_dir"

mem_kb=""
while read -r key value _; do
  if [ "$key" = "MemTotal:" ]; then mem_kb=$value; break; fi
done </proc/meminfo
mem_bytes=$(( ${mem_kb:-0} * 1024 ))
# One decimal without awk/bc: tenths of a GiB in integer arithmetic.
gib_tenths=$(( mem_bytes * 10 / 1073741824 ))
mem_gib="$((gib_tenths / 10)).$((gib_tenths % 10))"
if [ -z "$mem_kb" ]; then
  fail "cannot read MemTotal from /proc/meminfo"
elif [ "$mem_bytes" -lt "$min_mem" ]; then
  fail "memory ${mem_bytes} bytes (${mem_gib} GiB) < required ${min_mem} bytes"
fi

cpus=$(nproc)
if [ "$cpus" -lt "$min_cpus" ]; then
  fail "cpus ${cpus} < required ${min_cpus}"
fi

# The cache drop between runs needs this; find out now rather than after the deploy, with the
# write the drop makes (a permission check alone misses a read-only /proc/sys or a sudoers rule
# that allows `sudo true` but not tee). Writing 3 here only drops the cache once more.
writer=() how=""
if [ "$(id -u)" -eq 0 ]; then
  writer=(tee) how="as root"
elif command -v sudo >/dev/null 2>&1; then
  writer=(sudo -n tee) how="as $(id -un) with sudo -n tee"
else
  fail "cannot drop caches: user $(id -un) is not root and sudo is not installed"
fi
if [ "${#writer[@]}" -gt 0 ]; then
  err=$(echo 3 | timeout -k 2 "$check_timeout" "${writer[@]}" /proc/sys/vm/drop_caches 2>&1 >/dev/null)
  rc=$?
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    fail "cannot drop caches: writing /proc/sys/vm/drop_caches $how did not finish within ${check_timeout}s"
  elif [ "$rc" -ne 0 ]; then
    err=${err%%$'\n'*}
    fail "cannot drop caches: writing /proc/sys/vm/drop_caches $how failed: ${err##*: }"
  fi
fi

# PARWOP leaves spill files of failed queries in its dumps dir; this program did not write them
# and never deletes them, but the space they take should not surprise anyone: report, never fail.
if [ -n "$dumps_dir" ]; then
  if [ ! -d "$dumps_dir" ]; then
    echo "preflight $node: dumps dir $dumps_dir does not exist yet (docker creates it for the worker)"
  else
    files=$(timeout -k 2 "$check_timeout" find "$dumps_dir" -type f 2>/dev/null | wc -l)
    rc=$?
    kib=$(timeout -k 2 "$check_timeout" du -sk "$dumps_dir" 2>/dev/null)
    du_rc=$?
    kib=${kib%%[[:space:]]*}
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] || [ "$du_rc" -eq 124 ] || [ "$du_rc" -eq 137 ]; then
      echo "preflight $node: dumps dir $dumps_dir: counting its files did not finish within ${check_timeout}s"
    elif ! is_uint "$kib"; then
      echo "preflight $node: dumps dir $dumps_dir: cannot measure it (du -sk failed)"
    else
      echo "preflight $node: dumps dir $dumps_dir holds $files files, $(( (kib + 512) / 1024 )) MiB (PARWOP spill files of earlier queries; this program never deletes them)"
    fi
  fi
fi

if [ "$failures" -gt 0 ]; then
  exit 1
fi
echo "preflight $node: ok (mem ${mem_gib} GiB, ${cpus} cpus)"
