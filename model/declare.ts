import { Settings } from "../config/settings";
import { ConfigError, environmentFile } from "../config/validate";
import { AttemptLog, withAttempts } from "./attempts";
import { hostClashes } from "./checks";
import { brokerContainer, ContainerSpec, coordinatorContainer, workerContainer } from "./containers";
import { childNames, clusterName, experimentName, nodeNames, runNames, serviceNames } from "./names";
import { containerNamesOn, PlacedNode, placement, Placement } from "./placement";
import { provenance } from "./provenance";
import { ScheduledRun, schedule, RunTrigger } from "./schedule";
import { NodeAccess, sshOptions } from "./ssh";
import {
    BashStep,
    brokerReadyStep,
    dropStep,
    healthGateStep,
    NodeStep,
    preflightStep,
    PythonStep,
    runSpoolDir,
    runStep,
    RunStep,
    settleStep,
} from "./steps";
import { amqpUrl, httpUrl } from "./urls";

// Every decision of the program in one pure function: which resource, with which arguments, on
// which node, in which order. The components only create what this returns.

/** A node's docker provider, exactly as registered. */
export interface DeclaredProvider {
    name: string;
    host: string;
    /** ssh options for a remote engine; none for the local socket. */
    sshOpts?: string[];
}

/** A step on one node, and how it is reached. */
export interface OnNode<S> {
    node: string;
    access: NodeAccess;
    step: S;
}

export interface DeclaredNode {
    node: PlacedNode;
    access: NodeAccess;
    names: ReturnType<typeof nodeNames>;
    /** Where messages about the node point: its inventory entry. */
    where: string;
    provider: DeclaredProvider;
    preflight: BashStep;
    /** The PARWOP image's tag and build context on this node's engine (its source digest is the Cluster's). */
    image: Settings["image"];
    worker: { container: ContainerSpec; workerId: string; url: string; port: number };
}

/** A run and its steps; the Experiment names their resources from its own name (model/names.ts runNames). */
export interface DeclaredRun extends ScheduledRun {
    /** What a measured run notes before it starts (scripts/record-attempt.js); none for a warm-up. */
    attemptNote?: { stack: string; run: string; run_id: string; run_key: string; attempt: number };
    settleSteps: OnNode<BashStep>[];
    dropSteps: OnNode<BashStep>[];
    /** The drop on the runner's node, whose time the driver checks; none for a warm-up. */
    runnerDrop?: number;
    runStep: OnNode<RunStep>;
}

export interface Declaration {
    stack: string;
    settings: Settings;
    /** The PARWOP image every node gets: its tag, and the context it is built from (none: prebuilt). */
    image: Settings["image"];
    placement: Placement;
    names: ReturnType<typeof serviceNames> & { cluster: string; experiment: string };
    nodes: DeclaredNode[];
    broker: {
        node: string;
        access: NodeAccess;
        image: string;
        adminUser: string;
        container: ContainerSpec;
        ready: BashStep;
    };
    coordinator: { node: string; container: ContainerSpec; url: string; port: number };
    healthGate: OnNode<PythonStep>;
    /** The node whose image ran the runs: its ID goes into every record. */
    runnerNode: string;
    runs: DeclaredRun[];
    /** What every result carries besides the driver's figures. */
    provenance: Record<string, unknown>;
    outputs: {
        coordinatorUrl: string;
        brokerAmqpUrl: string;
        brokerManagementUrl: string;
        brokerAdminUser: string;
        workers: Record<string, string>;
        tier: { name: string; memoryMiB: number; cpus: number; queryMemoryRecords: number };
    };
}

export interface DeclareInputs {
    stack: string;
    /** Digests of the run scripts (lib/scripts.ts scriptDigests): they are in every run's trigger. */
    scripts: RunTrigger["scripts"];
    /** What results/<stack> says of earlier attempts (lib/attemptLog.ts); none: every run's first. */
    attempts?: AttemptLog;
}

/** Where the services live and which container goes on which node, checked for clashes: a ConfigError when two share a name or port. */
export function checkedPlacement(s: Settings): Placement {
    const p = placement(s);
    const clashes = hostClashes(p, environmentFile(s.environment));
    if (clashes.length > 0) throw new ConfigError(clashes);
    return p;
}

