import { createHash } from "crypto";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { Settings } from "../config/settings";
import { NodeAccess, NodeCommand, nodeCommand } from "../lib/nodeCommand";
import { dropCachesStep, readScript, runStep, shellLine } from "../lib/scripts";
import { runPlan, PlannedRun } from "../lib/runPlan";

export interface ExperimentArgs {
    settings: Settings;
    /** How to reach each node, by node name. */
    access: Record<string, NodeAccess>;
    /** The cluster's container IDs: a redeployed cluster re-runs the sequence. */
    clusterIds: pulumi.Input<string>[];
    /** The runs start once this passed (the health gate). */
    after: pulumi.Resource[];
    /** Provenance written beside every result (stack, tier, commit, config hash…). */
    provenance: Record<string, unknown>;
    /** Where results files are written on the machine running Pulumi (results/<stack>). */
    resultsDir: string;
    /** Project root: the local command that records results runs there. */
    projectRoot: string;
}

/** Drops the page cache on every node, then one run; query after query, never overlapping. */
export class Experiment extends pulumi.ComponentResource {
    /** One JSON line per recorded run, in order. */
    public readonly results: pulumi.Output<unknown[]>;

    constructor(name: string, args: ExperimentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("parwop:index:Experiment", name, {}, opts);
        const s = args.settings;
        const e = s.experiment;
        const driver = readScript("driver.py");
        const dropScript = readScript("drop-caches.sh");
        // Any change to what a run means re-runs everything, drops included: the cluster, the
        // experiment config, the run id, and the driver or drop script themselves.
        const triggers = [...args.clusterIds, JSON.stringify(e), s.tier.name, digest(driver), digest(dropScript)];
        const runner = runnerFor(s);
        let previous: pulumi.Resource[] = args.after;
        const recorded: pulumi.Output<unknown>[] = [];
        for (const run of runPlan(e)) {
            const drops: NodeCommand[] = e.dropCaches
                ? s.nodes.map((node) =>
                      nodeCommand(
                          `${name}-${run.id}-drop-${node.name}`,
                          args.access[node.name],
                          { ...dropCachesStep(node.name), triggers },
                          { parent: this, dependsOn: previous },
                      ),
                  )
                : [];
            // The runner node's drop time lets the driver refuse a retry that no drop preceded.
            const runnerDrop = drops[s.nodes.findIndex((n) => n.name === runner.node)];
            const step = pulumi
                .output(runnerDrop?.stdout)
                .apply((out) => [...driverArgs(s, run), ...(runnerDrop ? ["--cache-dropped-at", dropTime(out)] : [])])
                .apply((words) => runStep(runner.container, e.runTimeoutSeconds, words));
            const exec = nodeCommand(
                `${name}-${run.id}-run`,
                args.access[runner.node],
                { create: step.create, stdin: step.stdin, triggers },
                { parent: this, dependsOn: drops.length > 0 ? drops : previous },
            );
            if (!run.warmup) {
                new command.local.Command(
                    `${name}-${run.id}-record`,
                    {
                        create: shellLine(["node", "scripts/record-result.js", args.resultsDir]),
                        dir: args.projectRoot,
                        stdin: exec.stdout,
                        environment: { PARWOP_PROVENANCE: JSON.stringify({ ...args.provenance, run_id: String(e.runId) }) },
                        triggers,
                    },
                    { parent: this },
                );
                recorded.push(exec.stdout.apply(parseResult));
            }
            previous = [exec];
        }
        this.results = pulumi.all(recorded);
        this.registerOutputs({ results: this.results });
    }
}

/** Where the driver runs: the chosen worker (local mode) or the coordinator (distributed). */
export function runnerFor(s: Settings): { node: string; container: string } {
    if (s.experiment.mode === "distributed") {
        return { node: s.coordinator.node.name, container: s.coordinator.containerName };
    }
    const worker = s.nodes.find((n) => n.workerId === s.experiment.localWorker)!;
    return { node: worker.name, container: worker.containerName };
}

/** The driver's arguments for one run (scripts/driver.py). */
export function driverArgs(s: Settings, run: PlannedRun): (string | number)[] {
    const e = s.experiment;
    const nodes = e.mode === "local" ? [e.localWorker] : s.nodes.map((n) => n.workerId);
    return [
        "--query",
        run.query.name,
        "--partition-by",
        run.query.partitionBy.join(","),
        "--order-by",
        run.query.orderBy.join(","),
        "--repetition",
        run.repetition,
        ...(run.warmup ? ["--warmup"] : []),
        "--mode",
        e.mode,
        "--tier",
        s.tier.name,
        "--nodes",
        nodes.join(","),
        "--memory-limit",
        e.memoryLimitRecords,
        "--coordinator",
        s.coordinator.url,
        "--max-threads",
        e.maxThreads,
        e.readOnly ? "--read-only" : "--no-read-only",
    ];
}

/** The driver prints one JSON line; anything else is kept as text rather than failing the program. */
export function parseResult(stdout: string): unknown {
    try {
        return JSON.parse(stdout);
    } catch {
        return { unparsed: stdout };
    }
}

/** The epoch drop-caches.sh prints last ("… at 1700000000.123456789"); "0" when missing, which the driver then cannot trust. */
export function dropTime(stdout: string | undefined): string {
    return /at (\d+(\.\d+)?)\s*$/.exec(stdout ?? "")?.[1] ?? "0";
}

function digest(text: string): string {
    return createHash("sha256").update(text).digest("hex").slice(0, 16);
}
