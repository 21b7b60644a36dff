#!/usr/bin/env bash
# Before every run, on each node: makes sure no work of an earlier query still runs in this
# node's worker. After a failed distributed query a PARWOP worker that took part in it (and did
# not fail itself) may keep that query's work running, and it then ignores SIGTERM (not yet traced
# in PARWOP's source; seen against a real deployment): it would run under the next measured run.
# The coordinator's query list tells: this worker in a query that is not over, or in a failed
# query where its own state is not over. Then the worker is restarted (bounded stop), and the
# script waits until the coordinator shows a heartbeat of the new process. Each leftover query
# is settled once: its id goes to a node-side list, so the next run does not restart again.
#
# A command resource feeds this file to `timeout -k 10 T bash -s -- ARGS` over SSH. Nodes may
# lack curl: the coordinator is asked from inside the worker container (`docker exec -i
# CONTAINER python -u -`, a small stdlib script). Everything is in main(), called on the last
# line, so bash has read all of this file before anything below reads stdin.
#
# usage: settle-worker.sh --node NAME --container WORKER_CONTAINER --node-id WORKER_ID
#                         --coordinator URL --stop-timeout SECONDS --timeout SECONDS
#                         [--settled-dir DIR]   (default /var/tmp/parwop-settled)
# stdout: one JSON line, {"node": NAME, "restarted": false} or
#   {"node": NAME, "restarted": true, "queries": [ids], "reason": "...", "stop_seconds": x}
#   (stop_seconds: the wall time of `docker restart`, nearly all of it the stop)
# failure: one line `settle NODE: ...` on stderr, exit 1; bad arguments: usage, exit 2.
# Bounds: asking the coordinator --timeout (+5 s kill), twice at most; the restart
# --stop-timeout + 60 s (+5 s). An outer `timeout` should allow 2*TIMEOUT + STOP_TIMEOUT + 80 s.
set -uo pipefail

main() {
  local node="" container="" node_id="" coordinator="" stop_timeout="" timeout="" settled_dir=/var/tmp/parwop-settled
  while [ $# -gt 0 ]; do
    case "$1" in
      --node | --container | --node-id | --coordinator | --stop-timeout | --timeout | --settled-dir)
        [ $# -ge 2 ] || usage
        case "$1" in
          --node) node=$2 ;;
          --container) container=$2 ;;
          --node-id) node_id=$2 ;;
          --coordinator) coordinator=$2 ;;
          --stop-timeout) stop_timeout=$2 ;;
          --timeout) timeout=$2 ;;
          --settled-dir) settled_dir=$2 ;;
        esac
        shift 2 ;;
      *) echo "settle-worker: unknown argument: $1" >&2; usage ;;
    esac
  done
  if [ -z "$node" ] || [ -z "$container" ] || [ -z "$node_id" ] || [ -z "$coordinator" ] \
    || ! [[ $stop_timeout =~ ^[0-9]+$ ]] || ! [[ $timeout =~ ^[1-9][0-9]*$ ]]; then
    usage
  fi
  fail() {
    echo "settle $node: $*" >&2
    exit 1
  }

  local settled_file="$settled_dir/$container" settled=""
  if [ -f "$settled_file" ]; then
    settled=$(tr '\n' ',' <"$settled_file") || fail "cannot read $settled_file"
  fi
  local found
  found=$(ask leftovers "$settled") || fail "${found:-asking the coordinator $coordinator from $container failed}"
  if [ "$found" = none ]; then
    echo "{\"node\": \"$node\", \"restarted\": false}"
    return 0
  fi
  # found: `IDS<TAB>REASON`, ids comma-separated, both free of quotes and tabs (checked in python).
  local ids=${found%%$'\t'*} reason=${found#*$'\t'}

  local start end err
  start=$(date +%s%N)
  err=$(timeout -k 5 "$((stop_timeout + 60))" docker restart -t "$stop_timeout" "$container" 2>&1 >/dev/null </dev/null) \
    || fail "docker restart -t $stop_timeout $container failed (${err%%$'\n'*}); leftover queries: $ids"
  end=$(date +%s%N)
  local waited
  waited=$(ask beat "") || fail "${waited:-restarted $container, but cannot ask the coordinator whether it heartbeats}"

  if ! { mkdir -p "$settled_dir" && tr ',' '\n' <<<"$ids" >>"$settled_file"; }; then
    fail "restarted $container, but cannot append to $settled_file"
  fi
  local ms=$(((end - start) / 1000000)) quoted
  quoted="\"${ids//,/\", \"}\""
  printf '{"node": "%s", "restarted": true, "queries": [%s], "reason": "%s", "stop_seconds": %d.%03d}\n' \
    "$node" "$quoted" "$reason" "$((ms / 1000))" "$((ms % 1000))"
}

