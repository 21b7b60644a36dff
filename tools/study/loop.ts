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
import { nextStep, OtherStack, recordedRuns, TierState } from "./plan";
import { Ending, StepTaker } from "./step";
import { ConfigWrite, StudyTier, studyTiers, writeCommand } from "./stacks";
import { stackConfig } from "../mock/stackConfig";

type Row = Record<string, unknown>;
// Plain CommonJS tools (they run with bare node); their JSDoc types are checked by tsconfig.js.json.
const { readResults } = require("../report/report.js") as { readResults(dir: string): { stack: string; records: Row[] }[] };
const { writeStudyReport } = require("../report/study-report.js") as {
    writeStudyReport(
        resultsDir: string,
        outDir: string,
        tiers: { tier: string; stack: string; runId: string; configHashes: string[]; ramGiB: number; cpus: number }[],
    ): { files: string[]; runs: number };
};

export class StudyLoop {
    private cancelAsked = false;
    private readonly log: EventLog;
    private readonly stacks = new Map<string, Stack>();
    private readonly steps: StepTaker;

    constructor(
        private readonly root: string,
        private readonly args: StudyArgs,
        private readonly engine: StudyEngine,
        private readonly out: Output,
        readonly studyDir: string,
    ) {
        this.log = new EventLog(studyDir);
        this.steps = new StepTaker(engine, this.log, out, () => this.cancelAsked);
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
            const ended = await this.steps.take(this.stacks.get(t.stack) as Stack, t, step, tiers);
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

    private report(tiers: StudyTier[]): Ending {
        const series = tiers.map((t) => ({
            tier: t.tier,
            stack: t.stack,
            runId: t.runId,
            configHashes: t.configHashes,
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
