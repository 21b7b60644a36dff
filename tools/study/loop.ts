/**
 * The study's loop: observe every tier (its results, its stack's resources, how its last `up`
 * ended), take the one step plan.ts names, log it, observe again; until the table is written, a
 * step fails, or a cancel is asked for. Everything it writes into a stack's config goes through
 * the CLI and is printed as the command it amounts to.
 */
import * as path from "path";
import { Stack } from "@pulumi/pulumi/automation";
import { StudyArgs } from "./args";
import { StudyEngine } from "./engine";
import { EventLog, lastUpOf } from "./eventLog";
import { Output } from "./output";
import { nextStep, OtherStack, recordedRuns, Step, TierState } from "./plan";
import { duration, estimateSeconds, TierProgress } from "./progress";
import { ConfigWrite, StudyTier, studyTiers, writeCommand } from "./stacks";
import { stackConfig } from "../stackConfig";

type Row = Record<string, unknown>;
// Plain CommonJS tools (they run with bare node); their JSDoc types are checked by tsconfig.js.json.
const { readResults } = require("../report.js") as { readResults(dir: string): { stack: string; records: Row[] }[] };
const { writeStudyReport } = require("../study-report.js") as {
    writeStudyReport(
        resultsDir: string,
        outDir: string,
        tiers: { tier: string; stack: string; runId: string; configHash: string; ramGiB: number; cpus: number }[],
    ): { files: string[]; runs: number };
};

/** How the study ended: its exit code is 0, 1 (a step failed or cannot be taken) or 130 (cancelled, or stopped by a cancel). */
export type Ending = { kind: "done"; files: string[] } | { kind: "stopped"; why: string[]; interrupted?: boolean } | { kind: "cancelled" };

export class StudyLoop {
    private cancelAsked = false;
    private readonly log: EventLog;
    private readonly stacks = new Map<string, Stack>();
    private readonly runSeconds: number[] = [];
    private readonly tierOverheads: number[] = [];
    /** Per stack, its last up's wall time and the runs' share of it, for the deploy-and-destroy overhead. */
    private readonly lastUpSeconds: Record<string, number> = {};
    private readonly tierRunSeconds: Record<string, number> = {};

    constructor(
        private readonly root: string,
        private readonly args: StudyArgs,
        private readonly engine: StudyEngine,
        private readonly out: Output,
        readonly studyDir: string,
    ) {
        this.log = new EventLog(studyDir);
    }

    /** Ctrl-C, SIGTERM, SIGHUP: the first cancels the operation in flight, the second stops it at once. */
    cancel(signal: string): void {
        this.cancelAsked = true;
        const what = this.engine.cancel();
        if (what === "cancelling")
            this.out.problem(
                `${signal}: cancelling the running operation as pulumi cancel would: what is in flight finishes (a run may take up to its runTimeoutSeconds), nothing new starts, the stack is unlocked. ${signal} again stops it at once`,
            );
        else if (what === "stopping")
            this.out.problem(`${signal} again: stopping the CLI at once; the next run of the study destroys that tier and redeploys it`);
        else this.out.problem(`${signal}: stopping before the next step`);
    }

    async run(): Promise<Ending> {
        let tiers = studyTiers(this.root, this.args);
        this.log.append({ event: "study", status: "started", tiers: tiers.map((t) => t.tier), argv: process.argv.slice(2) });
        const perTier = tiers.map((t) => t.runs.filter((r) => !r.warmup).length);
        this.out.progress(
            `study ${this.args.environment}: tiers ${tiers.map((t) => t.tier).join(", ")} in this order (baseline ${tiers[0].tier}); ${perTier.join(", ")} recorded runs; log ${path.relative(this.root, this.log.file)}`,
        );
        for (const t of tiers) {
            this.stacks.set(t.stack, await this.engine.stack(t.stack));
            await this.write(t, t.writes);
        }
        tiers = studyTiers(this.root, this.args);
        const unwritten = tiers.filter((t) => t.writes.length > 0).map((t) => t.stack);
        if (unwritten.length > 0)
            return this.end({
                kind: "stopped",
                why: [`the config writes did not take in ${unwritten.join(", ")}: see pulumi config there`],
            });

        for (;;) {
            if (this.cancelAsked) return this.end({ kind: "cancelled" });
            tiers = studyTiers(this.root, this.args);
            const step = nextStep(...(await this.observe(tiers)));
            if (step.kind === "report") return this.end(this.report(tiers));
            if (step.kind === "stop") return this.end({ kind: "stopped", why: [step.why] });
            const t = tiers.find((x) => x.tier === step.tier) as StudyTier;
            if (step.kind === "bump") {
                this.out.progress(`${t.tier}: ${step.why}`);
                await this.write(t, [{ key: "parwop:experiment.runId", value: step.to }]);
                continue;
            }
            const ended = await this.operate(t, step, tiers);
            if (ended !== undefined) return this.end(ended);
        }
    }

