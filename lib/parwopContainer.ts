import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { Tier } from "../config/tiers";

/** What both PARWOP roles' components take. */
export interface ParwopRoleArgs {
    /** Image ID (not tag) on the node, so that a rebuilt image replaces the container. */
    imageId: pulumi.Input<string>;
    /** Container name on its node (also the name `docker exec` uses). */
    containerName: string;
    /** Port uvicorn listens on, on the host network. */
    port: number;
    /** PARWOP code dir on the node, mounted read-only at /code. */
    codeDir: string;
    /** Resource tier: memory (MiB) and cpus of the container. */
    tier: Tier;
    /** Docker restart policy: no, on-failure, always or unless-stopped. */
    restartPolicy: string;
    /** Bumping it replaces the container: the equivalent of the original restart script. */
    restartGeneration: number;
}

/**
 * Options every container with a fixed name needs: the engine creates a replacement before it
 * deletes the old one, and docker refuses a second container of the same name (`Conflict. The
 * container name "/parwop-coordinator" is already in use`, seen on the first real replace).
 */
export const namedContainerOptions = { deleteBeforeReplace: true } as const;

/**
 * Seconds docker gives PARWOP to stop on destroy before it kills it. An idle role stops in 0.3 s;
 * a worker still holding a failed query's work ignores SIGTERM (CONTRACT.md) and would take the
 * whole grace, so it is short: every run's settle step (scripts/settle-worker.sh) clears such
 * work first anyway.
 */
export const destroyGraceSeconds = 10;

/**
 * Container arguments shared by both PARWOP roles, as the original compose file had them:
 * host network (no ports, no hostname), seccomp unconfined, root, the tier's limits,
 * the code read-only at /code and uvicorn on the role's port.
 */
export function parwopContainerArgs(
    role: ParwopRoleArgs,
    env: Record<string, string>,
    volumes: docker.types.input.ContainerVolume[] = [],
): docker.ContainerArgs {
    return {
        name: role.containerName,
        image: role.imageId,
        networkMode: "host",
        securityOpts: ["seccomp=unconfined"],
        user: "root",
        // The provider takes MiB. Swap equal to memory means no swap, so results stay memory-bound
        // (compose's default allowed as much swap again). A tier switch replaces the container
        // anyway: cpus and labels force a new one.
        memory: role.tier.memoryMiB,
        memorySwap: role.tier.memoryMiB,
        cpus: role.tier.cpusString,
        envs: Object.entries(env).map(([k, v]) => `${k}=${v}`),
        volumes: [{ hostPath: role.codeDir, containerPath: "/code", readOnly: true }, ...volumes],
        command: ["bash", "-c", `cd /code && python -u -m uvicorn parwop.server.main:app --host=0.0.0.0 --port=${role.port}`],
        restart: role.restartPolicy,
        destroyGraceSeconds,
        labels: [
            ...ownerLabels(),
            { label: "parwop.restart-generation", value: String(role.restartGeneration) },
            { label: "parwop.tier", value: role.tier.name },
        ],
    };
}

/** Marks a container as this stack's, so another tier's preflight can tell whose it is. */
export function ownerLabels(): docker.types.input.ContainerLabel[] {
    return [{ label: "parwop.stack", value: pulumi.getStack() }];
}
