import { RestartPolicy } from "../config/schema";
import { Settings } from "../config/settings";
import { Tier } from "../config/tiers";
import { PlacedNode, Placement } from "./placement";
import { brokerContainerPorts } from "./ports";

// Every container's exact arguments, as plain data; what only a deployment knows (the image ID,
// the broker's files with the admin's password) the components add.

export interface Label {
    label: string;
    value: string;
}

/** A docker container's arguments, as @pulumi/docker's Container takes them, less its image. */
export interface ContainerSpec {
    name: string;
    networkMode?: string;
    securityOpts?: string[];
    user?: string;
    /** MiB, as the provider takes it. */
    memory?: number;
    memorySwap?: number;
    cpus?: string;
    envs?: string[];
    volumes?: { hostPath: string; containerPath: string; readOnly: boolean }[];
    command?: string[];
    ports?: { internal: number; external: number }[];
    healthcheck?: { tests: string[]; interval: string; timeout: string; retries: number; startPeriod: string };
    restart: RestartPolicy;
    /** Seconds docker gives the container to stop before it kills it. */
    destroyGraceSeconds: number;
    labels: Label[];
}

/**
 * Seconds docker gives PARWOP to stop on destroy before it kills it. An idle role stops in 0.3 s;
 * a worker still holding a failed query's work ignores SIGTERM (CONTRACT.md) and would take the
 * whole grace, so it is short: every run's settle step (scripts/settle-worker.sh) clears such
 * work first anyway.
 */
export const destroyGraceSeconds = 10;

/**
 * Seconds the broker gets to stop before docker kills it. Its state dies with its container (no
 * volume: PARWOP's notifications are transient), and what a graceful stop does for it, closing
 * connections and the message stores, takes 30 ms; then RabbitMQ 3.10's management plugin waits
 * 5 s doing nothing (seen in its log on every stop), which every destroy and replace would pay.
 */
export const brokerStopSeconds = 2;

/** Where PARWOP spills inside the container: a bind mount, so spills hit the node's disk, not the container layer. */
export const dumpsMountPath = "/dumps";

/** Marks a container as this stack's, so another tier's preflight can tell whose it is. */
export function ownerLabels(stack: string): Label[] {
    return [{ label: "parwop.stack", value: stack }];
}

interface Role {
    containerName: string;
    port: number;
    codeDir: string;
}

/**
 * What both PARWOP roles share, as the original compose file had it: host network (no ports, no
 * hostname), seccomp unconfined, root, the tier's limits, the code read-only at /code and
 * uvicorn on the role's port.
 */
function parwopContainer(
    s: Settings,
    stack: string,
    role: Role,
    env: Record<string, string>,
    volumes: NonNullable<ContainerSpec["volumes"]> = [],
): ContainerSpec {
    const tier: Tier = s.tier;
    return {
        name: role.containerName,
        networkMode: "host",
        securityOpts: ["seccomp=unconfined"],
        user: "root",
        // The provider takes MiB. Swap equal to memory means no swap, so results stay memory-bound
        // (compose's default allowed as much swap again). A tier switch replaces the container
        // anyway: cpus and labels force a new one.
        memory: tier.memoryMiB,
        memorySwap: tier.memoryMiB,
        cpus: tier.cpusString,
        envs: Object.entries(env).map(([k, v]) => `${k}=${v}`),
        volumes: [{ hostPath: role.codeDir, containerPath: "/code", readOnly: true }, ...volumes],
        command: ["bash", "-c", `cd /code && python -u -m uvicorn parwop.server.main:app --host=0.0.0.0 --port=${role.port}`],
        restart: s.restartPolicy,
        destroyGraceSeconds,
        labels: [
            ...ownerLabels(stack),
            { label: "parwop.restart-generation", value: String(s.restartGeneration) },
            { label: "parwop.tier", value: tier.name },
        ],
    };
}

/** The PARWOP coordinator's container, on its node's host network. */
export function coordinatorContainer(s: Settings, p: Placement, stack: string): ContainerSpec {
    const env = {
        NODE_ID: "coordinator",
        IS_COORDINATOR: "True",
        COORDINATOR_ADDRESS: p.coordinator.url,
        RABBITMQ_HOST: p.broker.host,
        RABBITMQ_PORT: String(p.broker.amqpPort),
        // Only the coordinator gets MAX_CPU: PARWOP reads it as a string and never converts it,
        // and a worker uses it in min(MAX_CPU, files), which breaks on multi-file datasets.
        MAX_CPU: String(s.tier.cpus),
    };
    const role = { containerName: s.coordinator.containerName, port: s.coordinator.port, codeDir: p.coordinator.node.codeDir };
    return parwopContainer(s, stack, role, env);
}

/** One node's PARWOP worker container. */
export function workerContainer(s: Settings, p: Placement, stack: string, node: PlacedNode, url: string): ContainerSpec {
    // No MAX_CPU and no HEARTBEAT_*: PARWOP does arithmetic on them without converting the
    // string it gets from the environment, which breaks a worker (see the contract's traps).
    const env = {
        NODE_ID: node.workerId,
        IS_WORKER: "True",
        COORDINATOR_ADDRESS: p.coordinator.url,
        WORKER_ADDRESS: url,
        WORKER_EXTERNAL_ADDRESS: url,
        DUMPS_PATH: dumpsMountPath,
    };
    const volumes = [
        { hostPath: node.dataDir, containerPath: "/data", readOnly: true },
        { hostPath: node.dumpsDir, containerPath: dumpsMountPath, readOnly: false },
    ];
    return parwopContainer(s, stack, { containerName: node.containerName, port: node.workerPort, codeDir: node.codeDir }, env, volumes);
}

/** RabbitMQ on the node engine's default bridge, publishing its two ports. */
export function brokerContainer(s: Settings, stack: string): ContainerSpec {
    return {
        name: s.broker.containerName,
        ports: [
            { internal: brokerContainerPorts.amqp, external: s.broker.amqpPort },
            { internal: brokerContainerPorts.management, external: s.broker.managementPort },
        ],
        healthcheck: {
            tests: ["CMD", "rabbitmq-diagnostics", "-q", "ping"],
            interval: "10s",
            timeout: "10s",
            retries: 12,
            startPeriod: "20s",
        },
        // The health check is for `docker ps`; what the deploy waits for is the readiness step,
        // which ends when RabbitMQ listens instead of at the check's next 10 s tick.
        restart: s.restartPolicy,
        destroyGraceSeconds: brokerStopSeconds,
        labels: ownerLabels(stack),
    };
}
