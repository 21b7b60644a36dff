import { httpUrl } from "../model/urls";
import { EnvironmentFile } from "./schema";
import { ExperimentConfig } from "./experiment";
import { NodeSettings } from "./settings";

/**
 * Rules that span fields of the inventory: references and duplicates. Clashes between a
 * cluster service and what shares its host are placement rules (model/placement.ts).
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
            `parwop:experiment.localWorker: "${experiment.localWorker}" is not a workerId (workers: ${nodes.map((n) => n.workerId).join(", ")})`,
        );
    }
    const queryNames = new Map<string, number>();
    experiment.queries.forEach((q, i) => {
        // Query names become resource names, lower-cased.
        const first = queryNames.get(q.name.toLowerCase());
        if (first === undefined) queryNames.set(q.name.toLowerCase(), i);
        else problems.push(`parwop:experiment.queries[${i}].name "${q.name}" is already queries[${first}]'s`);
    });
    return problems;
}
