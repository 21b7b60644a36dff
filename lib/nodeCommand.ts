import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { NodeSettings } from "../config/settings";
import { SshSettings, sshOptions } from "./nodeProvider";
import { shellLine, shellQuote } from "./scripts";

/** How commands reach one node: through the system ssh client, or here for a local (dev) node. */
export interface NodeAccess {
    node: NodeSettings;
    ssh: SshSettings;
}

export interface NodeCommandArgs {
    /** The command line on the node. */
    create: pulumi.Input<string>;
    /** The script it reads on stdin. */
    stdin: pulumi.Input<string>;
    /** Named values whose change re-runs the command. */
    triggers?: pulumi.Input<unknown[]>;
    /** Bound of the whole command, in seconds, including the ssh session: past it the provider kills it. */
    timeoutSeconds: number;
}

/**
 * The command line as run on the machine running Pulumi: the step itself for a local node, else
 * the system ssh client running it on the node, with the node's options (the same the docker
 * provider uses, so both share one multiplexed connection per node).
 */
export function commandLine(access: NodeAccess, create: string): string {
    if (access.node.local) return create;
    const { node, ssh } = access;
    return `${shellLine(["ssh", ...sshOptions(ssh, node.hostKey), "-p", ssh.port, "--", `${ssh.user}@${node.host}`, create])}${lostNode(access)}`;
}

/**
 * Says which node when ssh itself fails (exit 255). With ControlPersist the connection belongs
 * to a background master whose messages go nowhere, so a lost link would otherwise end the
 * command with exit 255 and no word (found by test/lab/deadlink.test.ts).
 */
function lostNode({ node, ssh }: NodeAccess): string {
    const note = `node ${node.name} (${ssh.user}@${node.host}:${ssh.port}): ssh exited 255: the connection to the node failed or was lost`;
    return ` || { rc=$?; [ "$rc" -ne 255 ] || echo ${shellQuote(note)} >&2; exit "$rc"; }`;
}

/**
 * One command on one node. Always a local command: the command provider kills a local process
 * when its customTimeouts expire (exec.CommandContext), whereas its remote sessions ignore them
 * and have no keepalive (pulumi-command v1.2.1, remote/commandOutputs.go: session.Run without
 * the context), so a dead link or node would hang the update.
 */
export function nodeCommand(
    name: string,
    access: NodeAccess,
    args: NodeCommandArgs,
    opts: pulumi.CustomResourceOptions,
): command.local.Command {
    const bound = `${args.timeoutSeconds}s`;
    return new command.local.Command(
        name,
        {
            create: pulumi.output(args.create).apply((create) => commandLine(access, create)),
            stdin: args.stdin,
            triggers: args.triggers,
            interpreter: ["/bin/bash", "-c"],
        },
        pulumi.mergeOptions(opts, { customTimeouts: { create: bound, update: bound, delete: bound } }),
    );
}

/** The command on the node inside a line commandLine() made for it; undefined when the line is not one. */
export function commandOnNode(access: NodeAccess, line: string): string | undefined {
    if (access.node.local) return line;
    const suffix = lostNode(access);
    const prefix = commandLine(access, "").slice(0, -suffix.length);
    const quoted = prefix.endsWith(" ''") ? prefix.slice(0, -2) : undefined;
    if (quoted === undefined || !line.startsWith(quoted) || !line.endsWith(suffix)) return undefined;
    const rest = line.slice(quoted.length, -suffix.length);
    // shellQuote leaves plain words bare and puts the rest in '…' with ' written as '\''.
    return rest.startsWith("'") && rest.endsWith("'") ? rest.slice(1, -1).replace(/'\\''/g, "'") : rest;
}
