import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { NodeSettings, Settings } from "../config/settings";

/**
 * ssh options for the docker provider, which runs the system ssh client (your agent and keys).
 * Multiplexing keeps 8+ nodes' parallel engine calls to one TCP connection each; BatchMode fails
 * instead of prompting. With strict checking the node's hostKey from the inventory is the only
 * key trusted (KnownHostsCommand, OpenSSH 8.5+), the same key the command resources check.
 */
export function dockerSshOpts(hostKeyChecking: "strict" | "off", hostKey?: string): string[] {
    const trust =
        hostKeyChecking === "strict"
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
        "ServerAliveInterval=15",
        "ControlMaster=auto",
        "ControlPath=~/.ssh/parwop-%C",
        "ControlPersist=120",
        ...trust,
    ];
    return opts.flatMap((o) => ["-o", o]);
}

/** The Docker engine of one node: everything placed on a node goes through its own provider. */
export function dockerProvider(name: string, node: NodeSettings, settings: Settings, opts: pulumi.CustomResourceOptions): docker.Provider {
    if (node.dockerHost === "") {
        // An empty host silently means "the local engine": never let a node land there by accident.
        throw new Error(`node ${node.name} has an empty Docker host`);
    }
    return new docker.Provider(
        name,
        { host: node.dockerHost, sshOpts: node.local ? undefined : dockerSshOpts(settings.ssh.hostKeyChecking, node.hostKey) },
        opts,
    );
}

/** The SSH connection a remote command uses; the key stays a secret, the host key is checked when strict. */
export function sshConnection(
    node: NodeSettings,
    settings: Settings,
    privateKey: pulumi.Output<string> | undefined,
): command.types.input.remote.ConnectionArgs | undefined {
    if (node.local) return undefined;
    return {
        host: node.host,
        port: settings.ssh.port,
        user: settings.ssh.user,
        // Without a key in config the provider uses the ssh agent (SSH_AUTH_SOCK).
        privateKey,
        hostKey: settings.ssh.hostKeyChecking === "strict" ? node.hostKey : undefined,
        dialErrorLimit: 10,
        perDialTimeout: 15,
    };
}
