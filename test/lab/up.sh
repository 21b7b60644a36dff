#!/usr/bin/env bash
# Brings the test lab up on this one machine, idempotently: Debian packages, a Docker engine,
# locally built images (no registry is reachable), fixture data for the PARWOP stand-in and
# N SSH test hosts in network namespaces, each with its own Docker engine holding the images.
# A second run only does what is missing.
# Usage: bash test/lab/up.sh            (LAB_HOSTS=N for more SSH hosts; hosts that exist are kept:
#                                        bash test/lab/hosts.sh shrink N removes those above N)
set -euo pipefail
# shellcheck source=test/lab/engines.sh
source "$(dirname "${BASH_SOURCE[0]}")/engines.sh"

# docker.io for the engine, openssh-server + iproute2 for the SSH hosts, debootstrap for the
# base image; the rest are what the lab's tests and checks call.
LAB_PACKAGES=(docker.io openssh-server openssh-client debootstrap iproute2 iptables curl jq util-linux
    ca-certificates shellcheck bats chromium)
# Everything both images need, in one debootstrap: measured faster than two in parallel
# (about 50 s against 80 s on 2 cores), and the stand-in's extra erlang costs only disk.
BASE_INCLUDE="python3-fastapi,python3-uvicorn,python3-pika,python-is-python3,rabbitmq-server"
# The CLI may be newer than Debian's engine and lack buildx: use the classic builder.
export DOCKER_BUILDKIT=0

install_packages() {
    local pkg missing=()
    for pkg in "${LAB_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    if ((${#missing[@]} == 0)); then
        log "all packages present"
        return
    fi
    log "installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

start_docker() {
    if docker info >/dev/null 2>&1; then
        log "docker engine already answering"
        return
    fi
    log "starting dockerd (log: $LAB_DIR/dockerd.log)"
    # setsid: the engine must outlive this script; its pid file tells down.sh that WE started it.
    setsid dockerd >>"$LAB_DIR/dockerd.log" 2>&1 </dev/null &
    echo $! >"$LAB_DIR/dockerd.pid"
    local i
    for ((i = 0; i < 60; i++)); do
        docker info >/dev/null 2>&1 && return
        kill -0 "$(cat "$LAB_DIR/dockerd.pid")" 2>/dev/null || { tail -20 "$LAB_DIR/dockerd.log" >&2; die "dockerd exited"; }
        sleep 1
    done
    tail -20 "$LAB_DIR/dockerd.log" >&2
    die "docker info did not answer within 60 s"
}

# The tag is the cache key, but a tag built from other inputs is stale: each image carries
# the hash of what it was built from, and a mismatch rebuilds.
image_hash() { docker image inspect -f '{{index .Config.Labels "parwop.lab.hash"}}' "$1" 2>/dev/null || true; }

build_base() {
    local want rootfs
    want=$(echo "bookworm minbase $BASE_INCLUDE" | sha256sum | cut -c1-16)
    if [[ "$(image_hash "$LAB_BASE_IMAGE")" == "$want" ]]; then
        log "$LAB_BASE_IMAGE is current, skipped"
        return
    fi
    rootfs="$LAB_DIR/build/rootfs"
    rm -rf "$rootfs"
    mkdir -p "$rootfs" "$LAB_DIR/debootstrap-cache"
    local t0=$SECONDS
    # The cache dir keeps the .debs, so rebuilding after `docker rmi` downloads nothing.
    # No mirror given: debootstrap's default is Debian's own mirror, which these machines reach.
    debootstrap --variant=minbase --include="$BASE_INCLUDE" --cache-dir="$LAB_DIR/debootstrap-cache" \
        bookworm "$rootfs" >"$LAB_DIR/debootstrap.log" 2>&1 \
        || { tail -20 "$LAB_DIR/debootstrap.log" >&2; die "debootstrap failed"; }
    # Package lists, docs and locales are half the tree and no container reads them.
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
        "$rootfs"/usr/share/doc "$rootfs"/usr/share/man "$rootfs"/usr/share/locale
    log "debootstrap: $((SECONDS - t0)) s"
    t0=$SECONDS
    tar -C "$rootfs" -c . | docker import --change "LABEL parwop.lab.hash=$want" - "$LAB_BASE_IMAGE" >/dev/null
    rm -rf "$rootfs"
    log "$LAB_BASE_IMAGE imported in $((SECONDS - t0)) s: $(docker image inspect -f '{{.Size}}' "$LAB_BASE_IMAGE" | numfmt --to=iec)"
}

build_image() {
    local tag="$1" context="$2" want
    want=$( (docker image inspect -f '{{.Id}}' "$LAB_BASE_IMAGE"; find "$context" -type f -print0 | sort -z | xargs -0 cat) \
        | sha256sum | cut -c1-16)
    if [[ "$(image_hash "$tag")" == "$want" ]]; then
        log "$tag is current, skipped"
        return
    fi
    local t0=$SECONDS
    docker build -q --label "parwop.lab.hash=$want" -t "$tag" "$context" >/dev/null
    log "$tag built in $((SECONDS - t0)) s"
}

build_images() {
    build_base
    build_image "$LAB_RABBITMQ_IMAGE" "$LAB_REPO/test/lab/images/rabbitmq"
    build_image "$LAB_STANDIN_IMAGE" "$LAB_REPO/test/standin/image"
}

# Deterministic fixture data, one dataset per stand-in worker, written by the stand-in image's
# python so the machine itself needs no python.
make_data() {
    local gen="$LAB_REPO/test/standin/gen_data.py" want i
    want=$(sha256sum "$gen" | cut -c1-16)
    if [[ "$(cat "$LAB_DIR/data/.hash" 2>/dev/null)" == "$want" ]]; then
        log "fixture data is current, skipped"
        return
    fi
    rm -rf "$LAB_DIR/data"
    mkdir -p "$LAB_DIR/data"
    for i in 1 2; do
        docker run --rm --network none -v "$gen:/gen_data.py:ro" -v "$LAB_DIR/data:/out" "$LAB_STANDIN_IMAGE" \
            python /gen_data.py --out "/out/worker-$i" --seed "$i"
    done
    echo "$want" >"$LAB_DIR/data/.hash"
}

main() {
    [[ $(id -u) == 0 ]] || die "run as root: the lab installs packages, starts dockerd and creates network namespaces"
    mkdir -p "$LAB_DIR"
    chmod 700 "$LAB_DIR"
    stage packages install_packages
    stage docker start_docker
    stage images build_images
    stage data make_data
    stage hosts bash "$LAB_REPO/test/lab/hosts.sh" up
    local i
    # One stage per host and step, so a slow engine start or image copy shows which.
    for i in $(existing_hosts | sort -n); do stage "engine h$i" engine_up "$i"; done
    for i in $(existing_hosts | sort -n); do stage "images h$i" engine_load "$i"; done
    print_times
    log "lab is up: $(wc -l <"$LAB_DIR/hosts") SSH hosts in $LAB_DIR/hosts; run: npx jest -c jest.lab.config.js"
}

main "$@"
