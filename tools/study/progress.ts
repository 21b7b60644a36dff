/**
 * Progress from the engine's own event stream (Automation API onEvent), pure: which phase of
 * `up` a tier is in (from the component type in each resource's URN), which run of how many, how
 * long each took, and an estimate of what is left from the runs already done. No log scraping.
 */
import { experimentName, runNames } from "../../model/names";
import { ScheduledRun } from "../../model/schedule";

/** The part of an engine event progress reads (a subset of automation's EngineEvent). */
export interface EngineEventLike {
    resourcePreEvent?: { metadata: { op: string; urn: string } };
    resOutputsEvent?: { metadata: { op: string; urn: string } };
    resOpFailedEvent?: { metadata: { op: string; urn: string } };
}

export type Note =
    | { kind: "phase"; phase: string }
    | { kind: "run"; status: "started" | "finished" | "failed" | "kept"; index: number; of: number; label: string; seconds?: number };

/** What each component of the program is, to a person watching (their type tokens, components/*.ts). */
const phases: Record<string, string> = {
    "parwop:index:Preflight": "preflight",
    "parwop:index:ParwopImage": "image",
    "parwop:index:Broker": "broker",
    "parwop:index:Coordinator": "coordinator",
    "parwop:index:Worker": "workers",
    "parwop:index:HealthGate": "health gate",
    "parwop:index:Experiment": "runs",
};

/** A URN's resource name and its chain of types (parents first): urn:pulumi:STACK::PROJECT::A$B$C::NAME. */
export function parseUrn(urn: string): { types: string[]; name: string } {
    const parts = urn.split("::");
    return { types: (parts[2] ?? "").split("$"), name: parts.slice(3).join("::") };
}

export function runLabel(r: ScheduledRun): string {
    return `${r.query.name} rep ${r.repetition}${r.warmup ? " (warm-up)" : ""}`;
}

/** One tier's `up`, event by event. */
export class TierProgress {
    /** Phases seen in this `up`: each is named once, the first time (resources of several run side by side). */
    private readonly phases = new Set<string>();
    private readonly byResource = new Map<string, number>();
    private readonly startedAt = new Map<number, number>();
    /** Seconds of each run that finished in this `up`. */
    readonly runSeconds: number[] = [];
    /** Runs finished, in this `up` or kept from an earlier one. */
    finished = 0;

    constructor(private readonly runs: ScheduledRun[]) {
        runs.forEach((r, i) => {
            const names = runNames(experimentName, r.id);
            this.byResource.set(names.run, i);
            for (const node of r.drops) this.byResource.set(names.drop(node.name), i);
            for (const node of r.settles) this.byResource.set(names.settle(node.name), i);
        });
    }

    onEvent(e: EngineEventLike, nowMs: number): Note[] {
        const notes: Note[] = [];
        const pre = e.resourcePreEvent?.metadata;
        const out = e.resOutputsEvent?.metadata;
        const failed = e.resOpFailedEvent?.metadata;
        const of = this.runs.length;
        const at = (urn: string) => {
            const { name } = parseUrn(urn);
            const i = this.byResource.get(name);
            return { i, isRun: i !== undefined && name === runNames(experimentName, this.runs[i].id).run };
        };
        if (pre && pre.op !== "same" && pre.op !== "read") {
            const phase = parseUrn(pre.urn)
                .types.map((t) => phases[t])
                .filter(Boolean)
                .pop();
            if (phase !== undefined && phase !== "runs" && !this.phases.has(phase)) {
                this.phases.add(phase);
                notes.push({ kind: "phase", phase });
            }
            const { i } = at(pre.urn);
            if (i !== undefined && !this.startedAt.has(i)) {
                this.startedAt.set(i, nowMs);
                notes.push({ kind: "run", status: "started", index: i + 1, of, label: runLabel(this.runs[i]) });
            }
        }
        if (pre && pre.op === "same") {
            // Done by an earlier `up` of this deployment (a completed cancel): counted, not timed.
            const { i, isRun } = at(pre.urn);
            if (i !== undefined && isRun) {
                this.finished++;
                notes.push({ kind: "run", status: "kept", index: i + 1, of, label: runLabel(this.runs[i]) });
            }
        }
        for (const [meta, status] of [
            [out, "finished"],
            [failed, "failed"],
        ] as const) {
            if (!meta || meta.op === "same") continue;
            const { i, isRun } = at(meta.urn);
            if (i === undefined || !isRun) continue;
            const seconds = (nowMs - (this.startedAt.get(i) ?? nowMs)) / 1000;
            if (status === "finished") {
                this.finished++;
                this.runSeconds.push(seconds);
            }
            notes.push({ kind: "run", status, index: i + 1, of, label: runLabel(this.runs[i]), seconds });
        }
        return notes;
    }
}

/** Seconds left for the study, or undefined before any run has been timed. */
export function estimateSeconds(input: {
    /** Every run timed in this study so far. */
    runSeconds: number[];
    /** Deploy and destroy time of each tier done in this study so far (its wall time less its runs). */
    tierOverheadSeconds: number[];
    /** Runs the current tier still has to do. */
    runsLeft: number;
    /** Runs of each tier after the current one. */
    laterTiers: number[];
}): number | undefined {
    if (input.runSeconds.length === 0) return undefined;
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const perRun = mean(input.runSeconds);
    const overhead = input.tierOverheadSeconds.length === 0 ? 0 : mean(input.tierOverheadSeconds);
    const runs = input.runsLeft + input.laterTiers.reduce((s, n) => s + n, 0);
    return perRun * runs + overhead * input.laterTiers.length;
}

/** 75 -> "1 min 15 s"; 3725 -> "1 h 2 min". */
export function duration(seconds: number): string {
    const s = Math.round(seconds);
    if (s < 60) return `${s} s`;
    if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 === 0 ? "" : ` ${s % 60} s`}`;
    return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) === 0 ? "" : ` ${Math.floor((s % 3600) / 60)} min`}`;
}
