/**
 * The study's state machine, pure: from what is true now (each tier's results and whether its
 * stack holds resources, and how its last `up` ended) the one next step. The study observes,
 * takes that step, and observes again, so a resume is the same loop started afresh: nothing is
 * remembered but the append-only results, the stacks' state and the study's event log.
 */
import { ScheduledRun } from "../../model/schedule";

type Row = Record<string, unknown>;

/**
 * How the last `up` of a stack's current deployment ended, from the study's event log:
 * finished; cancelled (Ctrl-C: the CLI cancelled it as `pulumi cancel` would, the operations in
 * flight finished, the stack was unlocked); failed; vanished (started, and the study that started
 * it ended without a word: killed, the machine lost); none (no up of the study since the stack's
 * last destroy: deployed by hand, or never).
 */
export type LastUp = "finished" | "cancelled" | "failed" | "vanished" | "none";

export interface TierState {
    tier: string;
    stack: string;
    runId: string;
    /** Recorded runs the stack's config asks for (warm-ups are not recorded). */
    expected: number;
    /** Of them, how many its results hold under the current run id and config hash. */
    recorded: number;
    /** The stack holds resources. */
    deployed: boolean;
    lastUp: LastUp;
}

/** A stack of the environment that is not in the study. */
export interface OtherStack {
    stack: string;
    deployed: boolean;
}

export type Step =
    | { kind: "up"; tier: string; why: string }
    | { kind: "destroy"; tier: string; why: string }
    | { kind: "bump"; tier: string; from: string; to: string; why: string }
    | { kind: "stop"; why: string }
    | { kind: "report" };

const done = (t: TierState) => t.recorded >= t.expected;

/** The one next step. Never two tiers deployed: every `up` comes when nothing else is. */
export function nextStep(tiers: TierState[], others: OtherStack[]): Step {
    const foreign = others.filter((o) => o.deployed).map((o) => o.stack);
    if (foreign.length > 0)
        return {
            kind: "stop",
            why: `${foreign.join(", ")} of this environment ${foreign.length === 1 ? "is" : "are"} deployed and not in this study (its nodes are the same): pulumi destroy -s ${foreign[0]}, or add it to --tiers`,
        };
    const finished = tiers.find((t) => t.deployed && done(t));
    if (finished) return { kind: "destroy", tier: finished.tier, why: `all ${finished.expected} runs are recorded` };
    const deployed = tiers.filter((t) => t.deployed);
    if (deployed.length > 1) {
        const names = deployed.map((t) => t.stack).join(" and ");
        return { kind: "destroy", tier: deployed[0].tier, why: `${names} are both deployed: brought down one at a time, then redeployed` };
    }
    if (deployed.length === 1) return inProgress(deployed[0]);
    const next = tiers.find((t) => !done(t));
    if (next === undefined) return { kind: "report" };
    if (next.recorded > 0) {
        const to = nextRunId(next.runId);
        return {
            kind: "bump",
            tier: next.tier,
            from: next.runId,
            to,
            why: `${next.recorded} of ${next.expected} runs of run id ${next.runId} were recorded by an attempt that did not finish: the new deployment records run id ${to}, so the two series are never pooled`,
        };
    }
    return {
        kind: "up",
        tier: next.tier,
        why: next.lastUp === "none" ? "not measured yet" : `its last attempt ${next.lastUp}; redeployed`,
    };
}

/** The tier in progress, deployed with runs missing: completed when that is safe, destroyed otherwise. */
function inProgress(t: TierState): Step {
    const have = `${t.recorded} of ${t.expected} runs recorded`;
    switch (t.lastUp) {
        case "cancelled":
            // The cancel let the operations in flight finish: state and nodes agree, and an `up`
            // runs only what is missing (each run's triggers are in the state).
            return { kind: "up", tier: t.tier, why: `its up was cancelled with ${have}: pulumi up completes it` };
        case "finished":
            // Redeploying would measure again and find the same gap: someone must look.
            return {
                kind: "stop",
                why: `${t.stack}: pulumi up finished but only ${have} under run id ${t.runId} in results/${t.stack}/runs.jsonl; not redeploying (check the stack's results output and its config)`,
            };
        case "failed":
            return { kind: "destroy", tier: t.tier, why: `its last up failed with ${have}: destroyed, then redeployed from scratch` };
        case "vanished":
            return {
                kind: "destroy",
                tier: t.tier,
                why: `its last up was cut off (the study was killed) with ${have}: destroyed, then redeployed from scratch`,
            };
        case "none":
            return {
                kind: "destroy",
                tier: t.tier,
                why: `deployed outside the study with ${have}: destroyed, then redeployed from scratch`,
            };
    }
}

/** A new series' run id: 3 -> 4, "pilot" -> "pilot-2", "pilot-2" -> "pilot-3". */
export function nextRunId(runId: string): string {
    if (/^\d+$/.test(runId)) return String(Number(runId) + 1);
    const m = /^(.*-)(\d+)$/.exec(runId);
    return m ? `${m[1]}${Number(m[2]) + 1}` : `${runId}-2`;
}

/** How many of the runs a tier's config asks for are recorded in its results, under its run id and each run's config hash. */
export function recordedRuns(records: Row[], runs: ScheduledRun[], series: { stack: string; runId: string }): number {
    const have = new Set(
        records
            .filter((r) => r.warmup !== true && typeof r.wall_seconds === "number")
            .filter((r) => r.stack === series.stack && String(r.run_id) === series.runId)
            .map((r) => `${String(r.query)}#${String(r.repetition)}#${String(r.config_hash)}`),
    );
    return runs.filter((r) => !r.warmup && have.has(`${r.query.name}#${r.repetition}#${r.configHash}`)).length;
}
