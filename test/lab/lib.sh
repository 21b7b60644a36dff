# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are used by the scripts that source this file
# Shared by up.sh, down.sh and hosts.sh: where the lab keeps its state and how it names things.
# Sourced, not run.

LAB_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LAB_DIR="$LAB_REPO/.lab"
# Images are built here, never pulled: no registry can be reached.
LAB_BASE_IMAGE="parwop-lab-base:bookworm"
LAB_RABBITMQ_IMAGE="parwop-lab-rabbitmq:test"
LAB_STANDIN_IMAGE="parwop-standin:test"
# Every container a lab test starts carries this label, so down.sh removes exactly those.
LAB_LABEL="parwop-lab=1"
# The SSH test hosts live on this private /24; the machine's own end is .1, host i is .(10+i).
LAB_NET_PREFIX="10.231.0"
LAB_BRIDGE="parwop-lab0"
LAB_HOSTS="${LAB_HOSTS:-4}"
# Per SSH test host: its sshd's and its engine's runtime files, gone after down.sh.
LAB_HOSTS_DIR="$LAB_DIR/hostsd"
host_dir() { echo "$LAB_HOSTS_DIR/h$1"; }
# Host i's Docker engine socket: what /var/run/docker.sock is in host i's ssh sessions.
host_engine_socket() { echo "$LAB_HOSTS_DIR/h$1/docker.sock"; }
# The numbers of the hosts that exist now, whatever LAB_HOSTS says (an earlier run's may differ).
existing_hosts() { ip netns list | sed -n 's/^parwop-h\([0-9][0-9]*\).*/\1/p'; }
# What down must stop: the hosts that exist, and every host this checkout has a dir for (its
# dockerd and sshd run on when its namespace went another way, e.g. another checkout's down.sh).
stoppable_hosts() {
    {
        existing_hosts
        find "$LAB_HOSTS_DIR" -mindepth 1 -maxdepth 1 -name 'h[0-9]*' -printf '%f\n' 2>/dev/null | sed 's/^h//'
    } | sort -un
}
# The Node.js every suite runs on (Pulumi's SDK declares node >=22; Debian ships 20): the one
# place its version is pinned. test/lab/node.sh fetches it from the npm registry.
LAB_NODE_VERSION="22.23.3"

# Stops a dockerd and waits for it: it stops its containers first, so it gets the 30 s it asks for.
# Usage: stop_dockerd_pid WHICH PID   (PID must be a dockerd: a stale pid file may name another process)
stop_dockerd_pid() {
    local which=$1 pid=$2 t
    [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == dockerd ]] || return 0
    kill "$pid"
    for ((t = 0; t < 60; t++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.5
    done
    die "$which ($pid) did not stop within 30 s"
}

log() { printf '[lab %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[lab] ERROR: %s\n' "$*" >&2; exit 1; }

# Runs a named stage and prints how long it took, so slow stages show up in CI logs.
stage() {
    local name="$1" start elapsed
    shift
    start=${EPOCHREALTIME/./}
    log "stage $name: start"
    "$@"
    elapsed=$(( (${EPOCHREALTIME/./} - start) / 100000 ))
    elapsed="$((elapsed / 10)).$((elapsed % 10))"
    LAB_TIMES+=("$(printf '%-10s %6s s' "$name" "$elapsed")")
    log "stage $name: done in $elapsed s"
}
LAB_TIMES=()

print_times() {
    local line
    log "stage times:"
    for line in "${LAB_TIMES[@]}"; do printf '  %s\n' "$line"; done
}
