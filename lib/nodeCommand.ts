import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { NodeSettings } from "../config/settings";

/** How commands reach one node: over SSH, or on this machine for a local (dev) node. */
export interface NodeAccess {
    node: NodeSettings;
    /** SSH connection for remote nodes (undefined for local ones). */
    connection?: command.types.input.remote.ConnectionArgs;
}

export interface NodeCommandArgs {
    create: pulumi.Input<string>;
    stdin?: pulumi.Input<string>;
    triggers?: pulumi.Input<unknown[]>;
}

/** Output of a command resource, whichever kind it is. */
export type NodeCommand = command.remote.Command | command.local.Command;

/** One command on one node: remote over SSH, or local where the node is this machine. */
export function nodeCommand(name: string, access: NodeAccess, args: NodeCommandArgs, opts: pulumi.CustomResourceOptions): NodeCommand {
    const common = {
        create: args.create,
        stdin: args.stdin,
        triggers: args.triggers,
        logging: "stdoutAndStderr" as const,
        // Otherwise an update sends PULUMI_COMMAND_STDOUT/STDERR over SSH, which sshd refuses without AcceptEnv.
        addPreviousOutputInEnv: false,
    };
    if (access.node.local) {
        return new command.local.Command(name, { ...common, interpreter: ["/bin/bash", "-c"] }, opts);
    }
    if (access.connection === undefined) {
        throw new Error(`node ${access.node.name} is remote but has no SSH connection`);
    }
    return new command.remote.Command(name, { ...common, connection: access.connection }, opts);
}
