import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { dockerProvider, enginesAnswer } from "../lib/nodeProvider";
import { sourceHash } from "../lib/sourceHash";
import { Declaration } from "../model/declare";
import { digestText } from "../model/digest";
import { Broker } from "./broker";
import { Coordinator } from "./coordinator";
import { HealthGate } from "./healthGate";
import { ParwopImage } from "./image";
import { Preflight } from "./preflight";
import { Worker } from "./worker";

export interface ClusterArgs {
    /** What to create (model/declare.ts): every node's engine, preflight, image and worker, the broker, coordinator and gate. */
    declaration: Declaration;
    /** Management administrator password (secret); generated when omitted. */
    brokerAdminPassword?: pulumi.Output<string>;
}

/** Broker, coordinator and one worker per node, each node through its own Docker engine. */
export class Cluster extends pulumi.ComponentResource {
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
    private readonly images: Record<string, ParwopImage> = {};
    private readonly preflights: Record<string, Preflight> = {};

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("parwop:index:Cluster", name, {}, opts);
        const d = args.declaration;
        this.commandProvider = new command.Provider(d.names.command, {}, { parent: this });
        this.warnWithoutSshDir(d);
        this.sourceDigest = this.contextDigest(d);
        const { on, verdict } = this.engines(d);
        // Left unhandled in a deployment, on purpose: Pulumi's own handler reports it (lib/nodeProvider.ts).
        this.enginesAnswered = verdict;
        for (const n of d.nodes) {
            const node = n.node.name;
            this.preflights[node] = new Preflight(n.names.preflight, { access: n.access, step: n.preflight }, this.commands());
            // Nothing is deployed on a node before its preflight passed.
            this.images[node] = new ParwopImage(n.names.image, { name: n.image.name, build: this.build(d) }, on(node));
        }
        const { broker, coordinator, healthGate } = d;
        this.broker = new Broker(d.names.broker, { ...broker, adminPassword: args.brokerAdminPassword }, on(broker.node, [], true));
        // PARWOP connects to the broker at start-up: the broker must answer first.
        const coordinatorArgs = { ...coordinator, imageId: this.imageIdOn(coordinator.node) };
        this.coordinator = new Coordinator(d.names.coordinator, coordinatorArgs, on(coordinator.node, [this.broker]));
        // As the original deploy did: coordinator first, so the first heartbeats land.
        this.workers = d.nodes.map(
            (n) => new Worker(n.names.worker, { ...n.worker, imageId: this.imageIdOn(n.node.name) }, on(n.node.name, [this.coordinator])),
        );
        this.identity = pulumi
            .all([this.coordinator.container.id, ...this.workers.map((w) => w.container.id)])
            .apply((ids) => digestText(ids.join("\n")));
        const gateOptions = { ...this.commands(), dependsOn: [this.coordinator, ...this.workers] };
        this.ready = new HealthGate(d.names.health, { ...healthGate, cluster: this.identity }, gateOptions);
        this.registerOutputs({
            broker: this.broker,
            coordinator: this.coordinator,
            workers: this.workers,
            ready: this.ready,
            identity: this.identity,
            sourceDigest: this.sourceDigest,
        });
    }

    /** sha256:… of the PARWOP image on a node. */
    public imageIdOn(nodeName: string): pulumi.Output<string> {
        return this.images[nodeName].imageId;
    }

    /** Options of what runs as a command on the machine running Pulumi (node commands go over ssh from there). */
    private commands(): pulumi.ComponentResourceOptions {
        return { parent: this, providers: [this.commandProvider] };
    }

    /**
     * One docker provider per node, and the options of what goes on a node: its own engine (and the
     * command provider, for a component with commands), after its preflight and after every
     * node's engine answered: nothing is created, replaced or deleted on any node before that.
     */
    private engines(d: Declaration) {
        const providers = Object.fromEntries(d.nodes.map((n) => [n.node.name, dockerProvider(n.provider, n.node.name, { parent: this })]));
        const engines = enginesAnswer(
            d.nodes.map((n) => ({ where: n.where, node: n.node, provider: providers[n.node.name] })),
            this,
        );
        const afterReachable = (resources: pulumi.Resource[]) => pulumi.output(engines.answered.then(() => resources));
        const on = (node: string, after: pulumi.Resource[] = [], commands = false) => ({
            parent: this,
            providers: commands ? [providers[node], this.commandProvider] : [providers[node]],
            dependsOn: afterReachable([this.preflights[node], ...after]),
        });
        return { on, verdict: engines.verdict };
    }

    private warnWithoutSshDir(d: Declaration): void {
        if (d.nodes.some((n) => !n.node.local) && !fs.existsSync(path.join(os.homedir(), ".ssh"))) {
            pulumi.log.warn("~/.ssh does not exist on this machine: ssh keeps its control sockets there (mkdir -m 700 ~/.ssh)", this);
        }
    }

    private build(d: Declaration) {
        const build = d.image.build;
        return build && { ...build, sourceHash: this.sourceDigest };
    }

    /** One digest for every node's build (hashing the context once, not once per node). */
    private contextDigest(d: Declaration): string {
        const image = d.image;
        if (!image.build) return `prebuilt:${image.name}`;
        const digest = sourceHash(image.build.context);
        if (digest === undefined) {
            pulumi.log.warn(
                `image.build.context ${image.build.context} does not exist on this machine: run Pulumi where the PARWOP source is`,
                this,
            );
        }
        return digest ?? "missing";
    }
}
