#!/usr/bin/env bash
# Waits on the broker's node until its container accepts AMQP connections on RabbitMQ's own port,
# checked inside the container: the published port answers through docker-proxy before RabbitMQ
# listens. RabbitMQ opens that listener last, after it has loaded the definitions (the admin,
# guest's rights), so the wait ends the moment PARWOP can connect, instead of at the next docker
# health check (every 10 s, the first one 10 s after start). Fed to `bash -s -- ARGS`.
# Prints one short line.
#
# usage: broker-ready.sh --container NAME [--port 5672] [--timeout SECONDS] [--interval SECONDS]
set -uo pipefail

container="" port=5672 timeout=180 interval=0.25
usage() {
  echo "usage: broker-ready.sh --container NAME [--port 5672] [--timeout SECONDS] [--interval SECONDS]" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
    --container | --port | --timeout | --interval)
      [ $# -ge 2 ] || usage
      case "$1" in
        --container) container=$2 ;;
        --port) port=$2 ;;
        --timeout) timeout=$2 ;;
        --interval) interval=$2 ;;
      esac
      shift 2 ;;
    *) echo "broker-ready: unknown argument: $1" >&2; usage ;;
  esac
done
[[ -n "$container" && $port =~ ^[0-9]+$ && $timeout =~ ^[0-9]+$ && $interval =~ ^[0-9.]+$ ]] || usage

# Microseconds since the start, from bash's own clock (no bc or date on a minimal node).
start=${EPOCHREALTIME/./}
elapsed_ms() { echo $(( (${EPOCHREALTIME/./} - start) / 1000 )); }
elapsed() { local ms; ms=$(elapsed_ms); echo "$((ms / 1000)).$(((ms % 1000) / 100))"; }
while :; do
  # One exec a poll, a connect to the broker's own loopback listener and nothing else.
  if docker exec "$container" bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
    echo "broker $container: accepting AMQP after $(elapsed) s"
    exit 0
  fi
  running=$(docker inspect -f '{{.State.Running}}' "$container" 2>&1)
  if [ "$running" != true ]; then
    echo "broker $container: stopped before it accepted AMQP ($running); its last lines:" >&2
    docker logs --tail 20 "$container" 2>&1 | sed 's/^/  /' >&2
    exit 1
  fi
  if (( $(elapsed_ms) >= timeout * 1000 )); then
    echo "broker $container: not accepting AMQP on port $port after $timeout s; its last lines:" >&2
    docker logs --tail 20 "$container" 2>&1 | sed 's/^/  /' >&2
    exit 1
  fi
  sleep "$interval"
done
