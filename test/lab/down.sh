#!/usr/bin/env bash
# Stops what test/lab/up.sh started, and only that: the lab's test containers (by label), the
# SSH test hosts, and dockerd if up.sh was the one that started it. Images and the debootstrap
# cache stay, so the next up.sh is quick.
set -euo pipefail
# shellcheck source=test/lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

remove_containers() {
    docker info >/dev/null 2>&1 || return 0
    local ids
    ids=$(docker ps -aq --filter "label=$LAB_LABEL")
    if [[ -n "$ids" ]]; then
        # shellcheck disable=SC2086 # one id per word
        docker rm -f $ids >/dev/null
    fi
    log "removed $(echo "$ids" | grep -c . || true) lab containers"
}

stop_dockerd() {
    local pidfile="$LAB_DIR/dockerd.pid" pid i
    if [[ ! -f "$pidfile" ]]; then
        log "dockerd was not started by the lab: left running"
        return
    fi
    pid=$(cat "$pidfile")
    # A stale pid file must not make us kill whatever reused that pid.
    if [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == dockerd ]]; then
        kill "$pid"
        # dockerd stops its containers first; give it the time it asks for.
        for ((i = 0; i < 60; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        kill -0 "$pid" 2>/dev/null && die "dockerd ($pid) did not stop within 30 s"
    fi
    rm -f "$pidfile"
    log "dockerd stopped"
}

main() {
    [[ $(id -u) == 0 ]] || die "run as root"
    remove_containers
    bash "$LAB_REPO/test/lab/hosts.sh" down
    stop_dockerd
}

main "$@"
