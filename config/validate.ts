import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { environmentSchema, EnvironmentFile } from "./schema";
import { experimentSchema, healthGateSchema } from "./experiment";
import { Tier, tierLimits, tierSchema } from "./tiers";
import { NodeSettings, Settings } from "./settings";
import { issueLines, loadFile, ReadFile } from "./issues";
import { CheckedKey, configKey, knownKeys } from "./keys";
import { restartPolicies } from "./schema";

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

/** Keys that once existed, with what to do instead. */
const retiredKeys: Record<string, string> = {
    sshPrivateKey:
        "is no longer used: node commands and Docker both go through your ssh client; load the key into your agent (ssh-add KEY) and remove this key",
};

const stackFields = {
    environment: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "must name a file envs/<name>.yaml"),
    tier: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "must name a file stacks/<name>.yaml"),
    restartGeneration: z.coerce.number().int().nonnegative().default(0),
    restartPolicy: z.enum(restartPolicies).default("unless-stopped"),
    brokerAdminUser: z
        .string()
        .regex(/^[A-Za-z0-9_-]+$/, "must be letters, digits, _ or -")
        .refine((u) => u !== "guest", "must not be guest: PARWOP logs in as guest/guest, which must stay a plain AMQP user")
        .default("admin"),
    experiment: experimentSchema.prefault({}),
    healthGate: healthGateSchema.prefault({}),
} satisfies Record<CheckedKey, z.ZodType>;
const stackSchema = z.object(stackFields).strip();

function loadTier(name: string, readFile: ReadFile, known: () => string[]): Tier | string[] {
    const path = `stacks/${name}.yaml`;
    const file = loadFile(path, readFile, tierSchema, `${configKey("tier")}: unknown tier "${name}" (known: ${known().join(", ")})`);
    if (Array.isArray(file)) return file;
    const tier = tierLimits(name, file);
    return typeof tier === "string" ? [`${path}: ${tier}`] : tier;
}

function loadEnvironment(name: string, readFile: ReadFile, known: () => string[]): EnvironmentFile | string[] {
    const missing = `${configKey("environment")}: unknown environment "${name}" (known: ${known().join(", ")})`;
    return loadFile(environmentFile(name), readFile, environmentSchema, missing);
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
        };
    });
}

/** The environment file a stack's inventory messages name. */
export function environmentFile(environment: string): string {
    return `envs/${environment}.yaml`;
}

/** What the files say, each checked against its schema; the rules across fields come next (model/checks.ts). */
export interface ParsedConfig {
    stack: z.infer<typeof stackSchema>;
    env: EnvironmentFile;
    /** envs/<environment>.yaml, as messages name it. */
    envFile: string;
    tier: Tier;
    nodes: NodeSettings[];
}

/**
 * Checks the stack config and the files it names against their schemas; throws a ConfigError
 * listing every problem. Runs before any resource is registered.
 */
export function parseConfig(
    raw: RawStackConfig,
    readFile: ReadFile,
    list: (dir: string) => string[],
    plaintextSecrets: string[] = [],
): ParsedConfig {
    const problems: string[] = [];
    for (const key of Object.keys(raw)) {
        if (key in retiredKeys) problems.push(`${configKey(key)}: ${retiredKeys[key]}`);
        else if (!(knownKeys as string[]).includes(key))
            problems.push(`${configKey(key)}: unknown config key (known: ${knownKeys.join(", ")})`);
    }
    for (const key of plaintextSecrets) {
        problems.push(
            `${configKey(key)}: is in plain text in the stack file; set it as a secret: pulumi config set --secret ${configKey(key)}`,
        );
    }
    const stack = stackSchema.safeParse(raw);
    if (!stack.success) {
        throw new ConfigError([...problems, ...issueLines((p) => configKey(p), raw, stack.error)]);
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
    return { stack: stack.data, env, envFile: environmentFile(stack.data.environment), tier, nodes: resolveNodes(env) };
}

/** Typed settings from a parsed config whose references model/checks.ts found sound. */
export function resolveSettings({ stack, env, tier, nodes }: ParsedConfig): Settings {
    const coordinatorNode = nodes.find((n) => n.name === env.coordinatorNode)!;
    // The one place the broker's home is decided: its own node when named, else the coordinator's.
    const brokerNode = nodes.find((n) => n.name === (env.brokerNode ?? env.coordinatorNode))!;
    const experiment = stack.experiment;
    return {
        environment: stack.environment,
        tier,
        nodes,
        ssh: env.ssh,
        image: env.image,
        restartGeneration: stack.restartGeneration,
        restartPolicy: stack.restartPolicy,
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
            adminUser: stack.brokerAdminUser,
        },
        healthGate: stack.healthGate,
        experiment: {
            ...experiment,
            localWorker: experiment.localWorker ?? nodes[0].workerId,
            memoryLimitRecords: experiment.memoryLimitRecords ?? tier.queryMemoryRecords,
        },
    };
}
