#!/usr/bin/env bash
# One experiment run, on the runner's node, around the driver (COMMAND: `docker exec … python -u -`,
# which reads scripts/driver.py on stdin). It answers for what the driver cannot:
# - a driver that dies without a word (SIGKILL, OOM kill, its container or `docker exec` killed)
#   still yields `run QUERY rep N failed: …` on stderr;
# - in distributed mode PARWOP prints what a query processed ("Total records: N") in the
#   coordinator's log, out of the driver's reach: read it here and fill the driver's null
#   `records`, or fail the run when it is 0 or missing.
# - with --spool-dir, a finished run's result outlives the link and the `pulumi` that asked
#   for it: COMMAND runs detached (its own session, stdin, stdout and stderr in files under
#   SPOOL_DIR/RUN_IDENTITY), so a lost ssh session or a killed `pulumi` does not end it, and
#   what it printed stays on the node. The next attempt of the same run (same identity, a
#   higher --attempt: the last one left no record) first waits for an earlier attempt still
#   running here, then hands on that attempt's finished result instead of running again, with
#   "recovered_attempt": N, if it ended before this attempt's cache drop (--cache-dropped-at in
#   COMMAND); a result that overlapped the drop, or one of the same attempt (a forced
#   re-run), is set aside and the run runs afresh. Results stay in the spool (pruned after
#   30 days), so none is lost before the machine running Pulumi has it.
# stdout: the driver's one JSON line, with records; nothing when the run failed.
#
# usage: run-query.sh --query NAME --repetition N [--records-from-log CONTAINER]
#                     [--log-timeout SECONDS]
#                     [--spool-dir DIR --run-identity ID --attempt N] -- COMMAND...
# A command resource feeds this file followed by driver.py to `bash -s`: bash reads a script on
# stdin only as far as the command it runs (POSIX requires it), so COMMAND gets driver.py. That
# is why everything is in main(), called on the last line: bash must have read all of this file
# before COMMAND reads the rest.
set -uo pipefail

main() {
  local query="" repetition="" records_log="" log_timeout=30 spool="" identity="" attempt=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --query | --repetition | --records-from-log | --log-timeout | --spool-dir | --run-identity | --attempt)
        [ $# -ge 2 ] || usage
        case "$1" in
          --query) query=$2 ;;
          --repetition) repetition=$2 ;;
          --records-from-log) records_log=$2 ;;
          --log-timeout) log_timeout=$2 ;;
          --spool-dir) spool=$2 ;;
          --run-identity) identity=$2 ;;
          --attempt) attempt=$2 ;;
        esac
        shift 2 ;;
      --) shift; break ;;
      *) echo "run-query: unknown argument: $1" >&2; usage ;;
    esac
  done
  if [ -z "$query" ] || [ -z "$repetition" ] || [ $# -eq 0 ] || ! [[ $log_timeout =~ ^[1-9][0-9]*$ ]]; then
    usage
  fi
  if [ -n "$spool$identity$attempt" ] && { [ -z "$spool" ] || ! [[ $identity =~ ^[0-9a-f]+$ ]] || ! [[ $attempt =~ ^[1-9][0-9]*$ ]]; }; then
    usage
  fi
  fail() {
    echo "run $query rep $repetition failed: $*" >&2
    exit 1
  }

  # Global: the EXIT trap runs after main has returned.
  tmp=$(mktemp -d </dev/null) || fail "cannot create a temporary directory on the node"
  trap 'rm -rf "$tmp"' EXIT
  local since rc recovered=""
  if [ -z "$spool" ]; then
    # Docker's own clock for `docker logs --since` is this node's: take the start here.
    since=$(date +%s.%N </dev/null)
    "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
  else
    local dir="$spool/$identity"
    mkdir -p "$spool" </dev/null || fail "cannot create the run spool $spool on the node"
    find "$spool" -mindepth 1 -maxdepth 1 -type d -mtime +30 -exec rm -rf {} + </dev/null 2>/dev/null
    recovered=$(earlier_attempt "$dir" "$attempt" "$(dropped_at "$@")")
    if [ -z "$recovered" ]; then
      rm -rf "$dir"
      mkdir "$dir" </dev/null || fail "cannot create $dir on the node"
      echo "$attempt" >"$dir/attempt"
      date +%s.%N </dev/null >"$dir/since"
      # The rest of stdin is COMMAND's (the driver): keep it in the spool, so COMMAND reads a file.
      cat >"$dir/stdin"
      # Its own session: a lost ssh session's SIGHUP, or this script's end, does not stop it.
      # shellcheck disable=SC2016 # expanded by the inner bash: $0 is the dir, "$@" COMMAND
      setsid bash -c '"$@" <"$0/stdin" >"$0/out" 2>"$0/err"; echo $? >"$0/rc.tmp" && mv "$0/rc.tmp" "$0/rc"' \
        "$dir" "$@" </dev/null &
      echo $! >"$dir/pid"
      wait $!
    fi
    since=$(<"$dir/since")
    rc=$(cat "$dir/rc" 2>/dev/null || echo 137)
    if ! cp "$dir/out" "$tmp/out" || ! cp "$dir/err" "$tmp/err"; then
      fail "cannot read the run's output in $dir"
    fi
  fi
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
  if [ -n "$recovered" ]; then
    line="{\"recovered_attempt\": $recovered, ${line#\{}"
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
  echo "usage: run-query.sh --query NAME --repetition N [--records-from-log CONTAINER] [--log-timeout SECONDS]" \
    "[--spool-dir DIR --run-identity ID --attempt N] -- COMMAND..." >&2
  exit 2
}

# The value of --cache-dropped-at in COMMAND's words, or nothing.
dropped_at() {
  while [ $# -gt 1 ]; do
    if [ "$1" = "--cache-dropped-at" ]; then echo "$2"; return; fi
    shift
  done
}

# An earlier attempt of this run in DIR: waits while it still runs, then prints its attempt
# number when its result may stand for this attempt (it finished, is of a lower attempt, and
# ended before this attempt's cache drop), else sets it aside (stderr says why) and prints nothing.
earlier_attempt() {
  local dir=$1 attempt=$2 dropped=$3 earlier pid
  [ -f "$dir/attempt" ] || return 0
  earlier=$(<"$dir/attempt")
  pid=$(cat "$dir/pid" 2>/dev/null)
  if [ ! -f "$dir/rc" ] && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    echo "run-query: attempt $earlier of this run still runs on this node: waiting for it to end" >&2
    while [ ! -f "$dir/rc" ] && kill -0 "$pid" 2>/dev/null; do sleep 1; done
  fi
  local why=""
  if [ "$earlier" -ge "$attempt" ]; then
    why="it is this attempt's own (a forced re-run)"
  elif [ "$(cat "$dir/rc" 2>/dev/null)" != 0 ]; then
    why="it did not finish with a result"
  elif [ -z "$dropped" ]; then
    why="this attempt has no cache drop to compare its end with"
  elif [ "$(stat -c %Y "$dir/rc")" -ge "${dropped%.*}" ]; then
    why="it ended after this attempt's cache drop, which it may have felt"
  fi
  if [ -n "$why" ]; then
    local aside
    aside="$dir.attempt-$earlier.$(date +%s)"
    mv "$dir" "$aside" 2>/dev/null
    echo "run-query: attempt $earlier's output on this node is not used ($why): kept in $aside; running afresh" >&2
    return 0
  fi
  echo "run-query: attempt $earlier finished on this node after its pulumi lost it: its result stands for attempt $attempt" >&2
  echo "$earlier"
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
