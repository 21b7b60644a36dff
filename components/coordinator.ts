import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { namedContainerOptions, parwopContainerArgs, ParwopRoleArgs } from "../lib/parwopContainer";

export interface CoordinatorArgs extends ParwopRoleArgs {
    /** The coordinator's own URL, http://host:port: workers send heartbeats there. */
    url: string;
    /** Broker host and AMQP port, as PARWOP's RABBITMQ_HOST / RABBITMQ_PORT. */
    rabbitmqHost: string;
    rabbitmqPort: number;
}

/** The PARWOP coordinator: one per cluster, on the node whose Docker provider is passed in opts. */
export class Coordinator extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    public readonly url: string;

    constructor(name: string, args: CoordinatorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("parwop:index:Coordinator", name, {}, opts);
        const env = {
            NODE_ID: "coordinator",
            IS_COORDINATOR: "True",
            COORDINATOR_ADDRESS: args.url,
            RABBITMQ_HOST: args.rabbitmqHost,
            RABBITMQ_PORT: String(args.rabbitmqPort),
            // Only the coordinator gets MAX_CPU: PARWOP reads it as a string and never converts it,
            // and a worker uses it in min(MAX_CPU, files), which breaks on multi-file datasets.
            MAX_CPU: String(args.tier.cpus),
        };
        this.container = new docker.Container(`${name}-container`, parwopContainerArgs(args, env), {
            parent: this,
            ...namedContainerOptions,
        });
        this.url = args.url;
        this.registerOutputs({ container: this.container, url: this.url });
    }
}
