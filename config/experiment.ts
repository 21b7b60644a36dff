import { z } from "zod";

const column = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a column name");

/** The four queries of the study (partition by ; order by). */
export const studyQueries = [
    { name: "SQ1", partitionBy: ["SOURCE_POINT_NUMBER"], orderBy: ["SENSOR_NUMBER"] },
    { name: "SQ2", partitionBy: ["SENSOR_NUMBER"], orderBy: ["SOURCE_POINT_NUMBER"] },
    { name: "SQ3", partitionBy: ["CROSSLINE"], orderBy: ["INLINE", "DISTANCE"] },
    { name: "SQ4", partitionBy: ["INLINE", "CROSSLINE"], orderBy: ["DISTANCE"] },
];

/** `parwop:experiment`: what runs after the cluster is healthy. */
export const experimentSchema = z
    .object({
        /** false: provision only, run nothing. */
        enabled: z.boolean().default(true),
        /** Bump to re-run the whole sequence with nothing else changed. */
        runId: z.union([z.number().int().nonnegative(), z.string().regex(/^[A-Za-z0-9._-]+$/)]).default(1),
        /** local: one worker queries its own /data; distributed: every worker's dataset through the coordinator. */
        mode: z.enum(["local", "distributed"]).default("local"),
        /** local mode: workerId of the worker that runs the query; default the first node's. */
        localWorker: z.string().optional(),
        queries: z
            .array(
                z
                    .object({
                        name: z.string().regex(/^[A-Za-z0-9_-]+$/, "must be letters, digits, _ or -"),
                        partitionBy: z.array(column).min(1),
                        orderBy: z.array(column).min(1),
                    })
                    .strict(),
            )
            .min(1, "must list at least one query")
            .default(studyQueries),
        /** Recorded runs per query. */
        repetitions: z.number().int().min(1).max(100).default(3),
        /** Unrecorded runs per query before the recorded ones. */
        warmups: z.number().int().min(0).max(10).default(0),
        /** PARWOP's memory_limit in RECORDS; default the tier's queryMemoryRecords. */
        memoryLimitRecords: z
            .number()
            .int()
            .positive()
            // The study's largest was 20,000,000; a figure in the billions is a byte count.
            .max(1_000_000_000, "looks like bytes: memory_limit is in records (the study used 5,000,000 for 32 GiB)")
            .optional(),
        /** worker_kwargs.read_only: nothing is shipped back to the client. */
        readOnly: z.boolean().default(true),
        /** worker_kwargs.max_threads. */
        maxThreads: z.number().int().min(1).max(256).default(1),
        /** Drop the page cache on every node before each run. */
        dropCaches: z.boolean().default(true),
        /**
         * Re-run every run when the cluster is redeployed (a rebuilt image, a restartGeneration
         * bump): results then always describe what is deployed. false keeps the results taken
         * on the earlier deployment; new runs still need a runId bump.
         */
        rerunOnRedeploy: z.boolean().default(true),
        /** Wall-clock bound of one run, in seconds (enforced with `timeout` on the node). */
        runTimeoutSeconds: z.number().int().min(10).default(3600),
    })
    .strict();

/** `parwop:healthGate`: how long to wait for every worker's heartbeat after a deploy. */
export const healthGateSchema = z
    .object({
        /** Give up after this many seconds, naming the missing workers. */
        timeoutSeconds: z.number().int().min(30, "must be at least 30: PARWOP beats every 20 s").max(3600).default(300),
        /** A heartbeat older than this (seconds) counts as missing; PARWOP beats every 20 s. */
        maxHeartbeatAgeSeconds: z.number().int().min(30, "must be at least 30: PARWOP beats every 20 s").default(60),
    })
    .strict();

export type ExperimentConfig = z.infer<typeof experimentSchema>;
export type HealthGateConfig = z.infer<typeof healthGateSchema>;
