import * as pulumi from "@pulumi/pulumi";
import { HealthGateConfig } from "../config/experiment";
import * as command from "@pulumi/command";
import { NodeAccess, nodeCommand } from "../lib/nodeCommand";
import { pythonInContainer, readScript } from "../lib/scripts";

export interface HealthGateArgs {
    /** The coordinator's node. */
    access: NodeAccess;
    /** Coordinator container name: the gate runs inside it, where Python and the loopback API are. */
    coordinatorContainer: string;
    coordinatorPort: number;
    /** Every worker id that must heartbeat. */
    workerIds: string[];
    config: HealthGateConfig;
    /** The cluster's identity (a digest of its container IDs): a redeployed cluster is checked again. */
    cluster: pulumi.Input<string>;
}

/** Waits until the coordinator lists every worker with a fresh heartbeat; fails naming the missing ones. */
export class HealthGate extends pulumi.ComponentResource {
    public readonly command: command.local.Command;

    constructor(name: string, args: HealthGateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("parwop:index:HealthGate", name, {}, opts);
        this.command = nodeCommand(
            `${name}-wait`,
            args.access,
            {
                create: pythonInContainer(args.coordinatorContainer, args.config.timeoutSeconds + 30, [
                    "--url",
                    `http://127.0.0.1:${args.coordinatorPort}`,
                    "--workers",
                    args.workerIds.join(","),
                    "--timeout",
                    args.config.timeoutSeconds,
                    "--max-age",
                    args.config.maxHeartbeatAgeSeconds,
                    "--interval",
                    2,
                    // A replaced worker's last beat may still look fresh: require one after the deploy.
                    "--since-start",
                ]),
                stdin: readScript("health_gate.py"),
                triggers: [{ cluster: args.cluster }],
                // The gate's own bound, plus the ssh session and docker exec around it.
                timeoutSeconds: args.config.timeoutSeconds + 150,
            },
            { parent: this },
        );
        this.registerOutputs({ command: this.command });
    }
}
