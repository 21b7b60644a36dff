import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { containerArgs, namedContainerOptions } from "../lib/container";
import { ContainerSpec } from "../model/containers";
import { childNames } from "../model/names";

export interface CoordinatorArgs {
    /** The container's exact arguments (model/containers.ts coordinatorContainer). */
    container: ContainerSpec;
    /** Image ID (not tag) on the node, so that a rebuilt image replaces the container. */
    imageId: pulumi.Input<string>;
    /** The coordinator's own URL, http://host:port: workers send heartbeats there. */
    url: string;
}

/** The PARWOP coordinator: one per cluster, on the node whose Docker provider is passed in opts. */
export class Coordinator extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    public readonly url: string;

    constructor(name: string, args: CoordinatorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("parwop:index:Coordinator", name, {}, opts);
        this.container = new docker.Container(childNames(name).container, containerArgs(args.container, args.imageId), {
            parent: this,
            ...namedContainerOptions,
        });
        this.url = args.url;
        this.registerOutputs({ container: this.container, url: this.url });
    }
}
