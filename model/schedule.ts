import { ExperimentConfig } from "../config/experiment";
import { digestOf } from "../model/digest";
import { Settings } from "../config/settings";
import { PlacedNode, Placement } from "./placement";
import { Flags } from "./steps";
import { runConfigHash } from "./provenance";

type Query = ExperimentConfig["queries"][number];

/**
 * What makes one run (with its cache drops and its record) execute again, field by field, so a
 * diff reads as the change (`runId: 1 -> 2`). Only this run's own inputs: adding a query or a
 * repetition adds runs and re-runs none of the others.
 */
export interface RunTrigger {
    run: string;
    runId: string;
    query: Query;
    repetition: number;
    warmup: boolean;
    mode: "local" | "distributed";
    tier: string;
    /** The workers whose data the run reads. */
    workers: string[];
    memoryLimitRecords: number;
    maxThreads: number;
    readOnly: boolean;
    dropCaches: boolean;
    runTimeoutSeconds: number;
    /** Digests of what runs on the nodes: an edited driver or drop script re-runs the runs. */
    scripts: { driver: string; dropCaches: string };
    /** A retry of a run whose last attempt left no record (model/attempts.ts); absent for the first attempt. */
    attempt?: number;
}

/** One step of the experiment: cache drops, then the run, then (unless a warm-up) its record. */
export interface ScheduledRun {
    /** Resource-name-safe id: <query>-w<n> for warm-ups, <query>-r<n> for recorded runs. */
    id: string;
    query: Query;
    /** 1-based within its kind (warm-up or recorded). */
    repetition: number;
    warmup: boolean;
    /** Nodes whose worker is cleared of an earlier query's work first (scripts/settle-worker.sh): all in distributed mode. */
    settles: PlacedNode[];
    /** Nodes whose page cache is dropped right before the run (all, or none when dropCaches is off). */
    drops: PlacedNode[];
    runner: Placement["runner"];
    /** Distributed mode: the coordinator's container, whose log holds PARWOP's record count (CONTRACT.md). */
    recordsFromLog?: string;
    /** The driver's flags (scripts/driver.py), before the runner's drop time is known. */
    driver: Flags;
    trigger: RunTrigger;
    /** Identifies this run of its series across `up`s (attempts and records carry it): its trigger without the attempt. */
    key: string;
    /** The attempt this `up` makes (model/attempts.ts); 1 until a recorded attempt is missing. */
    attempt: number;
    /** The attempt before, when it left no record: this one is its retry. */
    unrecorded?: number;
    /** A digest of what shapes this run's measurement (model/provenance.ts runConfigHash). */
    configHash: string;
}

/** Every run in order: per query, its warm-ups, then its recorded repetitions. Empty when disabled. */
export function schedule(s: Settings, p: Placement, scripts: RunTrigger["scripts"]): ScheduledRun[] {
    const e = s.experiment;
    if (!e.enabled) return [];
    const kinds = (query: Query) => [
        ...Array.from({ length: e.warmups }, (_, i) => ({ query, repetition: i + 1, warmup: true })),
        ...Array.from({ length: e.repetitions }, (_, i) => ({ query, repetition: i + 1, warmup: false })),
    ];
    const workers = e.mode === "local" ? [e.localWorker] : s.nodes.map((n) => n.workerId);
    return e.queries.flatMap(kinds).map(({ query, repetition, warmup }) => {
        const id = `${query.name.toLowerCase()}-${warmup ? "w" : "r"}${repetition}`;
        const trigger: RunTrigger = {
            run: id,
            runId: String(e.runId),
            query,
            repetition,
            warmup,
            mode: e.mode,
            tier: s.tier.name,
            workers,
            memoryLimitRecords: e.memoryLimitRecords,
            maxThreads: e.maxThreads,
            readOnly: e.readOnly,
            dropCaches: e.dropCaches,
            runTimeoutSeconds: e.runTimeoutSeconds,
            scripts,
        };
        return {
            id,
            query,
            repetition,
            warmup,
            settles: e.mode === "distributed" ? p.nodes : [],
            drops: e.dropCaches ? p.nodes : [],
            runner: p.runner,
            recordsFromLog: e.mode === "distributed" ? s.coordinator.containerName : undefined,
            driver: {
                "--query": query.name,
                "--partition-by": query.partitionBy.join(","),
                "--order-by": query.orderBy.join(","),
                "--repetition": repetition,
                ...(warmup ? { "--warmup": true as const } : {}),
                "--mode": e.mode,
                "--workers": workers.join(","),
                "--memory-limit": e.memoryLimitRecords,
                "--coordinator": p.coordinator.url,
                "--max-threads": e.maxThreads,
                ...(e.readOnly ? { "--read-only": true as const } : { "--no-read-only": true as const }),
                // A worker cut off mid-query fails the run as soon as the gate would call it stale, not at the run's bound.
                ...(e.mode === "distributed" ? { "--lost-worker-seconds": s.healthGate.maxHeartbeatAgeSeconds } : {}),
            },
            trigger,
            key: digestOf(trigger),
            attempt: 1,
            configHash: runConfigHash(s, p.nodes, trigger),
        };
    });
}
