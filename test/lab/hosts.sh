#!/usr/bin/env bash
# SSH test hosts: N network namespaces parwop-h1..hN, each with its own address on a private
# /24 (veth into a bridge whose address, .1, is this machine's end), its own hostname and its
# own sshd that lets root in with a key the lab generates. SSH fan-out to N nodes is then real,
# on one machine. The hosts share this machine's kernel (so a cache drop on any of them is a
# real write to /proc/sys/vm/drop_caches) and filesystem, but not its Docker engine: each host
# has its own (engines.sh), which `docker` in the host's ssh sessions reaches.
# Usage: bash test/lab/hosts.sh up | shrink N | down      (LAB_HOSTS=N, default 4)
set -euo pipefail
# shellcheck source=test/lab/engines.sh
source "$(dirname "${BASH_SOURCE[0]}")/engines.sh"

HOSTS_DIR="$LAB_HOSTS_DIR"

host_addr() { echo "$LAB_NET_PREFIX.$((10 + $1))"; }

# The machine's dockerd sets the FORWARD policy to DROP, and bridged frames pass through iptables
# (br_netfilter): without this rule the test hosts cannot reach each other (workers' heartbeats
# to the coordinator time out). Inserted once, removed by down.
FORWARD_RULE=(FORWARD -i "$LAB_BRIDGE" -o "$LAB_BRIDGE" -j ACCEPT)

ensure_bridge() {
    ip link show "$LAB_BRIDGE" >/dev/null 2>&1 || ip link add "$LAB_BRIDGE" type bridge
    ip -4 addr show dev "$LAB_BRIDGE" | grep -q "$LAB_NET_PREFIX.1/24" \
        || ip addr add "$LAB_NET_PREFIX.1/24" dev "$LAB_BRIDGE"
    ip link set "$LAB_BRIDGE" up
    iptables -C "${FORWARD_RULE[@]}" 2>/dev/null || iptables -I "${FORWARD_RULE[@]}"
}

remove_bridge() {
    while iptables -C "${FORWARD_RULE[@]}" 2>/dev/null; do iptables -D "${FORWARD_RULE[@]}"; done
    ip link del "$LAB_BRIDGE" 2>/dev/null || true
}

ensure_key() {
    [[ -f "$LAB_DIR/id_ed25519" ]] || ssh-keygen -q -t ed25519 -N "" -C parwop-lab -f "$LAB_DIR/id_ed25519"
    cp "$LAB_DIR/id_ed25519.pub" "$LAB_DIR/authorized_keys"
}