    private async observe(tiers: StudyTier[]): Promise<[TierState[], OtherStack[]]> {
        const counts = await this.engine.resourceCounts();
        const records = new Map(readResults(path.join(this.root, "results")).map((s) => [s.stack, s.records]));
        const events = this.log.read();
        const states = tiers.map((t) => ({
            tier: t.tier,
            stack: t.stack,
            runId: t.runId,
            expected: t.runs.filter((r) => !r.warmup).length,
            recorded: recordedRuns(records.get(t.stack) ?? [], t.runs, t),
            deployed: (counts.get(t.stack) ?? 0) > 0,
            lastUp: lastUpOf(events, t.stack),
        }));
        // Any other deployed stack of this environment holds the same nodes (another tier, the dev stack).
        const mine = new Set(tiers.map((t) => t.stack));
        const others = [...counts]
            .filter(([stack, n]) => n > 0 && !mine.has(stack) && this.environmentOf(stack) === this.args.environment)
            .map(([stack]) => ({ stack, deployed: true }));
        return [states, others];
    }

    private environmentOf(stack: string): string | undefined {
        try {
            return stackConfig(stack, this.root).config["parwop:environment"];
        } catch {
            return undefined; // no stack file here: not this project's
        }
    }

    private async write(t: StudyTier, writes: ConfigWrite[]): Promise<void> {
        const stack = this.stacks.get(t.stack) as Stack;
        for (const w of writes) {
            if (w.value === undefined) await stack.removeConfig(w.key, true);
            else await stack.setConfig(w.key, { value: w.value }, true);
            this.log.append({ event: "config", stack: t.stack, tier: t.tier, key: w.key, value: w.value ?? null });
            this.out.progress(`${t.tier}: ${writeCommand(t.stack, w)}`);
        }
    }

    /** One up or destroy; undefined when the loop goes on. */
    private async operate(t: StudyTier, step: Extract<Step, { kind: "up" | "destroy" }>, tiers: StudyTier[]): Promise<Ending | undefined> {
        const stack = this.stacks.get(t.stack) as Stack;
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
                interrupted: this.cancelAsked,
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

    private runNote(
        where: string,
        note: Extract<ReturnType<TierProgress["onEvent"]>[number], { kind: "run" }>,
        p: TierProgress,
        t: StudyTier,
        tiers: StudyTier[],
    ) {
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

    private report(tiers: StudyTier[]): Ending {
        const series = tiers.map((t) => ({
            tier: t.tier,
            stack: t.stack,
            runId: t.runId,
            configHash: t.configHash,
            ramGiB: t.settings.tier.ramGiB,
            cpus: t.settings.tier.cpus,
        }));
        const { files } = writeStudyReport(path.join(this.root, "results"), this.studyDir, series);
        return { kind: "done", files: files.map((f) => path.relative(this.root, path.join(this.studyDir, f))) };
    }

    private end(e: Ending): Ending {
        const status = e.kind === "done" ? "finished" : e.kind === "cancelled" ? "interrupted" : "failed";
        this.log.append({
            event: "study",
            status,
            ...(e.kind === "stopped" ? { error: e.why } : {}),
            ...(e.kind === "done" ? { files: e.files } : {}),
        });
        return e;
    }
}
