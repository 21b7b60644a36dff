import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { NodeAccess, nodeCommand } from "../lib/nodeCommand";
import { render } from "../lib/scripts";
import { childNames } from "../model/names";
import { PythonStep } from "../model/steps";

export interface HealthGateArgs {
    /** The coordinator's node. */
    access: NodeAccess;
    /** The wait (model/steps.ts healthGateStep), inside the coordinator's container, where Python and the loopback API are. */
    step: PythonStep;
    /** The cluster's identity (a digest of its container IDs): a redeployed cluster is checked again. */
    cluster: pulumi.Input<string>;
}

/** Waits until the coordinator lists every worker with a fresh heartbeat; fails naming the missing ones. */
export class HealthGate extends pulumi.ComponentResource {
    public readonly command: command.local.Command;

    constructor(name: string, args: HealthGateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("parwop:index:HealthGate", name, {}, opts);
        const step = render(args.step);
        this.command = nodeCommand(
            childNames(name).wait,
            args.access,
            { ...step, triggers: [{ cluster: args.cluster }] },
            { parent: this },
        );
        this.registerOutputs({ command: this.command });
    }
}
