import { NodeSettings, Settings } from "../config/settings";
import { httpUrl } from "./urls";

export type Role = "broker" | "coordinator" | "worker";

/** One container on a node, as far as sharing the node's host network goes. */
export interface PlacedContainer {
    role: Role;
    /** Container name on the node's engine. */
    name: string;
    /** The config key the name comes from, for messages. */
    nameKey: string;
    /** Host ports it listens on, with the config key each comes from. */
    ports: { port: number; key: string }[];
}

export interface WorkerPlacement {
    node: NodeSettings;
    /** This worker's URL, as the coordinator and the MQ messages reach it. */
    url: string;
}

/** Which container, port and engine goes on which node: plain data, decided once. */
export interface Placement {
    nodes: NodeSettings[];
    coordinator: { node: NodeSettings; url: string };
    broker: { node: NodeSettings; host: string; amqpPort: number };
    workers: WorkerPlacement[];
    /** Every container the stack puts on a node, by node name. */
    containers: Record<string, PlacedContainer[]>;
    /** Where the experiment's driver runs: the chosen worker (local mode) or the coordinator (distributed). */
    runner: { node: NodeSettings; container: string };
}

export function placement(s: Settings): Placement {
    const coordinator = { node: s.coordinator.node, url: httpUrl(s.coordinator.node.address, s.coordinator.port) };
    const broker = { node: s.broker.node, host: s.broker.node.address, amqpPort: s.broker.amqpPort };
    const containers: Record<string, PlacedContainer[]> = Object.fromEntries(s.nodes.map((n) => [n.name, []]));
    s.nodes.forEach((n, i) =>
        containers[n.name].push({
            role: "worker",
            name: n.containerName,
            nameKey: `nodes[${i}] worker container`,
            ports: [{ port: n.workerPort, key: `nodes[${i}].workerPort` }],
        }),
    );
    containers[coordinator.node.name].push({
        role: "coordinator",
        name: s.coordinator.containerName,
        nameKey: "containerNames.coordinator",
        ports: [{ port: s.coordinator.port, key: "ports.coordinator" }],
    });
    containers[broker.node.name].push({
        role: "broker",
        name: s.broker.containerName,
        nameKey: "containerNames.broker",
        ports: [
            { port: s.broker.amqpPort, key: "ports.amqp" },
            { port: s.broker.managementPort, key: "ports.management" },
        ],
    });
    const local = s.nodes.find((n) => n.workerId === s.experiment.localWorker)!;
    const runner =
        s.experiment.mode === "distributed"
            ? { node: coordinator.node, container: s.coordinator.containerName }
            : { node: local, container: local.containerName };
    return {
        nodes: s.nodes,
        coordinator,
        broker,
        workers: s.nodes.map((node) => ({ node, url: httpUrl(node.address, node.workerPort) })),
        containers,
        runner,
    };
}

/** Container names on a node: what preflight checks are free to take. */
export function containerNamesOn(p: Placement, nodeName: string): string[] {
    return (p.containers[nodeName] ?? []).map((c) => c.name);
}

/**
 * Clashes between a cluster service (coordinator, broker) and anything else on the same host:
 * containers share the host network and the engine's name space. Worker against worker is an
 * inventory rule (config/crossCheck.ts), reported there.
 */
export function hostClashes(p: Placement, file: string): string[] {
    const problems: string[] = [];
    const byHost = new Map<string, { host: string; placed: PlacedContainer[] }>();
    // Services first, then workers: a worker is reported as clashing with the service.
    const order = (c: PlacedContainer) => (c.role === "worker" ? 1 : 0);
    for (const node of p.nodes) {
        const key = node.host.toLowerCase();
        const entry = byHost.get(key) ?? { host: node.host, placed: [] };
        entry.placed.push(...p.containers[node.name]);
        byHost.set(key, entry);
    }
    for (const { host, placed } of byHost.values()) {
        const all = [...placed].sort((a, b) => order(a) - order(b));
        if (!all.some((c) => c.role !== "worker")) continue;
        const names = all.map((c) => ({ key: c.nameKey, value: c.name, worker: c.role === "worker" }));
        const ports = all.flatMap((c) => c.ports.map((port) => ({ key: port.key, value: port.port, worker: c.role === "worker" })));
        names.forEach((n, i) => {
            const other = names.slice(0, i).find((o) => o.value === n.value && !(o.worker && n.worker));
            if (other) problems.push(`${file}: ${n.key} "${n.value}" is also ${other.key}'s name on host ${host}`);
        });
        ports.forEach((n, i) => {
            const other = ports.slice(0, i).find((o) => o.value === n.value && !(o.worker && n.worker));
            if (other)
                problems.push(`${file}: ${n.key} ${n.value} clashes with ${other.key} on host ${host} (containers share the host network)`);
        });
    }
    return problems;
}
