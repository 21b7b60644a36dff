import { EnvironmentFile } from "../config/schema";
import { ExperimentConfig } from "../config/experiment";
import { configKey } from "../config/keys";
import { NodeSettings } from "../config/settings";
import type { PlacedContainer, Placement } from "./placement";
import { httpUrl } from "./urls";

// The rules across fields, which the schemas cannot state: reported like the schemas' problems,
// one line each (config/issues.ts), before any resource is registered.

/**
 * Rules that span fields of the inventory: references and duplicates. Clashes between a
 * cluster service and what shares its host are placement rules (hostClashes, below).
 */
export function crossCheck(file: string, env: EnvironmentFile, nodes: NodeSettings[], experiment: ExperimentConfig): string[] {
    const problems: string[] = [];
    const seen = new Map<string, number>();
    const once = (key: string, i: number, what: string) => {
        const first = seen.get(key);
        if (first === undefined) seen.set(key, i);
        else problems.push(`${file}: nodes[${i}].${what} is already nodes[${first}]'s`);
    };
    nodes.forEach((n, i) => {
        once(`name:${n.name}`, i, `name "${n.name}"`);
        once(`worker:${n.workerId}`, i, `workerId "${n.workerId}"`);
        // Host networking: two workers on one host need their own port and container name.
        const host = n.host.toLowerCase();
        once(`port:${host}:${n.workerPort}`, i, `host "${n.host}" with worker port ${n.workerPort}`);
        once(`container:${host}:${n.containerName}`, i, `host "${n.host}" with container name "${n.containerName}"`);
        const url = httpUrl(n.address, n.workerPort);
        once(`url:${url.toLowerCase()}`, i, `worker URL ${url}`);
        if (!env.local && env.ssh.hostKeyChecking === "strict" && n.hostKey === undefined) {
            problems.push(
                `${file}: nodes[${i}].hostKey is required when ssh.hostKeyChecking is "strict" (get it with: ssh-keyscan -t ed25519 ${n.host})`,
            );
        }
    });
    const names = nodes.map((n) => n.name);
    for (const [key, value] of [
        ["coordinatorNode", env.coordinatorNode],
        ["brokerNode", env.brokerNode],
    ] as const) {
        if (value !== undefined && !names.includes(value)) {
            problems.push(`${file}: ${key} "${value}" is not a node name (nodes: ${names.join(", ")})`);
        }
    }
    if (experiment.localWorker !== undefined && !nodes.some((n) => n.workerId === experiment.localWorker)) {
        problems.push(
            `${configKey("experiment.localWorker")}: "${experiment.localWorker}" is not a workerId (workers: ${nodes.map((n) => n.workerId).join(", ")})`,
        );
    }
    const queryNames = new Map<string, number>();
    experiment.queries.forEach((q, i) => {
        // Query names become resource names, lower-cased.
        const first = queryNames.get(q.name.toLowerCase());
        if (first === undefined) queryNames.set(q.name.toLowerCase(), i);
        else problems.push(`${configKey(`experiment.queries[${i}].name`)} "${q.name}" is already queries[${first}]'s`);
    });
    return problems;
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
