import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
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

/** The Docker engine of one node: everything placed on a node goes through its own provider. */
export function dockerProvider(name: string, node: NodeSettings, ssh: SshSettings, opts: pulumi.CustomResourceOptions): docker.Provider {
    if (node.dockerHost === "") {
        // An empty host silently means "the local engine": never let a node land there by accident.
        throw new Error(`node ${node.name} has an empty Docker host`);
    }
    return new docker.Provider(name, { host: node.dockerHost, sshOpts: node.local ? undefined : sshOptions(ssh, node.hostKey) }, opts);
}

/**
 * Whether every node's engine answers through its provider (over its SSH, for a remote node): one
 * read per node on every preview and up, which changes nothing. What creates, replaces or deletes
 * anything on any node waits for the answer, so a dead engine or a refused host key stops the
 * update in seconds, naming every such node, before a single container is touched (without it the
 * real engine tore the other nodes' containers down first and failed at that node's).
 *
 * `verdict` rejects with one RunError naming every node that did not answer; left unhandled, the
 * program's own handler reports it once, without a stack. `answered` never settles then: what
 * waits for it is never registered, and the program ends (a rejection passed on to the resources
 * would reach the user wrapped in "error serializing property …" a dozen times).
 */
export function enginesAnswer(
    nodes: { where: string; node: NodeSettings; provider: docker.Provider }[],
    parent: pulumi.Resource,
): { verdict: Promise<void>; answered: Promise<void> } {
    const asked = Promise.allSettled(nodes.map(({ provider }) => docker.getNetwork({ name: "host" }, { provider, parent })));
    const verdict = asked.then((results) => {
        const problems = results.flatMap((r, i) =>
            r.status === "rejected"
                ? [engineProblem(nodes[i].where, nodes[i].node, r.reason instanceof Error ? r.reason.message : String(r.reason))]
                : [],
        );
        if (problems.length > 0) throw new pulumi.RunError(problems.join("\n    "));
    });
    // From the answers, not from the verdict: a handler on the verdict would mark it handled.
    const answered = asked.then((results) =>
        results.every((r) => r.status === "fulfilled") ? undefined : new Promise<void>(() => undefined),
    );
    return { verdict, answered };
}

/** One line for a node whose engine did not answer: which node, and what to do. */
export function engineProblem(where: string, node: NodeSettings, error: string): string {
    const said = error.replace(/\s+/g, " ").trim();
    if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/.test(said)) {
        return `${where}.hostKey of node ${node.name} is not the key ${node.host} presents (ssh refused it): check it with ssh-keyscan -t ed25519 ${node.host} and put the key, without the host name, there`;
    }
    // The provider's own words from the first that says what failed, to the end of that sentence.
    const cause =
        /((?:Error pinging Docker server|Cannot connect to the Docker daemon|Connection closed|Permission denied|connection refused|timed out|No route to host).*?)(?:\.\s|\.?$)/i.exec(
            said,
        );
    return `node ${node.name} (${node.dockerHost}): its Docker engine does not answer, so nothing was changed on any node: ${cause ? cause[1] : said.slice(0, 300)}`;
}
