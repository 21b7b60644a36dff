import { NodeSettings, Settings } from "../config/settings";
import { dockerHostUrl, httpUrl } from "./urls";

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

/** A node with its engine: the docker provider's `host`, ssh://user@host:port or the local socket. */
export type PlacedNode = NodeSettings & { dockerHost: string };

export interface WorkerPlacement {
    node: PlacedNode;
    /** This worker's URL, as the coordinator and the MQ messages reach it. */
    url: string;
}

/** Which container, port and engine goes on which node: plain data, decided once. */
export interface Placement {
    nodes: PlacedNode[];
    coordinator: { node: PlacedNode; url: string };
    broker: { node: PlacedNode; host: string; amqpPort: number };
    workers: WorkerPlacement[];
    /** Every container the stack puts on a node, by node name. */
    containers: Record<string, PlacedContainer[]>;
    /** Where the experiment's driver runs: the chosen worker (local mode) or the coordinator (distributed). */
    runner: { node: PlacedNode; container: string };
}

export function placement(s: Settings): Placement {
    const nodes = s.nodes.map((n): PlacedNode => ({ ...n, dockerHost: dockerHostUrl(n, s.ssh) }));
    const byName = (name: string) => nodes.find((n) => n.name === name)!;
    const home = byName(s.coordinator.node.name);
    const coordinator = { node: home, url: httpUrl(home.address, s.coordinator.port) };
    const broker = { node: byName(s.broker.node.name), host: s.broker.node.address, amqpPort: s.broker.amqpPort };
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
    const local = nodes.find((n) => n.workerId === s.experiment.localWorker)!;
    const runner =
        s.experiment.mode === "distributed"
            ? { node: coordinator.node, container: s.coordinator.containerName }
            : { node: local, container: local.containerName };
    return {
        nodes,
        coordinator,
        broker,
        workers: nodes.map((node) => ({ node, url: httpUrl(node.address, node.workerPort) })),
        containers,
        runner,
    };
}

/** Container names on a node: what preflight checks are free to take. */
export function containerNamesOn(p: Placement, nodeName: string): string[] {
    return (p.containers[nodeName] ?? []).map((c) => c.name);
}
