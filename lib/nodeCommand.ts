import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { NodeAccess, sshOptions } from "../model/ssh";
import { customTimeouts } from "../model/timeouts";
import { shellLine, shellQuote } from "./scripts";

export type { NodeAccess } from "../model/ssh";

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
 * How a node's command is run from the machine running Pulumi, as data: none for a local node,
 * else the ssh client's words before the command and the shell text after it (lostNode).
 */
interface SshWrapping {
    /** ssh, its options, the port, `--` and user@host: the node's command follows as one word. */
    argv: (string | number)[];
    /** What follows the quoted command: the note on a lost connection. */
    suffix: string;
}

function sshWrapping(access: NodeAccess): SshWrapping | undefined {
    if (access.node.local) return undefined;
    const { node, ssh } = access;
    return { argv: ["ssh", ...sshOptions(ssh, node.hostKey), "-p", ssh.port, "--", `${ssh.user}@${node.host}`], suffix: lostNode(access) };
}

/**
 * The command line as run on the machine running Pulumi: the step itself for a local node, else
 * the system ssh client running it on the node, with the node's options (the same the docker
 * provider uses, so both share one multiplexed connection per node).
 */
export function commandLine(access: NodeAccess, create: string): string {
    const wrap = sshWrapping(access);
    return wrap === undefined ? create : `${shellLine([...wrap.argv, create])}${wrap.suffix}`;
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
    return new command.local.Command(
        name,
        {
            create: pulumi.output(args.create).apply((create) => commandLine(access, create)),
            stdin: args.stdin,
            triggers: args.triggers,
            interpreter: ["/bin/bash", "-c"],
        },
        pulumi.mergeOptions(opts, { customTimeouts: customTimeouts(args.timeoutSeconds) }),
    );
}
