import { ScheduledRun } from "./schedule";

/** What the results dir says of earlier attempts (lib/attemptLog.ts reads it): one entry per line. */
export interface AttemptLog {
    /** results/<stack>/attempts.jsonl: an attempt of a run started (scripts/record-attempt.js). */
    started: { run_key?: unknown; attempt?: unknown }[];
    /** results/<stack>/runs.jsonl: what was recorded, each with the attempt that measured it. */
    recorded: { run_key?: unknown; attempt?: unknown }[];
}

const attemptsOf = (entries: AttemptLog["started"], key: string) =>
    entries.filter((e) => e.run_key === key && Number.isSafeInteger(e.attempt)).map((e) => e.attempt as number);

/**
 * The attempt this `up` makes of a recorded run. The last attempt started stays the current one
 * once it is recorded; one that left no record (it failed, or `pulumi` was cut off) is followed by
 * the next, which is in the run's trigger: the run, and the cache drops before it on every node,
 * run again, so a retry never measures a warm cache. Warm-ups are not recorded and need no drops
 * of their own: attempt 1, always.
 */
export function attemptOf(run: ScheduledRun, log: AttemptLog): { attempt: number; unrecorded?: number } {
    if (run.warmup) return { attempt: 1 };
    const last = Math.max(0, ...attemptsOf(log.started, run.key));
    if (last === 0 || attemptsOf(log.recorded, run.key).includes(last)) return { attempt: Math.max(1, last) };
    return { attempt: last + 1, unrecorded: last };
}

/** The runs with their attempts: a retry carries `attempt` in its trigger (absent for attempt 1, so first runs read as before). */
export function withAttempts(runs: ScheduledRun[], log: AttemptLog): ScheduledRun[] {
    return runs.map((run) => {
        const { attempt, unrecorded } = attemptOf(run, log);
        return { ...run, attempt, unrecorded, trigger: attempt > 1 ? { ...run.trigger, attempt } : run.trigger };
    });
}
