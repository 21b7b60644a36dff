import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { environmentSchema, EnvironmentFile } from "./schema";
import { experimentSchema, healthGateSchema } from "./experiment";
import { Tier, tierLimits, tierSchema } from "./tiers";
import { NodeSettings, Settings } from "./settings";
import { crossCheck } from "./crossCheck";
import { issueLines, loadFile, ReadFile } from "./issues";
import { hostClashes, placement } from "../model/placement";

export type { ReadFile } from "./issues";

/**
 * A user mistake: one line per problem, each naming the key and the value. A RunError, so
 * `pulumi up` prints the message alone, without a stack trace.
 */
export class ConfigError extends pulumi.RunError {
    constructor(public readonly problems: string[]) {
        super(problems.join("\n"));
        this.name = "ConfigError";
    }
}

/** The parwop:* stack config as Pulumi hands it over (scalars as strings, objects parsed). */
export type RawStackConfig = Record<string, unknown>;

const knownKeys = [
    "environment",
    "tier",
    "restartGeneration",
    "restartPolicy",
    "brokerAdminUser",
    "brokerAdminPassword",
    "experiment",
    "healthGate",
];

/** Keys that once existed, with what to do instead. */
const retiredKeys: Record<string, string> = {
    sshPrivateKey:
        "is no longer used: node commands and Docker both go through your ssh client; load the key into your agent (ssh-add KEY) and remove this key",
};

const stackSchema = z
    .object({
        environment: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "must name a file envs/<name>.yaml"),
        tier: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "must name a file stacks/<name>.yaml"),
        restartGeneration: z.coerce.number().int().nonnegative().default(0),
        restartPolicy: z.enum(["no", "on-failure", "always", "unless-stopped"]).default("unless-stopped"),
        brokerAdminUser: z
            .string()
            .regex(/^[A-Za-z0-9_-]+$/, "must be letters, digits, _ or -")
            .refine((u) => u !== "guest", "must not be guest: PARWOP logs in as guest/guest, which must stay a plain AMQP user")
            .default("admin"),
        experiment: experimentSchema.default(experimentSchema.parse({})),
        healthGate: healthGateSchema.default(healthGateSchema.parse({})),
    })
    .strip();

function loadTier(name: string, readFile: ReadFile, known: () => string[]): Tier | string[] {
    const path = `stacks/${name}.yaml`;
    const file = loadFile(path, readFile, tierSchema, `parwop:tier: unknown tier "${name}" (known: ${known().join(", ")})`);
    if (Array.isArray(file)) return file;
    const tier = tierLimits(name, file);
    return typeof tier === "string" ? [`${path}: ${tier}`] : tier;
}

function loadEnvironment(name: string, readFile: ReadFile, known: () => string[]): EnvironmentFile | string[] {
    const missing = `parwop:environment: unknown environment "${name}" (known: ${known().join(", ")})`;
    return loadFile(`envs/${name}.yaml`, readFile, environmentSchema, missing);
}

function resolveNodes(env: EnvironmentFile): NodeSettings[] {
    return env.nodes.map((n) => {
        const address = n.address ?? n.host;
        const workerPort = n.workerPort ?? env.ports.worker;
        return {
            name: n.name,
            host: n.host,
            address,
            workerId: n.workerId,
            workerPort,
            containerName: n.containerName ?? env.containerNames.worker,
            dataDir: n.dataDir ?? env.dataDir,
            codeDir: n.codeDir ?? env.codeDir,
            dumpsDir: n.dumpsDir ?? env.dumpsDir,
            hostKey: n.hostKey,
            local: env.local,
            dockerHost: env.local ? "unix:///var/run/docker.sock" : `ssh://${env.ssh.user}@${n.host}:${env.ssh.port}`,
        };
    });
}

/**
 * Checks the whole stack config and the files it names; returns typed settings or throws
 * a ConfigError listing every problem. Runs before any resource is registered.
 */
export function loadSettings(
    raw: RawStackConfig,
    readFile: ReadFile,
    list: (dir: string) => string[],
    plaintextSecrets: string[] = [],
): Settings {
    const problems: string[] = [];
    for (const key of Object.keys(raw)) {
        if (key in retiredKeys) problems.push(`parwop:${key}: ${retiredKeys[key]}`);
        else if (!knownKeys.includes(key)) problems.push(`parwop:${key}: unknown config key (known: ${knownKeys.join(", ")})`);
    }
    for (const key of plaintextSecrets) {
        problems.push(`parwop:${key}: is in plain text in the stack file; set it as a secret: pulumi config set --secret parwop:${key}`);
    }
    const stack = stackSchema.safeParse(raw);
    if (!stack.success) {
        throw new ConfigError([...problems, ...issueLines((p) => `parwop:${p}`, raw, stack.error)]);
    }
    const names = (dir: string) => () =>
        list(dir)
            .filter((f) => f.endsWith(".yaml"))
            .map((f) => f.slice(0, -5))
            .sort();
    const tier = loadTier(stack.data.tier, readFile, names("stacks"));
    const env = loadEnvironment(stack.data.environment, readFile, names("envs"));
    if (Array.isArray(tier)) problems.push(...tier);
    if (Array.isArray(env)) problems.push(...env);
    if (problems.length > 0 || Array.isArray(tier) || Array.isArray(env)) throw new ConfigError(problems);

    const nodes = resolveNodes(env);
    const envFile = `envs/${stack.data.environment}.yaml`;
    problems.push(...crossCheck(envFile, env, nodes, stack.data.experiment));
    if (problems.length > 0) throw new ConfigError(problems);

    const coordinatorNode = nodes.find((n) => n.name === env.coordinatorNode)!;
    // The one place the broker's home is decided: its own node when named, else the coordinator's.
    const brokerNode = nodes.find((n) => n.name === (env.brokerNode ?? env.coordinatorNode))!;
    const experiment = stack.data.experiment;
    const settings: Settings = {
        environment: stack.data.environment,
        tier,
        nodes,
        ssh: env.ssh,
        image: env.image,
        restartGeneration: stack.data.restartGeneration,
        restartPolicy: stack.data.restartPolicy,
        coordinator: {
            node: coordinatorNode,
            port: env.ports.coordinator,
            containerName: env.containerNames.coordinator,
        },
        broker: {
            node: brokerNode,
            image: env.brokerImage,
            amqpPort: env.ports.amqp,
            managementPort: env.ports.management,
            containerName: env.containerNames.broker,
            adminUser: stack.data.brokerAdminUser,
        },
        healthGate: stack.data.healthGate,
        experiment: {
            ...experiment,
            localWorker: experiment.localWorker ?? nodes[0].workerId,
            memoryLimitRecords: experiment.memoryLimitRecords ?? tier.queryMemoryRecords,
        },
    };
    const clashes = hostClashes(placement(settings), envFile);
    if (clashes.length > 0) throw new ConfigError(clashes);
    return settings;
}