export function declare(s: Settings, inputs: DeclareInputs): Declaration {
    const p = checkedPlacement(s);
    const { stack } = inputs;
    const access = (node: string): NodeAccess => ({ node: p.nodes.find((n) => n.name === node)!, ssh: s.ssh });
    const nodes = p.nodes.map((node, i): DeclaredNode => {
        const names = nodeNames(clusterName, node.name);
        return {
            node,
            access: access(node.name),
            names,
            where: `${environmentFile(s.environment)}: nodes[${i}]`,
            provider: { name: names.docker, host: node.dockerHost, sshOpts: node.local ? undefined : sshOptions(s.ssh, node.hostKey) },
            preflight: preflightStep(node, s.tier, stack, containerNamesOn(p, node.name)),
            image: s.image,
            worker: {
                container: workerContainer(s, p, stack, node, p.workers[i].url),
                workerId: node.workerId,
                url: p.workers[i].url,
                port: node.workerPort,
            },
        };
    });
    const runs = withAttempts(schedule(s, p, inputs.scripts), inputs.attempts ?? { started: [], recorded: [] });
    return {
        stack,
        settings: s,
        image: s.image,
        placement: p,
        names: { ...serviceNames(clusterName), cluster: clusterName, experiment: experimentName },
        nodes,
        broker: {
            node: p.broker.node.name,
            access: access(p.broker.node.name),
            image: s.broker.image,
            adminUser: s.broker.adminUser,
            container: brokerContainer(s, stack),
            ready: brokerReadyStep(s.broker.containerName),
        },
        coordinator: {
            node: p.coordinator.node.name,
            container: coordinatorContainer(s, p, stack),
            url: p.coordinator.url,
            port: s.coordinator.port,
        },
        healthGate: {
            node: p.coordinator.node.name,
            access: access(p.coordinator.node.name),
            step: healthGateStep(
                s.coordinator,
                p.workers.map((w) => w.node.workerId),
                s.healthGate,
            ),
        },
        runnerNode: p.runner.node.name,
        runs: runs.map((run) => declareRun(s, p, stack, run, access)),
        provenance: provenance(stack, s, inputs.scripts),
        outputs: {
            coordinatorUrl: p.coordinator.url,
            brokerAmqpUrl: amqpUrl(p.broker.host, s.broker.amqpPort),
            brokerManagementUrl: httpUrl(p.broker.host, s.broker.managementPort),
            brokerAdminUser: s.broker.adminUser,
            workers: Object.fromEntries(p.workers.map((w) => [w.node.workerId, w.url])),
            tier: { name: s.tier.name, memoryMiB: s.tier.memoryMiB, cpus: s.tier.cpus, queryMemoryRecords: s.tier.queryMemoryRecords },
        },
    };
}

function declareRun(s: Settings, p: Placement, stack: string, run: ScheduledRun, access: (node: string) => NodeAccess): DeclaredRun {
    const onNode = <S>(node: string, step: S): OnNode<S> => ({ node, access: access(node), step });
    const runner = run.runner.node.name;
    const runnerDrop = run.drops.findIndex((n) => n.name === runner);
    return {
        ...run,
        attemptNote: run.warmup ? undefined : { stack, run: run.id, run_id: run.trigger.runId, run_key: run.key, attempt: run.attempt },
        settleSteps: run.settles.map((n) => onNode(n.name, settleStep(n, p.coordinator.url, stack))),
        dropSteps: run.drops.map((n) => onNode(n.name, dropStep(n.name))),
        runnerDrop: run.warmup || runnerDrop < 0 ? undefined : runnerDrop,
        runStep: onNode(
            runner,
            runStep({
                container: run.runner.container,
                seconds: s.experiment.runTimeoutSeconds,
                query: run.query.name,
                repetition: run.repetition,
                driver: run.driver,
                recordsFromLog: run.recordsFromLog,
                spool: { dir: runSpoolDir(stack), attempt: run.attempt },
            }),
        ),
    };
}

/** Every container the declaration puts on a node, with the host ports it takes (host network, or published). */
export function containersOf(d: Declaration): { node: string; role: "broker" | "coordinator" | "worker"; name: string; ports: number[] }[] {
    return [
        ...d.nodes.map((n) => ({ node: n.node.name, role: "worker" as const, name: n.worker.container.name, ports: [n.worker.port] })),
        { node: d.coordinator.node, role: "coordinator", name: d.coordinator.container.name, ports: [d.coordinator.port] },
        {
            node: d.broker.node,
            role: "broker",
            name: d.broker.container.name,
            ports: (d.broker.container.ports ?? []).map((p) => p.external),
        },
    ];
}

/**
 * Every step the declaration runs on a node, by the name of its command resource: what a tool
 * shows as a command's node-side part (lib/scripts.ts commandOf renders it), without unparsing
 * the ssh line the resource holds.
 */
export function nodeSteps(d: Declaration): Map<string, OnNode<NodeStep>> {
    const steps = new Map<string, OnNode<NodeStep>>();
    for (const n of d.nodes) steps.set(childNames(n.names.preflight).check, { node: n.node.name, access: n.access, step: n.preflight });
    steps.set(childNames(d.names.broker).ready, { node: d.broker.node, access: d.broker.access, step: d.broker.ready });
    steps.set(childNames(d.names.health).wait, d.healthGate);
    for (const run of d.runs) {
        const names = runNames(d.names.experiment, run.id);
        for (const s of run.settleSteps) steps.set(names.settle(s.node), s);
        for (const s of run.dropSteps) steps.set(names.drop(s.node), s);
        steps.set(names.run, run.runStep);
    }
    return steps;
}
