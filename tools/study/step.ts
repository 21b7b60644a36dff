/**
 * One `up` or `destroy` of a tier, as the study takes it: logged and shown as it goes, from the
 * engine's events (phases, runs i of N, each run's time, an estimate of what is left), then how
 * it ended. Keeps the times the estimate needs across the study's tiers.
 */
import { Stack } from "@pulumi/pulumi/automation";
import { StudyEngine } from "./engine";
import { EventLog } from "./eventLog";
import { Output } from "./output";
import { Step } from "./plan";
import { duration, estimateSeconds, Note, TierProgress } from "./progress";
import { StudyTier } from "./stacks";

/** How the study ended: its exit code is 0, 1 (a step failed or cannot be taken) or 130 (cancelled, or stopped by a cancel). */
export type Ending = { kind: "done"; files: string[] } | { kind: "stopped"; why: string[]; interrupted?: boolean } | { kind: "cancelled" };

export class StepTaker {
    private readonly runSeconds: number[] = [];
    private readonly tierOverheads: number[] = [];
    /** Per stack, its last up's wall time and the runs' share of it, for the deploy-and-destroy overhead. */
    private readonly lastUpSeconds: Record<string, number> = {};
    private readonly tierRunSeconds: Record<string, number> = {};

    constructor(
        private readonly engine: StudyEngine,
        private readonly log: EventLog,
        private readonly out: Output,
        private readonly cancelAsked: () => boolean,
    ) {}

    /** One up or destroy; undefined when the study goes on. */
    async take(
        stack: Stack,
        t: StudyTier,
        step: Extract<Step, { kind: "up" | "destroy" }>,
        tiers: StudyTier[],
    ): Promise<Ending | undefined> {
        const where = `${t.tier} (${tiers.indexOf(t) + 1}/${tiers.length})`;
        if (step.kind === "destroy") {
            const pending = await this.engine.pendingOperations(stack);
            if (pending.length > 0) {
                const warning = `${t.stack}: ${pending.length} operation(s) were cut short by a killed CLI (${pending.join(", ")}): what they touched may exist outside the state; preflight names any container left on a node`;
                this.log.append({ event: "warning", stack: t.stack, tier: t.tier, warning });
                this.out.problem(warning);
            }
        }
        this.out.progress(`${where}: pulumi ${step.kind} -s ${t.stack}: ${step.why}`);
        this.log.append({ event: "step", step: step.kind, status: "started", stack: t.stack, tier: t.tier, why: step.why });
        const started = Date.now();
        const progress = new TierProgress(t.runs);
        const tierRuns = this.runSeconds.length;
        let deleted = 0;
        const result = await this.engine.run(
            stack,
            step.kind,
            (e) => {
                if (step.kind === "destroy") {
                    if (e.resOutputsEvent?.metadata.op === "delete") deleted++;
                    return;
                }
                for (const note of progress.onEvent(e, Date.now())) {
                    const { kind, ...detail } = note;
                    this.log.append({ event: kind, stack: t.stack, tier: t.tier, ...detail });
                    if (note.kind === "phase") this.out.progress(`${where}: up: ${note.phase}`);
                    else this.runNote(where, note, progress, t, tiers);
                }
            },
            (holders) => {
                const who = holders.map((h) => `pid ${h.pid} on ${h.host}`).join(", ");
                this.log.append({ event: "unlock", stack: t.stack, tier: t.tier, holders });
                this.out.problem(`${t.stack}: locked by ${who}, which is gone: pulumi cancel -s ${t.stack}`);
            },
        );
        const seconds = (Date.now() - started) / 1000;
        this.log.append({
            event: "step",
            step: step.kind,
            status: result.outcome,
            stack: t.stack,
            tier: t.tier,
            seconds,
            error: result.error,
        });
        if (result.outcome === "cancelled") {
            this.out.problem(
                `${t.stack}: pulumi ${step.kind} cancelled after ${duration(seconds)}; the stack is unlocked. Run the same command to resume: ${step.kind === "up" ? "an up completes it" : "the destroy is done first"}`,
            );
            return { kind: "cancelled" };
        }
        if (result.outcome === "failed") {
            const next =
                step.kind === "up"
                    ? `its stack ${t.stack} is left as it is for a look (pulumi stack -s ${t.stack}); the next run of the study destroys and redeploys it`
                    : "the next run of the study tries the destroy again";
            return {
                kind: "stopped",
                why: [
                    `${t.stack}: pulumi ${step.kind} failed after ${duration(seconds)}:`,
                    ...(result.error ?? []).map((l) => `  ${l}`),
                    next,
                ],
                interrupted: this.cancelAsked(),
            };
        }
        if (step.kind === "destroy") {
            // A tier's deploy and destroy, less its runs, is what each later tier will cost on top of its runs.
            if (this.lastUpSeconds[t.stack] !== undefined)
                this.tierOverheads.push(this.lastUpSeconds[t.stack] + seconds - this.tierRunSeconds[t.stack]);
            this.out.progress(`${where}: destroyed in ${duration(seconds)} (${deleted} resources)`);
        } else {
            this.lastUpSeconds[t.stack] = seconds;
            this.tierRunSeconds[t.stack] = this.runSeconds.slice(tierRuns).reduce((s, x) => s + x, 0);
            this.out.progress(`${where}: up finished in ${duration(seconds)}: ${progress.finished} of ${t.runs.length} runs`);
        }
        return undefined;
    }

    private runNote(where: string, note: Extract<Note, { kind: "run" }>, p: TierProgress, t: StudyTier, tiers: StudyTier[]) {
        const run = `run ${note.index} of ${note.of} (${note.label})`;
        if (note.status === "started") return this.out.progress(`${where}: ${run}`);
        if (note.status === "kept") return this.out.progress(`${where}: ${run} done by the cancelled up, kept`);
        if (note.status === "failed") return this.out.progress(`${where}: ${run} failed after ${duration(note.seconds ?? 0)}`);
        this.runSeconds.push(note.seconds ?? 0);
        const left = estimateSeconds({
            runSeconds: this.runSeconds,
            tierOverheadSeconds: this.tierOverheads,
            runsLeft: t.runs.length - p.finished,
            laterTiers: tiers.slice(tiers.indexOf(t) + 1).map((x) => x.runs.length),
        });
        const later = tiers.length - tiers.indexOf(t) - 1;
        const overhead = this.tierOverheads.length === 0 && later > 0 ? ` + deploy and destroy of ${later} tier(s)` : "";
        this.out.progress(`${where}: ${run} took ${duration(note.seconds ?? 0)}; about ${duration(left ?? 0)}${overhead} left`);
    }
}
