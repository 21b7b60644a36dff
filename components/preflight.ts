import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { NodeAccess, nodeCommand } from "../lib/nodeCommand";
import { render } from "../lib/scripts";
import { childNames } from "../model/names";
import { BashStep } from "../model/steps";

export { minimumMemoryBytes } from "../model/steps";

export interface PreflightArgs {
    /** How to reach the node. */
    access: NodeAccess;
    /** The check (model/steps.ts preflightStep): the tier's RAM and CPUs, the containers that must not belong to another stack. */
    step: BashStep;
}

/** Checks one node before anything is deployed there; a failure names the node and every reason. */
export class Preflight extends pulumi.ComponentResource {
    public readonly command: command.local.Command;

    constructor(name: string, args: PreflightArgs, opts?: pulumi.ComponentResourceOptions) {
        super("parwop:index:Preflight", name, {}, opts);
        const step = render(args.step);
        this.command = nodeCommand(childNames(name).check, args.access, step, { parent: this });
        this.registerOutputs({ command: this.command });
    }
}
