import { NodeSettings, Settings } from "../config/settings";
import { digestText } from "./digest";

export type SshSettings = Settings["ssh"];

/**
 * Options for the system ssh client, which both the docker provider and the node commands use
 * (your agent and ~/.ssh keys). Multiplexing keeps 8+ nodes' parallel calls to one TCP
 * connection each; BatchMode fails instead of prompting; keepalives end a session whose link
 * died within about 15 s instead of hanging the update. With strict checking the node's
 * hostKey from the inventory is the only key trusted (KnownHostsCommand, OpenSSH 8.5+).
 */
export function sshOptions(ssh: SshSettings, hostKey?: string): string[] {
    return sshOptionList(ssh, hostKey).flatMap((o) => ["-o", o]);
}

/**
 * Where the multiplexed connection to a node lives. It names the host key the connection was
 * verified with: a connection opened before the inventory's key changed is never reused, so a
 * changed key is always checked (with one socket per host, an open master skipped the check).
 */
export function controlPath(hostKey?: string): string {
    return hostKey === undefined ? "~/.ssh/parwop-%C" : `~/.ssh/parwop-%C-${digestText(hostKey).slice(0, 8)}`;
}

function sshOptionList(ssh: SshSettings, hostKey?: string): string[] {
    const trust =
        ssh.hostKeyChecking === "strict"
            ? [
                  "StrictHostKeyChecking=yes",
                  "UserKnownHostsFile=/dev/null",
                  "GlobalKnownHostsFile=/dev/null",
                  `KnownHostsCommand=/bin/echo %H ${hostKey}`,
              ]
            : ["StrictHostKeyChecking=no", "UserKnownHostsFile=/dev/null"];
    const opts = [
        "BatchMode=yes",
        "ConnectTimeout=15",
        "ServerAliveInterval=5",
        "ServerAliveCountMax=3",
        "ControlMaster=auto",
        `ControlPath=${controlPath(ssh.hostKeyChecking === "strict" ? hostKey : undefined)}`,
        "ControlPersist=120",
        ...trust,
    ];
    return opts;
}

/** How commands reach one node: through the system ssh client, or here for a local (dev) node. */
export interface NodeAccess {
    node: NodeSettings;
    ssh: SshSettings;
}
