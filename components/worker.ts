import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { containerArgs, namedContainerOptions } from "../lib/container";
import { ContainerSpec } from "../model/containers";
import { childNames } from "../model/names";

export interface WorkerArgs {
    /** The container's exact arguments (model/containers.ts workerContainer). */
    container: ContainerSpec;
    /** Image ID (not tag) on the node, so that a rebuilt image replaces the container. */
    imageId: pulumi.Input<string>;
    /** PARWOP NODE_ID, unique in the cluster (e.g. worker-1). */
    workerId: string;
    /** This worker's URL, http://host:port, as the coordinator and the MQ messages reach it. */
    url: string;
}

/** One PARWOP worker, on the node whose Docker provider is passed in opts. */
export class Worker extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    public readonly workerId: string;
    public readonly url: string;

    constructor(name: string, args: WorkerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("parwop:index:Worker", name, {}, opts);
        this.container = new docker.Container(childNames(name).container, containerArgs(args.container, args.imageId), {
            parent: this,
            ...namedContainerOptions,
        });
        this.workerId = args.workerId;
        this.url = args.url;
        this.registerOutputs({ container: this.container, workerId: this.workerId, url: this.url });
    }
}
