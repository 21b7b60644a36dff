#!/usr/bin/env bash
# One experiment run, on the runner's node, around the driver (COMMAND: `docker exec … python -u -`,
# which reads scripts/driver.py on stdin). It answers for what the driver cannot:
# - a driver that dies without a word (SIGKILL, OOM kill, its container or `docker exec` killed)
#   still yields `run QUERY rep N failed: …` on stderr;
# - in distributed mode PARWOP prints what a query processed ("Total records: N") in the
#   coordinator's log, out of the driver's reach: read it here and fill the driver's null
#   `records`, or fail the run when it is 0 or missing.
# stdout: the driver's one JSON line, with records; nothing when the run failed.
#
# usage: run-query.sh --query NAME --repetition N [--records-from-log CONTAINER]
#                     [--log-timeout SECONDS] -- COMMAND...
# A command resource feeds this file followed by driver.py to `bash -s`: bash reads a script on
# stdin only as far as the command it runs (POSIX requires it), so COMMAND gets driver.py. That
# is why everything is in main(), called on the last line: bash must have read all of this file
# before COMMAND reads the rest.
set -uo pipefail

main() {
  local query="" repetition="" records_log="" log_timeout=30
  while [ $# -gt 0 ]; do
    case "$1" in
      --query | --repetition | --records-from-log | --log-timeout)
        [ $# -ge 2 ] || usage
        case "$1" in
          --query) query=$2 ;;
          --repetition) repetition=$2 ;;
          --records-from-log) records_log=$2 ;;
          --log-timeout) log_timeout=$2 ;;
        esac
        shift 2 ;;
      --) shift; break ;;
      *) echo "run-query: unknown argument: $1" >&2; usage ;;
    esac
  done
  if [ -z "$query" ] || [ -z "$repetition" ] || [ $# -eq 0 ] || ! [[ $log_timeout =~ ^[1-9][0-9]*$ ]]; then
    usage
  fi
  fail() {
    echo "run $query rep $repetition failed: $*" >&2
    exit 1
  }

  # Global: the EXIT trap runs after main has returned.
  tmp=$(mktemp -d </dev/null) || fail "cannot create a temporary directory on the node"
  trap 'rm -rf "$tmp"' EXIT
  # Docker's own clock for `docker logs --since` is this node's: take the start here.
  local since
  since=$(date +%s.%N </dev/null)
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  cat "$tmp/err" >&2
  if grep -qF -e "run $query rep $repetition failed: " -e "run $query rep $repetition refused: " "$tmp/err"; then
    exit "$(( rc == 0 ? 1 : rc ))"
  fi
  if [ "$rc" -ne 0 ]; then
    fail "the driver ended without a result ($(describe_status "$rc"); PARWOP's output stays in the container's /tmp/parwop-driver.log)"
  fi
  local line
  line=$(<"$tmp/out")
  if [[ $line != "{"*"}" || $line == *$'\n'* ]]; then
    fail "the driver exited 0 without its one JSON line (got $(wc -l <"$tmp/out") lines)"
  fi
  local null_suffix=', "records": null}'
  if [[ $line != *"$null_suffix" ]]; then
    echo "$line"
    return 0
  fi
  [ -n "$records_log" ] || fail "processed no records (the driver could not see PARWOP's count and no --records-from-log was given)"
  if ! timeout -k 5 "$log_timeout" docker logs --since "$since" "$records_log" >"$tmp/log" 2>&1 </dev/null; then
    fail "cannot read PARWOP's record count: docker logs $records_log: $(head -n 1 "$tmp/log")"
  fi
  local records
  records=$(grep -o 'Total records: [0-9]*' "$tmp/log" | tail -n 1)
  records=${records#Total records: }
  if [ -z "$records" ]; then
    fail "processed no records (no \"Total records\" line in $records_log's log since $since)"
  elif [ "$records" -eq 0 ]; then
    fail "processed no records ($records_log logged Total records: 0: is the dataset empty?)"
  fi
  echo "${line%"$null_suffix"}, \"records\": $records}"
}

usage() {
  echo "usage: run-query.sh --query NAME --repetition N [--records-from-log CONTAINER] [--log-timeout SECONDS] -- COMMAND..." >&2
  exit 2
}

describe_status() {
  if [ "$1" -eq 124 ]; then
    echo "exit status 124: it outlived its bound"
  elif [ "$1" -gt 128 ]; then
    echo "exit status $1: killed by SIG$(kill -l "$(($1 - 128))"), e.g. out of memory or its container stopped"
  else
    echo "exit status $1 and no failure line"
  fi
}

main "$@"; exit $?
