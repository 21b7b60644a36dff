import { attemptOf, withAttempts } from "../../model/attempts";
import { placement } from "../../model/placement";
import { schedule } from "../../model/schedule";
import { fixtureSettings } from "../helpers/fixture";

const runs = () => {
    const s = fixtureSettings("three-small", { "parwop:experiment": JSON.stringify({ repetitions: 2, warmups: 1 }) });
    return schedule(s, placement(s), { driver: "d", dropCaches: "c" });
};
const [warmup, r1, r2] = runs();
const started = (run: { key: string }, attempt: number) => ({ run_key: run.key, attempt });

describe("attempts", () => {
    test("a first run is attempt 1 and its trigger reads as before (no attempt field)", () => {
        expect(attemptOf(r1, { started: [], recorded: [] })).toEqual({ attempt: 1 });
        const [, first] = withAttempts([warmup, r1], { started: [], recorded: [] });
        expect(first.trigger).toEqual(r1.trigger);
        expect(first.trigger).not.toHaveProperty("attempt");
    });

    test("an attempt that is recorded stays the current one: a second up changes nothing", () => {
        const log = { started: [started(r1, 1)], recorded: [started(r1, 1)] };
        expect(attemptOf(r1, log)).toEqual({ attempt: 1 });
        const log2 = { started: [started(r1, 1), started(r1, 2)], recorded: [started(r1, 2)] };
        expect(attemptOf(r1, log2)).toEqual({ attempt: 2 });
    });

    test("an attempt that left no record is followed by the next, in the trigger, so its drops run again", () => {
        const log = { started: [started(r1, 1)], recorded: [] };
        expect(attemptOf(r1, log)).toEqual({ attempt: 2, unrecorded: 1 });
        const [, retried, other] = withAttempts([warmup, r1, r2], log);
        expect(retried.trigger).toEqual({ ...r1.trigger, attempt: 2 });
        expect(retried.unrecorded).toBe(1);
        expect(other.attempt).toBe(1);
        // an older attempt's record does not count for the last one
        expect(attemptOf(r1, { started: [started(r1, 1), started(r1, 2)], recorded: [started(r1, 1)] })).toEqual({
            attempt: 3,
            unrecorded: 2,
        });
    });

    test("attempts are per run of a series: another run id's attempts and malformed lines do not count", () => {
        const s = fixtureSettings("three-small", { "parwop:experiment": JSON.stringify({ repetitions: 1, runId: 2 }) });
        const [next] = schedule(s, placement(s), { driver: "d", dropCaches: "c" });
        expect(next.key).not.toBe(r1.key);
        expect(attemptOf(next, { started: [started(r1, 1), { run_key: next.key, attempt: "1" }], recorded: [] })).toEqual({ attempt: 1 });
    });

    test("warm-ups are never retried by attempt: they record nothing", () => {
        expect(attemptOf(warmup, { started: [started(warmup, 1)], recorded: [] })).toEqual({ attempt: 1 });
    });
});
