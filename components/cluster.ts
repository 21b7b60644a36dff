import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { Settings } from "../config/settings";
import { digestText } from "../lib/digest";
import { NodeAccess } from "../lib/nodeCommand";
import { dockerProvider, enginesAnswer } from "../lib/nodeProvider";
import { sourceHash } from "../lib/sourceHash";
import { nodeNames, serviceNames } from "../model/names";
import { containerNamesOn, Placement } from "../model/placement";
import { Broker } from "./broker";
import { Coordinator } from "./coordinator";
import { HealthGate } from "./healthGate";
import { ParwopImage } from "./image";
import { Preflight } from "./preflight";
import { Worker } from "./worker";

export interface ClusterArgs {
    /** The checked stack config (config/stack.ts): nodes, tier, ports, image, policies. */
    settings: Settings;
    /** Which container goes on which node (model/placement.ts). */
    placement: Placement;
    /** Management administrator password (secret); generated when omitted. */
    brokerAdminPassword?: pulumi.Output<string>;
}

/** Broker, coordinator and one worker per node, each node through its own Docker engine. */
export class Cluster extends pulumi.ComponentResource {
    public readonly placement: Placement;
    public readonly broker: Broker;
    public readonly coordinator: Coordinator;
    public readonly workers: Worker[];
    /** Passes once every worker heartbeats to the coordinator: what runs on the cluster waits for it. */
    public readonly ready: HealthGate;
    /** One digest of every PARWOP container's ID: it changes when any of them is replaced. */
    public readonly identity: pulumi.Output<string>;
    /** Digest of the PARWOP build context, or `prebuilt:<image>` when the nodes have the image already. */
    public readonly sourceDigest: string;
    /** Rejects, naming every node whose engine did not answer, when one did not; nothing was then registered on any node. */
    public readonly enginesAnswered: Promise<void>;
    /** Explicit, because default providers are disabled: every command names where it runs. */
    public readonly commandProvider: command.Provider;
    private readonly nodes: Record<string, { access: NodeAccess; provider: docker.Provider; image: ParwopImage }> = {};

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("parwop:index:Cluster", name, {}, opts);
        const s = args.settings;
        const p = args.placement;
        this.placement = p;
        this.commandProvider = new command.Provider(serviceNames(name).command, {}, { parent: this });
        if (p.nodes.some((n) => !n.local) && !fs.existsSync(path.join(os.homedir(), ".ssh"))) {
            pulumi.log.warn("~/.ssh does not exist on this machine: ssh keeps its control sockets there (mkdir -m 700 ~/.ssh)", this);
        }
        this.sourceDigest = s.image.build ? this.contextDigest(s.image.build.context) : `prebuilt:${s.image.name}`;
        const build = s.image.build && { ...s.image.build, sourceHash: this.sourceDigest };
        const preflights: Record<string, Preflight> = {};
        const providers = Object.fromEntries(
            p.nodes.map((node) => [node.name, dockerProvider(nodeNames(name, node.name).docker, node, s.ssh, { parent: this })]),
        );
        // Nothing is created, replaced or deleted on any node before every node's engine answered.
        const { verdict, answered } = enginesAnswer(
            p.nodes.map((node, i) => ({ where: `envs/${s.environment}.yaml: nodes[${i}]`, node, provider: providers[node.name] })),
            this,
        );
        // Left unhandled in a deployment, on purpose: Pulumi's own handler reports it (lib/nodeProvider.ts).
        this.enginesAnswered = verdict;
        const afterReachable = (resources: pulumi.Resource[]) => pulumi.output(answered.then(() => resources));
        for (const node of p.nodes) {
            const names = nodeNames(name, node.name);
            const access = { node, ssh: s.ssh };
            const provider = providers[node.name];
            preflights[node.name] = new Preflight(
                names.preflight,
                { access, tier: s.tier, containers: containerNamesOn(p, node.name) },
                { parent: this, providers: [this.commandProvider] },
            );
            // Nothing is deployed on a node before its preflight passed.
            const image = new ParwopImage(
                names.image,
                { name: s.image.name, build },
                { parent: this, providers: [provider], dependsOn: afterReachable([preflights[node.name]]) },
            );
            this.nodes[node.name] = { access, provider, image };
        }
        const on = (nodeName: string, after: pulumi.Resource[] = []) => ({
            parent: this,
            providers: [this.nodes[nodeName].provider],
            dependsOn: afterReachable([preflights[nodeName], ...after]),
        });
        this.broker = new Broker(
            serviceNames(name).broker,
            {
                image: s.broker.image,
                containerName: s.broker.containerName,
                amqpPort: s.broker.amqpPort,
                managementPort: s.broker.managementPort,
                adminUser: s.broker.adminUser,
                adminPassword: args.brokerAdminPassword,
                restartPolicy: s.restartPolicy,
                access: this.access(p.broker.node.name),
            },
            { ...on(p.broker.node.name), providers: [this.nodes[p.broker.node.name].provider, this.commandProvider] },
        );
        const shared = { tier: s.tier, restartPolicy: s.restartPolicy, restartGeneration: s.restartGeneration };
        const home = p.coordinator.node;
        this.coordinator = new Coordinator(
            serviceNames(name).coordinator,
            {
                ...shared,
                imageId: this.imageIdOn(home.name),
                containerName: s.coordinator.containerName,
                port: s.coordinator.port,
                url: p.coordinator.url,
                rabbitmqHost: p.broker.host,
                rabbitmqPort: p.broker.amqpPort,
                codeDir: home.codeDir,
            },
            // PARWOP connects to the broker at start-up: the broker must answer first.
            on(home.name, [this.broker]),
        );
        this.workers = p.workers.map(
            ({ node, url }) =>
                new Worker(
                    nodeNames(name, node.name).worker,
                    {
                        ...shared,
                        workerId: node.workerId,
                        imageId: this.imageIdOn(node.name),
                        containerName: node.containerName,
                        port: node.workerPort,
                        url,
                        coordinatorUrl: p.coordinator.url,
                        codeDir: node.codeDir,
                        dataDir: node.dataDir,
                        dumpsDir: node.dumpsDir,
                    },
                    // As the original deploy did: coordinator first, so the first heartbeats land.
                    on(node.name, [this.coordinator]),
                ),
        );
        this.identity = pulumi
            .all([this.coordinator.container.id, ...this.workers.map((w) => w.container.id)])
            .apply((ids) => digestText(ids.join("\n")));
        this.ready = new HealthGate(
            serviceNames(name).health,
            {
                access: this.access(home.name),
                coordinatorContainer: s.coordinator.containerName,
                coordinatorPort: s.coordinator.port,
                workerIds: p.workers.map((w) => w.node.workerId),
                config: s.healthGate,
                cluster: this.identity,
            },
            { parent: this, providers: [this.commandProvider], dependsOn: [this.coordinator, ...this.workers] },
        );
        this.registerOutputs({
            broker: this.broker,
            coordinator: this.coordinator,
            workers: this.workers,
            ready: this.ready,
            identity: this.identity,
            sourceDigest: this.sourceDigest,
        });
    }

    /** How commands reach a node. */
    public access(nodeName: string): NodeAccess {
        return this.nodes[nodeName].access;
    }

    /** sha256:… of the PARWOP image on a node. */
    public imageIdOn(nodeName: string): pulumi.Output<string> {
        return this.nodes[nodeName].image.imageId;
    }

    /** One digest for every node's build (hashing the context once, not once per node). */
    private contextDigest(context: string): string {
        const digest = sourceHash(context);
        if (digest === undefined) {
            pulumi.log.warn(`image.build.context ${context} does not exist on this machine: run Pulumi where the PARWOP source is`, this);
        }
        return digest ?? "missing";
    }
}
