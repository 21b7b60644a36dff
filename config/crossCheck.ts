import { EnvironmentFile } from "./schema";
import { ExperimentConfig } from "./experiment";
import { NodeSettings } from "./settings";

/** Rules that span fields: references, duplicates, and clashes between containers sharing a host network. */
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
        once(`url:${n.workerUrl.toLowerCase()}`, i, `worker URL ${n.workerUrl}`);
        if (!env.local && env.ssh.hostKeyChecking === "strict" && n.hostKey === undefined) {
            problems.push(
                `${file}: nodes[${i}].hostKey is required when ssh.hostKeyChecking is "strict" (get it with: ssh-keyscan -t ed25519 ${n.host})`,
            );
        }
    });
    const coordinator = nodes.find((n) => n.name === env.coordinatorNode);
    if (coordinator === undefined) {
        problems.push(
            `${file}: coordinatorNode "${env.coordinatorNode}" is not a node name (nodes: ${nodes.map((n) => n.name).join(", ")})`,
        );
    } else {
        const services: [string, number][] = [
            ["ports.coordinator", env.ports.coordinator],
            ["ports.amqp", env.ports.amqp],
            ["ports.management", env.ports.management],
        ];
        const home = coordinator.host.toLowerCase();
        nodes.forEach((n, i) => {
            if (n.host.toLowerCase() === home) services.push([`nodes[${i}].workerPort`, n.workerPort]);
        });
        const names: [string, string][] = [
            ["containerNames.coordinator", env.containerNames.coordinator],
            ["containerNames.broker", env.containerNames.broker],
        ];
        nodes.forEach((n, i) => {
            if (n.host.toLowerCase() === home) names.push([`nodes[${i}] worker container`, n.containerName]);
        });
        names.forEach(([key, name], i) => {
            const other = names.slice(0, i).find(([, n]) => n === name);
            if (other) problems.push(`${file}: ${key} "${name}" is also ${other[0]}'s name on host ${coordinator.host}`);
        });
        services.forEach(([key, port], i) => {
            const other = services.slice(0, i).find(([, p]) => p === port);
            if (other)
                problems.push(
                    `${file}: ${key} ${port} clashes with ${other[0]} on host ${coordinator.host} (containers share the host network)`,
                );
        });
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
