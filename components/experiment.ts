import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { nodeCommand } from "../lib/nodeCommand";
import { commandOf, render, shellLine, stdinOf } from "../lib/scripts";
import { dropTime, parseResult } from "../lib/stepOutputs";
import { DeclaredRun } from "../model/declare";
import { digestOf } from "../model/digest";
import { runNames } from "../model/names";
import { localCommandTimeout } from "../model/timeouts";

type RunNames = ReturnType<typeof runNames>;

/** What the runs need of the cluster they run on, and nothing else of it. */
export interface ExperimentCluster {
    /** Passes once the cluster is healthy: the first run waits for it. */
    ready: pulumi.Resource;
    /** A digest of the cluster's container IDs: a redeployed cluster re-runs the runs (rerunOnRedeploy). */
    identity: pulumi.Output<string>;
    /** The PARWOP source digest every record carries. */
    sourceDigest: string;
    /** Where the commands run: the machine running Pulumi, reaching a node by ssh. */
    commandProvider: command.Provider;
    /** The image ID on a node: every record carries the runner's. */
    imageIdOn(node: string): pulumi.Output<string>;
}

export interface ExperimentArgs {
    cluster: ExperimentCluster;
    /** The runs in order, each with its steps (model/declare.ts). */
    runs: DeclaredRun[];
    /** The node whose image ran the runs. */
    runnerNode: string;
    /** What every result carries besides the driver's figures (model/provenance.ts); the cluster's and the run's own facts are added here. */
    provenance: Record<string, unknown>;
    /** Re-run every run when the cluster is redeployed (its identity changes); false keeps the results taken before. */
    rerunOnRedeploy: boolean;
    /** Where results files are written on the machine running Pulumi (results/<stack>). */
    resultsDir: string;
    /** Project root: the local command that records results runs there. */
    projectRoot: string;
}

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
            image_id: cluster.imageIdOn(args.runnerNode),
        };
        let previous: pulumi.Resource[] = [cluster.ready];
        const recorded: pulumi.Output<unknown>[] = [];
        for (const run of args.runs) {
            // A plain object with the identity as one field: an unknown identity leaves the other fields readable in a preview.
            const trigger = args.rerunOnRedeploy ? { ...run.trigger, cluster: cluster.identity } : run.trigger;
            const names = runNames(name, run.id);
            const exec = this.run(run, names, args, trigger, previous);
            if (!run.warmup) {
                this.record(names.record, run, args, deployed, [trigger], exec);
                recorded.push(exec.stdout.apply(parseResult));
            }
            previous = [exec];
        }
        this.results = pulumi.all(recorded);
        this.registerOutputs({ results: this.results });
    }

    /** The run's attempt note, settles and drops, then the run itself: each step waits for the one before. */
    private run(
        run: DeclaredRun,
        names: RunNames,
        args: ExperimentArgs,
        trigger: object,
        previous: pulumi.Resource[],
    ): command.local.Command {
        const provider = args.cluster.commandProvider;
        const onNode = (dependsOn: pulumi.Resource[]) => ({ parent: this, provider, dependsOn });
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
        let before = previous;
        if (run.attemptNote !== undefined) {
            const note = new command.local.Command(
                names.attempt,
                {
                    create: shellLine(["node", "scripts/record-attempt.js", args.resultsDir]),
                    dir: args.projectRoot,
                    // Only what the trigger holds: a retry's later `up`s must see no change here.
                    environment: { PARWOP_ATTEMPT: JSON.stringify(run.attemptNote) },
                    triggers,
                },
                { parent: this, provider, customTimeouts: localCommandTimeout, dependsOn: before },
            );
            before = [note];
        }
        // A distributed run first clears any earlier query's work from every worker (the coordinator knows those queries).
        const step = (s: DeclaredRun["settleSteps"][number], resource: string) =>
            nodeCommand(resource, s.access, { ...render(s.step), triggers: dropTriggers }, onNode(before));
        const settles = run.settleSteps.map((s) => step(s, names.settle(s.node)));
        if (settles.length > 0) before = settles;
        const drops = run.dropSteps.map((s) => step(s, names.drop(s.node)));
        if (drops.length > 0) before = drops;
        // Its attempts share one identity (not a redeployed cluster's run): the spool hands a lost attempt's result on.
        const identity = pulumi.output(trigger).apply((t) => digestOf({ ...(t as object), attempt: undefined }));
        // The runner node's drop time lets the driver refuse a measured run that no drop preceded.
        const runnerDrop = run.runnerDrop === undefined ? undefined : drops[run.runnerDrop];
        const { access, step: exec } = run.runStep;
        // Rendered once, when the identity and drop time are known; the stdin and bound are the step's own.
        const create = pulumi
            .all([identity, runnerDrop ? runnerDrop.stdout : undefined])
            .apply(([id, out]) => commandOf(exec, { identity: id, droppedAt: out === undefined ? undefined : dropTime(out) }));
        const bounds = { stdin: stdinOf(exec), timeoutSeconds: exec.budget.timeoutSeconds };
        return nodeCommand(names.run, access, { create, ...bounds, triggers }, onNode(before));
    }

    /** The run's line in results/<stack>/runs.jsonl, with its provenance. */
    private record(
        name: string,
        run: DeclaredRun,
        args: ExperimentArgs,
        deployed: Record<string, unknown>,
        triggers: object[],
        exec: command.local.Command,
    ): void {
        new command.local.Command(
            name,
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
            { parent: this, provider: args.cluster.commandProvider, customTimeouts: localCommandTimeout },
        );
    }
}
