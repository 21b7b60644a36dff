import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { Tier } from "../config/tiers";

/** What differs between the coordinator and a worker container. */
export interface ParwopContainerSpec {
    /** Container name on its node (also the name `docker exec` uses). */
    name: string;
    /** Image ID (not tag), so that a rebuilt image replaces the container. */
    imageId: pulumi.Input<string>;
    /** Port uvicorn listens on, on the host network. */
    port: number;
    /** PARWOP environment, as KEY -> value strings. */
    env: Record<string, string>;
    /** PARWOP code dir on the node, mounted read-only at /code. */
    codeDir: string;
    /** Extra bind mounts (data read-only, dumps read-write). */
    volumes: docker.types.input.ContainerVolume[];
    tier: Tier;
    restartPolicy: string;
    /** Bumping it replaces the container: the equivalent of the original restart script. */
    restartGeneration: number;
}

/** Seconds docker gives PARWOP to stop on destroy before it kills it. */
export const destroyGraceSeconds = 30;

/**
 * Container arguments shared by both PARWOP roles, as the original compose file had them:
 * host network (no ports, no hostname), seccomp unconfined, root, the tier's limits,
 * the code read-only at /code and uvicorn on the role's port.
 */
export function parwopContainerArgs(spec: ParwopContainerSpec): docker.ContainerArgs {
    return {
        name: spec.name,
        image: spec.imageId,
        networkMode: "host",
        securityOpts: ["seccomp=unconfined"],
        user: "root",
        // The provider takes MiB. Swap equal to memory means no swap, so results stay memory-bound
        // (compose's default allowed as much swap again). A tier switch replaces the container
        // anyway: cpus and labels force a new one.
        memory: spec.tier.memoryMiB,
        memorySwap: spec.tier.memoryMiB,
        cpus: spec.tier.cpusString,
        envs: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        volumes: [{ hostPath: spec.codeDir, containerPath: "/code", readOnly: true }, ...spec.volumes],
        command: ["bash", "-c", `cd /code && python -u -m uvicorn parwop.server.main:app --host=0.0.0.0 --port=${spec.port}`],
        restart: spec.restartPolicy,
        destroyGraceSeconds,
        labels: [
            { label: "parwop.restart-generation", value: String(spec.restartGeneration) },
            { label: "parwop.tier", value: spec.tier.name },
        ],
    };
}
