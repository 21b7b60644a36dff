import { EnvironmentFile, RestartPolicy } from "./schema";
import { ExperimentConfig, HealthGateConfig } from "./experiment";
import { Tier } from "./tiers";

/** One node with every default resolved. */
export interface NodeSettings {
    /** Stable logical name: resource names derive from it. */
    name: string;
    /** SSH host. */
    host: string;
    /** Host name used in URLs. */
    address: string;
    /** PARWOP NODE_ID of the worker. */
    workerId: string;
    workerPort: number;
    containerName: string;
    dataDir: string;
    codeDir: string;
    dumpsDir: string;
    hostKey?: string;
    /** Docker and commands run on the machine running Pulumi. */
    local: boolean;
}

/** Everything the program needs, checked. */
export interface Settings {
    environment: string;
    tier: Tier;
    nodes: NodeSettings[];
    ssh: EnvironmentFile["ssh"];
    image: EnvironmentFile["image"];
    /** Bumping it replaces every PARWOP container (the old restart script). */
    restartGeneration: number;
    restartPolicy: RestartPolicy;
    coordinator: { node: NodeSettings; port: number; containerName: string };
    broker: {
        node: NodeSettings;
        image: string;
        amqpPort: number;
        managementPort: number;
        containerName: string;
        adminUser: string;
    };
    healthGate: HealthGateConfig;
    experiment: ExperimentConfig & { localWorker: string; memoryLimitRecords: number };
}
