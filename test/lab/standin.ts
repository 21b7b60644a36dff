/**
 * Starts a PARWOP STAND-IN cluster (test/standin: a test fixture, not PARWOP) in the lab: one
 * coordinator and N workers on the host network, each with its own port, the contract's env
 * vars and command, code at /code and data at /data read-only. For the lab's own tests and for
 * the driver / health-gate tests.
 */
import { join } from "path";
import { evaluateStack, one } from "./program";
import { DeclaredContainer } from "./declared";
import {
    Broker,
    freePort,
    images,
    labDir,
    labHostAddress,
    removeContainers,
    repoRoot,
    run,
    startDeclared,
    uniqueName,
    waitFor,
} from "./lab";

export const standinCode = join(repoRoot, "test", "standin", "code");

export interface StandinWorker {
    id: string;
    container: string;
    url: string;
}

export interface StandinCluster {
    coordinator: { container: string; url: string };
    workers: StandinWorker[];
    heartbeatInterval: number;
    stop(): Promise<void>;
}

/** The settings index.ts declares for a PARWOP worker in the dev stack (read through mocks, once). */
let devWorker: Promise<DeclaredContainer> | undefined;
function declaredDevWorker(): Promise<DeclaredContainer> {
    devWorker ??= evaluateStack("dev").then((ev) => one(ev, "parwop-dev-1-worker-container").inputs as unknown as DeclaredContainer);
    return devWorker;
}

/** A stand-in container with the program's declared settings (network, limits, security, user); only names, ports, env and paths are the test's. */
async function parwopContainer(
    name: string,
    port: number,
    envs: string[],
    volumes: DeclaredContainer["volumes"],
): Promise<DeclaredContainer> {
    const { networkMode, memory, memorySwap, cpus, securityOpts, user, command } = await declaredDevWorker();
    return {
        name,
        image: images.standin,
        networkMode,
        memory,
        memorySwap,
        cpus,
        securityOpts,
        user,
        envs,
        volumes: [{ hostPath: standinCode, containerPath: "/code", readOnly: true }, ...(volumes ?? [])],
        // The declared uvicorn command, on this test's free port.
        command: command?.map((word) => word.replace(/--port=\d+/, `--port=${port}`)),
    };
}

/**
 * Worker i uses the fixture dataset .lab/data/worker-i (up.sh makes worker-1 and worker-2).
 * Addresses are on the lab network, as a multi-node lab's would be.
 */
export async function startStandinCluster(opts: {
    workers: number;
    broker: Broker;
    heartbeatInterval?: number;
    /** Start each worker only once the one before is in the coordinator's status (it registered later). */
    staggered?: boolean;
    /** A host dir per worker, `<dumpsDir>/worker-i`, mounted at /dumps with DUMPS_PATH=/dumps. */
    dumpsDir?: string;
}): Promise<StandinCluster> {
    const interval = opts.heartbeatInterval ?? 1;
    const coordPort = await freePort();
    const coordinatorUrl = `http://${labHostAddress}:${coordPort}`;
    const coordinator = await parwopContainer(
        uniqueName("coordinator"),
        coordPort,
        [
            "NODE_ID=coordinator",
            "IS_COORDINATOR=True",
            `COORDINATOR_ADDRESS=${coordinatorUrl}`,
            `RABBITMQ_HOST=${labHostAddress}`,
            `RABBITMQ_PORT=${opts.broker.amqpPort}`,
            // MAX_CPU on the coordinator only, as the contract says.
            "MAX_CPU=1",
            `HEARTBEAT_INTERVAL=${interval}`,
        ],
        [],
    );
    const workers: StandinWorker[] = [];
    const declared: DeclaredContainer[] = [coordinator];
    for (let i = 1; i <= opts.workers; i++) {
        const port = await freePort();
        const w = { id: `worker-${i}`, container: uniqueName(`worker-${i}`), url: `http://${labHostAddress}:${port}` };
        workers.push(w);
        declared.push(
            await parwopContainer(
                w.container,
                port,
                [
                    `NODE_ID=${w.id}`,
                    "IS_WORKER=True",
                    `COORDINATOR_ADDRESS=${coordinatorUrl}`,
                    `WORKER_ADDRESS=${w.url}`,
                    `WORKER_EXTERNAL_ADDRESS=${w.url}`,
                    `HEARTBEAT_INTERVAL=${interval}`,
                    ...(opts.dumpsDir ? ["DUMPS_PATH=/dumps"] : []),
                ],
                [
                    { hostPath: join(labDir, "data", `worker-${((i - 1) % 2) + 1}`), containerPath: "/data", readOnly: true },
                    ...(opts.dumpsDir ? [{ hostPath: join(opts.dumpsDir, w.id), containerPath: "/dumps", readOnly: false }] : []),
                ],
            ),
        );
    }
    const names = declared.map((d) => d.name);
    await removeContainers(...names);
    for (const [i, d] of declared.entries()) {
        if (opts.staggered && i > 1) {
            const before = workers[i - 2].id;
            await waitFor(`${before} in the coordinator's status`, 60_000, async () =>
                (await heartbeatStatus(coordinatorUrl).catch(() => undefined))?.nodes[before] ? true : undefined,
            );
        }
        await startDeclared(d);
    }
    return {
        coordinator: { container: coordinator.name, url: coordinatorUrl },
        workers,
        heartbeatInterval: interval,
        stop: () => removeContainers(...names),
    };
}

export interface HeartbeatStatus {
    nodes: Record<string, { node_id: string; address: string; external_address: string; last_heartbeat: number; is_active: boolean }>;
    rabbitmq: { host: string; port: number | string };
}

export async function heartbeatStatus(coordinatorUrl: string): Promise<HeartbeatStatus> {
    const res = await fetch(`${coordinatorUrl}/coordinator/heartbeat/status/`);
    if (res.status !== 200) throw new Error(`status endpoint answered ${res.status}`);
    return (await res.json()) as HeartbeatStatus;
}

/**
 * Waits as the health gate does until every worker knows every other: each has heartbeated after
 * the last one appeared (a worker learns its peers only from its own heartbeat's reply).
 */
export async function waitPeersKnown(cluster: StandinCluster): Promise<void> {
    const first: Record<string, number> = {};
    await waitFor("every worker heartbeating after the last one appeared", 60_000, async () => {
        const { nodes } = await heartbeatStatus(cluster.coordinator.url);
        for (const w of cluster.workers) if (nodes[w.id] && !(w.id in first)) first[w.id] = nodes[w.id].last_heartbeat;
        if (Object.keys(first).length < cluster.workers.length) return undefined;
        const last = Math.max(...Object.values(first));
        return cluster.workers.every((w) => nodes[w.id].last_heartbeat > last) ? true : undefined;
    });
}

/** Runs a Python script with the stand-in's `parwop` package inside a container, fed on stdin. */
export function pythonIn(container: string, script: string, env: string[] = []): Promise<string> {
    const envArgs = env.flatMap((e) => ["-e", e]);
    return run("docker", ["exec", "-i", ...envArgs, container, "bash", "-c", "cd /code && python -"], script).then(
        (out) => out,
        (e: Error & { stderr?: string }) => {
            throw new Error(`python in ${container} failed: ${e.stderr ?? e.message}`);
        },
    );
}
