#!/usr/bin/env bash
# One Docker engine per SSH test host, as every real node has its own: a dockerd inside the
# host's network namespace (so host-network containers live on the host's address) with its own
# data root, exec root, socket, pid file, key (so its own engine ID) and hostname. It listens on
# no TCP port: the way in is the host's sshd, in whose sessions /var/run/docker.sock is this
# engine's socket (hosts.sh). Images are not built per host but copied from the machine's engine.
# Sourced by up.sh and hosts.sh; or: bash test/lab/engines.sh up | down | stop N | start N

# shellcheck source=test/lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Kept by down.sh, like the machine's images: the next up.sh loads nothing.
engine_data_root() { echo "$LAB_DIR/engines/h$1"; }
# Short on purpose: containerd's sockets live under it, and unix socket paths stop at 107 bytes.
engine_exec_root() { echo "/run/parwop-lab/h$1"; }
engine_docker() {
    local i=$1
    shift
    docker -H "unix://$(host_engine_socket "$i")" "$@"
}

# What every host engine is started with beyond its paths. A default bridge with iptables, as a
# real node's engine has: the broker publishes its ports through it (with --bridge=none they had
# no network, and the broker was replaced on every up). The rules live in the host's own network
# namespace, apart from the machine's. A running engine started with other flags is restarted.
ENGINE_FLAGS=(--ip6tables=false)

engine_up() {
    local i=$1 dir sock data sshd pid t
    dir=$(host_dir "$i")
    sock=$(host_engine_socket "$i")
    data=$(engine_data_root "$i")
    if engine_docker "$i" info >/dev/null 2>&1; then
        if [[ "$(cat "$dir/dockerd.flags" 2>/dev/null)" == "${ENGINE_FLAGS[*]}" ]]; then
            log "engine of parwop-h$i already answering"
            return
        fi
        log "engine of parwop-h$i runs with other flags: restarting it"
        engine_down "$i"
    fi
    ((${#sock} < 100)) || die "$sock is too long for a unix socket: use a shorter checkout path"
    sshd=$(cat "$dir/sshd.pid") || die "parwop-h$i has no sshd: run hosts.sh up first"
    mkdir -p "$data"
    # The key is what docker info's ID derives from; in the data root, so the ID survives restarts.
    printf '{"deprecated-key-path": "%s"}\n' "$data/key.json" >"$dir/daemon.json"
    # The host's network and UTS namespaces (taken from its sshd), the machine's mounts:
    # `ip netns exec` would remount /sys, and dockerd would find no cgroups there.
    setsid nsenter --target "$sshd" --net --uts -- dockerd --config-file "$dir/daemon.json" \
        --data-root "$data" --exec-root "$(engine_exec_root "$i")" --pidfile "$dir/dockerd.pid" \
        -H "unix://$sock" --cgroup-parent "/parwop-h$i" "${ENGINE_FLAGS[@]}" \
        >>"$dir/dockerd.log" 2>&1 </dev/null &
    pid=$!
    echo "${ENGINE_FLAGS[*]}" >"$dir/dockerd.flags"
    for ((t = 0; t < 600; t++)); do
        engine_docker "$i" info >/dev/null 2>&1 && return
        kill -0 "$pid" 2>/dev/null || { tail -20 "$dir/dockerd.log" >&2; die "dockerd of parwop-h$i exited"; }
        sleep 0.1
    done
    tail -20 "$dir/dockerd.log" >&2
    die "dockerd of parwop-h$i did not answer within 60 s"
}

# Copies the lab's images from the machine's engine, skipping those whose ID is already there.
engine_load() {
    local i=$1 image missing=()
    for image in "$LAB_BASE_IMAGE" "$LAB_RABBITMQ_IMAGE" "$LAB_STANDIN_IMAGE"; do
        [[ "$(engine_docker "$i" image inspect -f '{{.Id}}' "$image" 2>/dev/null)" == "$(docker image inspect -f '{{.Id}}' "$image")" ]] \
            || missing+=("$image")
    done
    if ((${#missing[@]} == 0)); then
        log "parwop-h$i has the current images"
        return
    fi
    docker save "${missing[@]}" | engine_docker "$i" load -q >/dev/null
    # The images those tags named before: nothing uses them now.
    engine_docker "$i" image prune -f >/dev/null
    log "parwop-h$i: loaded ${missing[*]}"
}

engine_down() {
    local i=$1 pidfile exec_root
    pidfile="$(host_dir "$i")/dockerd.pid"
    if [[ -f "$pidfile" ]]; then
        stop_dockerd_pid "dockerd of parwop-h$i" "$(cat "$pidfile")"
        rm -f "$pidfile"
        log "engine of parwop-h$i stopped"
    fi
    # dockerd leaves the bind mount of its network namespace behind, and its cgroup parents.
    exec_root=$(engine_exec_root "$i")
    { grep -o " $exec_root/[^ ]*" /proc/mounts || true; } | xargs -r umount
    rm -rf "$exec_root"
    rmdir "${exec_root%/*}" 2>/dev/null || true
    rmdir /sys/fs/cgroup/*/"parwop-h$i" 2>/dev/null || true
}

# Each engine takes about 2 s to stop: all at once.
engines_down() {
    local i
    for i in $(stoppable_hosts); do engine_down "$i" & done
    wait
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    case "${1:-}" in
        up) for i in $(existing_hosts); do engine_up "$i" && engine_load "$i"; done ;;
        down) engines_down ;;
        # One host's engine, for the fault tests: its dockerd stopped as a dead node's would be.
        stop) engine_down "${2:?host number}" ;;
        start) engine_up "${2:?host number}" && engine_load "$2" ;;
        *) die "usage: $0 up | down | stop N | start N" ;;
    esac
fi
