import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { Settings } from "../config/settings";
import { Broker } from "./broker";
import { Coordinator } from "./coordinator";
import { HealthGate } from "./healthGate";
import { ParwopImage } from "./image";
import { NodeAccess } from "../lib/nodeCommand";
import { dockerProvider, sshConnection } from "../lib/nodeProvider";
import { Preflight } from "./preflight";
import { sourceHash } from "../lib/sourceHash";
import { Worker } from "./worker";

export interface ClusterArgs {
    /** The checked stack config (config/stack.ts): nodes, tier, ports, image, policies. */
    settings: Settings;
    /** Management administrator password (secret); generated when omitted. */
    brokerAdminPassword?: pulumi.Output<string>;
    /** SSH private key for commands (secret); the ssh agent when omitted. */
    sshPrivateKey?: pulumi.Output<string>;
}

/** Broker, coordinator and one worker per node, each node through its own Docker engine. */
export class Cluster extends pulumi.ComponentResource {
    public readonly access: Record<string, NodeAccess> = {};
    public readonly providers: Record<string, docker.Provider> = {};
    public readonly workers: Worker[];
    public readonly coordinator: Coordinator;
    public readonly broker: Broker;
    public readonly healthGate: HealthGate;
    /** Explicit, because default providers are disabled: nothing lands on an unnamed machine. */
    public readonly commandProvider: command.Provider;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("parwop:index:Cluster", name, {}, opts);
        const s = args.settings;
        this.commandProvider = new command.Provider(`${name}-command`, {}, { parent: this });
        if (s.nodes.some((n) => !n.local) && !fs.existsSync(path.join(os.homedir(), ".ssh"))) {
            pulumi.log.warn(
                "~/.ssh does not exist on this machine: docker's ssh keeps its control sockets there (mkdir -m 700 ~/.ssh)",
                this,
            );
        }
        const build = s.image.build && { ...s.image.build, sourceHash: this.contextDigest(s.image.build.context) };
        const preflights: Record<string, Preflight> = {};
        const images: Record<string, ParwopImage> = {};
        for (const node of s.nodes) {
            const nodeName = `${name}-${node.name}`;
            this.providers[node.name] = dockerProvider(`${nodeName}-docker`, node, s, { parent: this });
            this.access[node.name] = { node, connection: sshConnection(node, s, args.sshPrivateKey) };
            preflights[node.name] = new Preflight(
                `${nodeName}-preflight`,
                { access: this.access[node.name], tier: s.tier, containers: containersOn(s, node.name) },
                { parent: this, providers: [this.commandProvider] },
            );
            // Nothing is deployed on a node before its preflight passed.
            images[node.name] = new ParwopImage(
                `${nodeName}-parwop`,
                { name: s.image.name, build },
                { parent: this, providers: [this.providers[node.name]], dependsOn: [preflights[node.name]] },
            );
        }
        const home = s.coordinator.node.name;
        const onHome = { parent: this, providers: [this.providers[home]], dependsOn: [preflights[home]] };
        this.broker = new Broker(
            `${name}-broker`,
            {
                image: s.broker.image,
                containerName: s.broker.containerName,
                amqpPort: s.broker.amqpPort,
                managementPort: s.broker.managementPort,
                adminUser: s.broker.adminUser,
                adminPassword: args.brokerAdminPassword,
                restartPolicy: s.restartPolicy,
            },
            onHome,
        );
        const shared = { tier: s.tier, restartPolicy: s.restartPolicy, restartGeneration: s.restartGeneration };
        this.coordinator = new Coordinator(
            `${name}-coordinator`,
            {
                ...shared,
                imageId: images[home].imageId,
                containerName: s.coordinator.containerName,
                port: s.coordinator.port,
                url: s.coordinator.url,
                rabbitmqHost: s.broker.node.address,
                rabbitmqPort: s.broker.amqpPort,
                codeDir: s.coordinator.node.codeDir,
            },
            // PARWOP connects to the broker at start-up: the broker must answer first.
            { ...onHome, dependsOn: [preflights[home], this.broker] },
        );
        this.workers = s.nodes.map(
            (node) =>
                new Worker(
                    `${name}-${node.name}-worker`,
                    {
                        ...shared,
                        workerId: node.workerId,
                        imageId: images[node.name].imageId,
                        containerName: node.containerName,
                        port: node.workerPort,
                        url: node.workerUrl,
                        coordinatorUrl: s.coordinator.url,
                        codeDir: node.codeDir,
                        dataDir: node.dataDir,
                        dumpsDir: node.dumpsDir,
                    },
                    // As the original deploy did: coordinator first, so the first heartbeats land.
                    { parent: this, providers: [this.providers[node.name]], dependsOn: [preflights[node.name], this.coordinator] },
                ),
        );
        this.healthGate = new HealthGate(
            `${name}-health`,
            {
                access: this.access[home],
                coordinatorContainer: s.coordinator.containerName,
                coordinatorPort: s.coordinator.port,
                workerIds: s.nodes.map((n) => n.workerId),
                config: s.healthGate,
                triggers: this.containerIds(),
            },
            { parent: this, providers: [this.commandProvider], dependsOn: [this.coordinator, ...this.workers] },
        );
        this.registerOutputs({ coordinatorUrl: s.coordinator.url, workerIds: s.nodes.map((n) => n.workerId) });
    }

    /** One digest for every node's build (hashing the context once, not once per node). */
    private contextDigest(context: string): string {
        const digest = sourceHash(context);
        if (digest === undefined) {
            pulumi.log.warn(`image.build.context ${context} does not exist on this machine: run Pulumi where the PARWOP source is`, this);
        }
        return digest ?? "missing";
    }

    /** IDs of every PARWOP container: when any is replaced, what depends on the cluster runs again. */
    public containerIds(): pulumi.Output<string>[] {
        return [this.coordinator.container.id, ...this.workers.map((w) => w.container.id)];
    }
}

/** Names of the containers the stack creates on a node (the coordinator's node also runs the broker). */
export function containersOn(s: Settings, nodeName: string): string[] {
    const own = s.nodes.filter((n) => n.name === nodeName).map((n) => n.containerName);
    return nodeName === s.coordinator.node.name ? [...own, s.coordinator.containerName, s.broker.containerName] : own;
}