# ask MODE SETTLED: runs the inline script in the worker container, bounded; prints its answer,
# or its one-line reason (and returns 1).
ask() {
  local out rc
  out=$(timeout -k 5 "$timeout" docker exec -i "$container" python -u - "$1" "$coordinator" "$node_id" "$timeout" "$2" 2>&1 <<'PY'
import json, sys, time, urllib.request
from email.utils import parsedate_to_datetime

mode, base, me, timeout, settled = sys.argv[1], sys.argv[2].rstrip("/"), sys.argv[3], float(sys.argv[4]), sys.argv[5]
SUCCEEDED = ("Finished", "Completed")
TERMINAL = SUCCEEDED + ("Cancelled", "Timeout", "Error")


def get(path):
    with urllib.request.urlopen(base + path, timeout=10) as resp:
        return json.loads(resp.read()), resp.headers.get("Date")


def leftovers():
    listed, _ = get("/coordinator/query/")
    ids = sorted(listed) if isinstance(listed, dict) else sorted(q["query_id"] for q in listed)
    done = {s for s in settled.split(",") if s}
    found, reasons = [], []
    for qid in ids:
        if qid in done:
            continue
        query, _ = get(f"/coordinator/query/{qid}/")
        worker = (query.get("workers") or {}).get(me)
        if worker is None:
            continue
        state, mine = query.get("state"), worker.get("state")
        if state not in TERMINAL:
            reasons.append(f"query {qid} is still {state} with {me} {mine}")
        elif state not in SUCCEEDED and mine not in TERMINAL:
            reasons.append(f"query {qid} ended {state} but {me} is still {mine}")
        else:
            continue
        found.append(qid)
    text = "; ".join(reasons)
    # The shell builds its JSON line from these by hand: nothing that would need escaping.
    if any(c in qid for qid in found for c in ',"\\\t\n') or any(c in text for c in '"\\\t\n'):
        raise ValueError(f"unexpected characters in the coordinator's answer: {found} {text!r}")
    print(f"{','.join(found)}\t{text}" if found else "none")


def stamp():
    status, date = get("/coordinator/heartbeat/status/")
    node = (status.get("nodes") or {}).get(me) or {}
    return node.get("last_heartbeat"), date


def beat():
    # The coordinator's own clock (its Date header, whole seconds) once the restart is over: a beat
    # stamped strictly later is the new process's (nodes' clocks may differ from the coordinator's).
    deadline = time.monotonic() + timeout - 5
    while True:
        try:
            last, date = stamp()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    after = int(parsedate_to_datetime(date).timestamp()) if date else int(time.time())
    while not (isinstance(last, (int, float)) and last > after):
        if time.monotonic() > deadline:
            raise TimeoutError(f"restarted, but the coordinator shows no heartbeat of {me} stamped after {after} (last {last})")
        time.sleep(0.5)
        last, _ = stamp()
    print(last)


try:
    leftovers() if mode == "leftovers" else beat()
except Exception as e:
    print(f"{type(e).__name__}: {e}")
    sys.exit(1)
PY
  )
  rc=$?
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "asking the coordinator $coordinator from $container did not finish within ${timeout}s"
    return 1
  elif [ "$rc" -ne 0 ]; then
    echo "asking the coordinator $coordinator from $container: ${out##*$'\n'}"
    return 1
  fi
  echo "$out"
}

usage() {
  echo "usage: settle-worker.sh --node NAME --container WORKER_CONTAINER --node-id WORKER_ID --coordinator URL --stop-timeout SECONDS --timeout SECONDS [--settled-dir DIR]" >&2
  exit 2
}

main "$@"; exit $?
