#!/usr/bin/env bash
# Stops what test/lab/up.sh started, and only that: the lab's test containers (by label) on the
# machine's engine, every container on the hosts' engines, the SSH test hosts with their engines, and dockerd
# if up.sh was the one that started it. Images (the hosts' too) and the debootstrap cache stay,
# so the next up.sh is quick.
set -euo pipefail
# shellcheck source=test/lab/engines.sh
source "$(dirname "${BASH_SOURCE[0]}")/engines.sh"

# Usage: remove_containers WHERE FILTER DOCKER-COMMAND...   (FILTER: docker ps --filter, or "" for all)
remove_containers() {
    local where=$1 filter=$2 ids
    shift 2
    "$@" info >/dev/null 2>&1 || return 0
    ids=$("$@" ps -aq ${filter:+--filter "$filter"})
    if [[ -n "$ids" ]]; then
        # shellcheck disable=SC2086 # one id per word
        "$@" rm -f $ids >/dev/null
    fi
    log "removed $(echo "$ids" | grep -c . || true) lab containers from $where"
}

stop_dockerd() {
    local pidfile="$LAB_DIR/dockerd.pid"
    if [[ ! -f "$pidfile" ]]; then
        log "dockerd was not started by the lab: left running"
        return
    fi
    stop_dockerd_pid dockerd "$(cat "$pidfile")"
    rm -f "$pidfile"
    log "dockerd stopped"
}

main() {
    [[ $(id -u) == 0 ]] || die "run as root"
    local i
    remove_containers "the machine's engine" "label=$LAB_LABEL" docker
    # Everything on a test host's engine is a test's, the program's stacks too: left there, a
    # container with a restart policy would come back with the engine and hold its ports.
    for i in $(existing_hosts); do
        remove_containers "parwop-h$i's engine" "" engine_docker "$i"
    done
    bash "$LAB_REPO/test/lab/hosts.sh" down
    stop_dockerd
}

main "$@"
