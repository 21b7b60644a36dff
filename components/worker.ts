import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { namedContainerOptions, parwopContainerArgs, ParwopRoleArgs } from "../lib/parwopContainer";

export interface WorkerArgs extends ParwopRoleArgs {
    /** PARWOP NODE_ID, unique in the cluster (e.g. worker-1). */
    workerId: string;
    /** This worker's URL, http://host:port, as the coordinator and the MQ messages reach it. */
    url: string;
    /** The coordinator's URL. */
    coordinatorUrl: string;
    /** Node-local dataset dir (mounted read-only at /data). */
    dataDir: string;
    /** Node-local spill dir for PARWOP's dumps (mounted read-write at /dumps). */
    dumpsDir: string;
}

/** Where PARWOP spills inside the container: a bind mount, so spills hit the node's disk, not the container layer. */
export const dumpsMountPath = "/dumps";

/** One PARWOP worker, on the node whose Docker provider is passed in opts. */
export class Worker extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    public readonly workerId: string;
    public readonly url: string;

    constructor(name: string, args: WorkerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("parwop:index:Worker", name, {}, opts);
        // No MAX_CPU and no HEARTBEAT_*: PARWOP does arithmetic on them without converting the
        // string it gets from the environment, which breaks a worker (see the contract's traps).
        const env = {
            NODE_ID: args.workerId,
            IS_WORKER: "True",
            COORDINATOR_ADDRESS: args.coordinatorUrl,
            WORKER_ADDRESS: args.url,
            WORKER_EXTERNAL_ADDRESS: args.url,
            DUMPS_PATH: dumpsMountPath,
        };
        const volumes = [
            { hostPath: args.dataDir, containerPath: "/data", readOnly: true },
            { hostPath: args.dumpsDir, containerPath: dumpsMountPath, readOnly: false },
        ];
        this.container = new docker.Container(`${name}-container`, parwopContainerArgs(args, env, volumes), {
            parent: this,
            ...namedContainerOptions,
        });
        this.workerId = args.workerId;
        this.url = args.url;
        this.registerOutputs({ container: this.container, workerId: this.workerId, url: this.url });
    }
}
