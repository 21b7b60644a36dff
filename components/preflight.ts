import * as pulumi from "@pulumi/pulumi";
import { Tier } from "../config/tiers";
import * as command from "@pulumi/command";
import { NodeAccess, nodeCommand } from "../lib/nodeCommand";
import { bashOnNode, readScript } from "../lib/scripts";

export interface PreflightArgs {
    /** How to reach the node. */
    access: NodeAccess;
    /** The node must have at least this tier's RAM (less 5%) and CPUs. */
    tier: Tier;
    /** The containers this stack puts on the node: they must not belong to another stack. */
    containers: string[];
}

/**
 * A node's MemTotal is a little under its installed RAM (the kernel keeps some): a 32 GiB
 * machine must pass the 32 GiB tier, so the check allows 5% less.
 */
export function minimumMemoryBytes(tier: Tier): number {
    return Math.floor(tier.ramGiB * 2 ** 30 * 0.95);
}

/** Checks one node before anything is deployed there; a failure names the node and every reason. */
export class Preflight extends pulumi.ComponentResource {
    public readonly command: command.local.Command;

    constructor(name: string, args: PreflightArgs, opts?: pulumi.ComponentResourceOptions) {
        super("parwop:index:Preflight", name, {}, opts);
        const node = args.access.node;
        this.command = nodeCommand(
            `${name}-check`,
            args.access,
            {
                create: bashOnNode(120, [
                    "--node",
                    node.name,
                    "--data-dir",
                    node.dataDir,
                    "--code-dir",
                    node.codeDir,
                    "--min-memory-bytes",
                    minimumMemoryBytes(args.tier),
                    "--min-cpus",
                    args.tier.cpus,
                    // Remote engines are reached through `docker system dial-stdio` on the node.
                    ...(node.local ? [] : ["--docker-host-check"]),
                    "--stack",
                    pulumi.getStack(),
                    "--containers",
                    args.containers.join(","),
                    // Reported, never cleaned: PARWOP's spill files are not this program's to delete.
                    "--dumps-dir",
                    node.dumpsDir,
                ]),
                stdin: readScript("preflight.sh"),
                timeoutSeconds: 180,
            },
            { parent: this },
        );
        this.registerOutputs({ command: this.command });
    }
}
