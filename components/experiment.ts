import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { digestOf } from "../lib/digest";
import { nodeCommand } from "../lib/nodeCommand";
import { dropCachesStep, runSpoolDir, runStep, settleStep, shellLine } from "../lib/scripts";
import { dropTime, parseResult } from "../lib/stepOutputs";
import { runNames } from "../model/names";
import { ScheduledRun } from "../model/schedule";
import { Cluster } from "./cluster";

export interface ExperimentArgs {
    /** The cluster the runs use: its nodes, readiness, identity and images. */
    cluster: Cluster;
    /** The runs in order (model/schedule.ts). */
    runs: ScheduledRun[];
    /** What every result carries besides the driver's figures (model/provenance.ts); the cluster's and the run's own facts are added here. */
    provenance: Record<string, unknown>;
    /** Re-run every run when the cluster is redeployed (its identity changes); false keeps the results taken before. */
    rerunOnRedeploy: boolean;
    /** Bound of one run in seconds (the driver's own; the command gets more for ssh and docker exec around it). */
    runTimeoutSeconds: number;
    /** Where results files are written on the machine running Pulumi (results/<stack>). */
    resultsDir: string;
    /** Project root: the local command that records results runs there. */
    projectRoot: string;
}

/** Seconds on top of a node step's own bound for the ssh session around it (connect, close). */
const sshSlackSeconds = 30;

/**
 * Per run: notes the attempt, drops the page cache on every node, runs, records; query after
 * query, never overlapping. A retry (model/attempts.ts) carries its attempt in the triggers, so
 * its drops run again.
 */
export class Experiment extends pulumi.ComponentResource {
    /** One JSON line per recorded run, in order. */
    public readonly results: pulumi.Output<unknown[]>;

    constructor(name: string, args: ExperimentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("parwop:index:Experiment", name, {}, opts);
        const cluster = args.cluster;
        const deployed = {
            ...args.provenance,
            cluster_identity: cluster.identity,
            source_digest: cluster.sourceDigest,
            image_id: cluster.imageIdOn(cluster.placement.runner.node.name),
        };
        const local = { parent: this, provider: cluster.commandProvider, customTimeouts: { create: "2m", update: "2m", delete: "2m" } };
        const onNode = (dependsOn: pulumi.Resource[]) => ({ parent: this, provider: cluster.commandProvider, dependsOn });
        let previous: pulumi.Resource[] = [cluster.ready];
        const recorded: pulumi.Output<unknown>[] = [];
        for (const run of args.runs) {
            const names = runNames(name, run.id);
            // A plain object with the identity as one field: an unknown identity leaves the other fields readable in a preview.
            const trigger = args.rerunOnRedeploy ? { ...run.trigger, cluster: cluster.identity } : run.trigger;
            const triggers = [trigger];
            // A drop runs again exactly when its run does; it carries the run trigger's digest, not its
            // worker list, so N drops per run keep the state linear in the number of nodes.
            const dropTriggers = [{ run: run.id, runId: run.trigger.runId, runTrigger: pulumi.output(trigger).apply(digestOf) }];
            if (run.unrecorded !== undefined) {
                pulumi.log.warn(
                    `run ${run.id}: attempt ${run.unrecorded} left no record in ${args.resultsDir}/runs.jsonl (it failed or was cut off): ` +
                        `this up makes attempt ${run.attempt}, with fresh cache drops on every node`,
                    this,
                );
            }
            // What the next step waits for: the run before, then this run's attempt note, settles, drops.
            let before = previous;
            if (!run.warmup) {
                const attempt = {
                    stack: args.provenance.stack,
                    run: run.id,
                    run_id: run.trigger.runId,
                    run_key: run.key,
                    attempt: run.attempt,
                };
                const note = new command.local.Command(
                    names.attempt,
                    {
                        create: shellLine(["node", "scripts/record-attempt.js", args.resultsDir]),
                        dir: args.projectRoot,
                        // Only what the trigger holds: a retry's later `up`s must see no change here.
                        environment: { PARWOP_ATTEMPT: JSON.stringify(attempt) },
                        triggers,
                    },
                    { ...local, dependsOn: before },
                );
                before = [note];
            }
            // A distributed run first clears any earlier query's work from every worker (the coordinator knows those queries).
            const settles = run.settles.map((node) => {
                const settle = settleStep(node, cluster.placement.coordinator.url, String(args.provenance.stack));
                return nodeCommand(
                    names.settle(node.name),
                    cluster.access(node.name),
                    { ...settle, triggers: dropTriggers, timeoutSeconds: settle.timeoutSeconds + sshSlackSeconds },
                    onNode(before),
                );
            });
            if (settles.length > 0) before = settles;
            const drops = run.drops.map((node) =>
                nodeCommand(
                    names.drop(node.name),
                    cluster.access(node.name),
                    {
                        ...dropCachesStep(node.name),
                        triggers: dropTriggers,
                        timeoutSeconds: dropCachesStep(node.name).timeoutSeconds + sshSlackSeconds,
                    },
                    onNode(before),
                ),
            );
            if (drops.length > 0) before = drops;
            // Its attempts share one identity (not a redeployed cluster's run): the spool hands a lost attempt's result on.
            const identity = pulumi.output(trigger).apply((t) => digestOf({ ...t, attempt: undefined }));
            const step = (identity: string, droppedAt?: string) =>
                runStep(
                    run.runner.container,
                    args.runTimeoutSeconds,
                    [...run.driverArgs, ...(droppedAt === undefined ? [] : ["--cache-dropped-at", droppedAt])],
                    run.recordsFromLog,
                    { dir: runSpoolDir(String(args.provenance.stack)), identity, attempt: run.attempt },
                );
            // The stdin and bound are the same whatever the identity and drop time.
            const shape = step("0");
            // The runner node's drop time lets the driver refuse a measured run that no drop preceded.
            const runnerDrop = run.warmup ? undefined : drops[run.drops.findIndex((n) => n.name === run.runner.node.name)];
            const exec = nodeCommand(
                names.run,
                cluster.access(run.runner.node.name),
                {
                    create: pulumi
                        .all([identity, runnerDrop ? runnerDrop.stdout : undefined])
                        .apply(([id, out]) => step(id, out === undefined ? undefined : dropTime(out)).create),
                    stdin: shape.stdin,
                    triggers,
                    timeoutSeconds: shape.timeoutSeconds + sshSlackSeconds,
                },
                onNode(before),
            );
            if (!run.warmup) {
                new command.local.Command(
                    names.record,
                    {
                        create: shellLine(["node", "scripts/record-result.js", args.resultsDir]),
                        dir: args.projectRoot,
                        stdin: exec.stdout,
                        environment: {
                            PARWOP_PROVENANCE: pulumi
                                .output({ ...deployed, config_hash: run.configHash, run_key: run.key, attempt: run.attempt })
                                .apply((p) => JSON.stringify(p)),
                        },
                        triggers,
                    },
                    local,
                );
                recorded.push(exec.stdout.apply(parseResult));
            }
            previous = [exec];
        }
        this.results = pulumi.all(recorded);
        this.registerOutputs({ results: this.results });
    }
}
