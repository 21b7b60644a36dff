import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { NodeSettings, Settings } from "../config/settings";

export type SshSettings = Settings["ssh"];

/**
 * Options for the system ssh client, which both the docker provider and the node commands use
 * (your agent and ~/.ssh keys). Multiplexing keeps 8+ nodes' parallel calls to one TCP
 * connection each; BatchMode fails instead of prompting; keepalives end a session whose link
 * died within about 15 s instead of hanging the update. With strict checking the node's
 * hostKey from the inventory is the only key trusted (KnownHostsCommand, OpenSSH 8.5+).
 */
export function sshOptions(ssh: SshSettings, hostKey?: string): string[] {
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
        "ControlPath=~/.ssh/parwop-%C",
        "ControlPersist=120",
        ...trust,
    ];
    return opts.flatMap((o) => ["-o", o]);
}

/** The Docker engine of one node: everything placed on a node goes through its own provider. */
export function dockerProvider(name: string, node: NodeSettings, ssh: SshSettings, opts: pulumi.CustomResourceOptions): docker.Provider {
    if (node.dockerHost === "") {
        // An empty host silently means "the local engine": never let a node land there by accident.
        throw new Error(`node ${node.name} has an empty Docker host`);
    }
    return new docker.Provider(name, { host: node.dockerHost, sshOpts: node.local ? undefined : sshOptions(ssh, node.hostKey) }, opts);
}