sshd_running() {
    local pidfile="$HOSTS_DIR/h$1/sshd.pid"
    [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

host_up() {
    local i="$1" ns="parwop-h$1" addr dir
    addr=$(host_addr "$i")
    dir=$(host_dir "$i")
    mkdir -p "$dir"
    ip netns list | grep -qw "$ns" || ip netns add "$ns"
    if ! ip link show "plh$i" >/dev/null 2>&1; then
        ip link add "plh$i" type veth peer name eth0 netns "$ns"
    fi
    ip link set "plh$i" master "$LAB_BRIDGE" up
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 up
    ip -n "$ns" -4 addr show dev eth0 | grep -q "$addr/24" || ip -n "$ns" addr add "$addr/24" dev eth0
    # No default route on purpose: a test host can reach only the lab network and itself.

    [[ -f "$dir/ssh_host_ed25519_key" ]] || ssh-keygen -q -t ed25519 -N "" -C "$ns" -f "$dir/ssh_host_ed25519_key"
    # UsePAM no keeps PAM session modules out of namespaced logins; it needs root's password
    # field not to be "!"-locked (Debian's default is "*"). StrictModes no: the checkout may sit
    # under a group-writable dir, and every file here is the lab's own. MaxStartups: fan-out
    # tests open many connections at once.
    cat >"$dir/sshd_config" <<EOF
ListenAddress $addr
Port 22
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
PermitRootLogin prohibit-password
AuthorizedKeysFile $LAB_DIR/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
MaxStartups 200:30:400
MaxSessions 200
Subsystem sftp internal-sftp
EOF
    if ! sshd_running "$i"; then
        mkdir -p /run/sshd
        /usr/sbin/sshd -t -f "$dir/sshd_config"
        # Own UTS namespace: `ssh root@ADDR hostname` names the host that answered. Own /run
        # (ip netns exec gives a mount namespace; the tmpfs does not reach the machine): in it
        # /var/run/docker.sock is this host's engine and the machine's engine is not there, so
        # a plain `docker` in a session, `docker system dial-stdio` for the Pulumi provider, and
        # anything that scrubs the environment (sudo, env -i) all reach this host's engine, as
        # on a real node. (sshd's SetEnv DOCKER_HOST would lose the last, and leave the
        # machine's engine one `-H` away.) The socket appears when engines.sh starts the engine.
        ip netns exec "$ns" unshare --uts sh -c "hostname $ns && mount -t tmpfs -o mode=755,size=16m $ns-run /run \
            && mkdir /run/sshd && ln -s '$(host_engine_socket "$i")' /run/docker.sock \
            && exec /usr/sbin/sshd -f '$dir/sshd_config' -E '$dir/sshd.log'"
    fi
}

host_down() {
    local i="$1" pidfile="$HOSTS_DIR/h$1/sshd.pid"
    engine_down "$i"
    if [[ -f "$pidfile" ]]; then
        kill "$(cat "$pidfile")" 2>/dev/null || true
        rm -f "$pidfile"
    fi
    # Deleting the namespace deletes its end of the veth pair, and with it the host end.
    ip netns del "parwop-h$i" 2>/dev/null || true
    ip link del "plh$i" 2>/dev/null || true
    rm -rf "${HOSTS_DIR:?}/h$i"
}

write_client_files() {
    local i addr
    : >"$LAB_DIR/hosts.tmp"
    : >"$LAB_DIR/known_hosts"
    for i in $(existing_hosts | sort -n); do
        addr=$(host_addr "$i")
        echo "$addr" >>"$LAB_DIR/hosts.tmp"
        echo "$addr $(cut -d' ' -f1,2 "$HOSTS_DIR/h$i/ssh_host_ed25519_key.pub")" >>"$LAB_DIR/known_hosts"
    done
    cat >"$LAB_DIR/ssh_config" <<EOF
# Written by test/lab/hosts.sh: use with ssh -F $LAB_DIR/ssh_config root@ADDR
Host $LAB_NET_PREFIX.*
    User root
    IdentityFile $LAB_DIR/id_ed25519
    IdentitiesOnly yes
    UserKnownHostsFile $LAB_DIR/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    BatchMode yes
    ConnectTimeout 5
EOF
    # Written last and atomically: its presence is what tests take as "the lab is up".
    mv "$LAB_DIR/hosts.tmp" "$LAB_DIR/hosts"
}

wait_ssh() {
    local addr tries
    while read -r addr; do
        for ((tries = 0; tries < 50; tries++)); do
            ssh -F "$LAB_DIR/ssh_config" "root@$addr" true 2>/dev/null && continue 2
            sleep 0.1
        done
        die "sshd on $addr does not answer (see $HOSTS_DIR/*/sshd.log)"
    done <"$LAB_DIR/hosts"
}

check_count() { [[ "$1" =~ ^[1-9][0-9]?$ && "$1" -le 80 ]] || die "the number of hosts must be 1..80, got '$1'"; }

# Brings hosts 1..LAB_HOSTS up and keeps any others that exist (an earlier LAB_HOSTS=5): a lab
# never loses a host without being told (shrink N does that).
up() {
    check_count "$LAB_HOSTS"
    mkdir -p "$HOSTS_DIR"
    ensure_key
    ensure_bridge
    local i
    for ((i = 1; i <= LAB_HOSTS; i++)); do host_up "$i"; done
    for i in $(existing_hosts); do
        ((i <= LAB_HOSTS)) || { log "keeping parwop-h$i (LAB_HOSTS=$LAB_HOSTS): bash test/lab/hosts.sh shrink $LAB_HOSTS removes it"; host_up "$i"; }
    done
    write_client_files
    wait_ssh
    log "$(wc -l <"$LAB_DIR/hosts") SSH hosts up: $(paste -sd' ' "$LAB_DIR/hosts")"
}

# Removes every host above N, with its engine and its containers.
shrink() {
    check_count "$1"
    local i
    for i in $(existing_hosts); do ((i <= $1)) || host_down "$i"; done
    write_client_files
    log "$(wc -l <"$LAB_DIR/hosts") SSH hosts left: $(paste -sd' ' "$LAB_DIR/hosts")"
}

down() {
    local i
    engines_down
    for i in $(stoppable_hosts); do host_down "$i"; done
    remove_bridge
    rm -rf "$HOSTS_DIR" "$LAB_DIR/hosts" "$LAB_DIR/known_hosts" "$LAB_DIR/ssh_config"
    log "SSH hosts down"
}

case "${1:-}" in
    up) up ;;
    shrink) shrink "${2:-}" ;;
    down) down ;;
    *) die "usage: $0 up | shrink N | down" ;;
esac
