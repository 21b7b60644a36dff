import { flagWords } from "../../model/steps";
import { placement } from "../../model/placement";
import { schedule } from "../../model/schedule";
import { fixtureSettings } from "../helpers/fixture";

const scripts = { driver: "d1", dropCaches: "c1" };
const runsOf = (overrides: Record<string, unknown> = {}) => {
    const s = fixtureSettings("three-small", {
        "parwop:experiment": JSON.stringify({
            mode: "distributed",
            repetitions: 1,
            queries: [
                { name: "Q1", partitionBy: ["A"], orderBy: ["B"] },
                { name: "Q2", partitionBy: ["B", "C"], orderBy: ["A"] },
            ],
            ...overrides,
        }),
    });
    return schedule(s, placement(s), scripts);
};

describe("schedule", () => {
    test("per query its warm-ups, then its recorded repetitions, each after a drop on every node", () => {
        const runs = runsOf({ repetitions: 2, warmups: 1 });
        expect(runs.map((r) => r.id)).toEqual(["q1-w1", "q1-r1", "q1-r2", "q2-w1", "q2-r1", "q2-r2"]);
        expect(runs.map((r) => r.warmup)).toEqual([true, false, false, true, false, false]);
        for (const r of runs) expect(r.drops.map((n) => n.name)).toEqual(["n1", "n2", "n3"]);
    });

    test("no drops when dropCaches is off; nothing at all when disabled", () => {
        expect(runsOf({ dropCaches: false }).every((r) => r.drops.length === 0)).toBe(true);
        expect(runsOf({ enabled: false })).toEqual([]);
    });

    test("a run's trigger names its own inputs, field by field", () => {
        const [first] = runsOf({ runId: 7 });
        expect(first.trigger).toEqual({
            run: "q1-r1",
            runId: "7",
            query: { name: "Q1", partitionBy: ["A"], orderBy: ["B"] },
            repetition: 1,
            warmup: false,
            mode: "distributed",
            tier: "small",
            workers: ["worker-1", "worker-2", "worker-3"],
            memoryLimitRecords: 1000,
            maxThreads: 1,
            readOnly: true,
            dropCaches: true,
            runTimeoutSeconds: 3600,
            scripts,
        });
    });

    test("adding a query changes no other run's trigger", () => {
        const before = runsOf();
        const after = runsOf({
            queries: [
                { name: "Q1", partitionBy: ["A"], orderBy: ["B"] },
                { name: "Q2", partitionBy: ["B", "C"], orderBy: ["A"] },
                { name: "Q3", partitionBy: ["C"], orderBy: ["A"] },
            ],
        });
        expect(after.slice(0, before.length).map((r) => r.trigger)).toEqual(before.map((r) => r.trigger));
        expect(after.map((r) => r.id)).toEqual(["q1-r1", "q2-r1", "q3-r1"]);
    });

    test("the driver's arguments: distributed over every worker, local on the chosen one", () => {
        const [d] = runsOf();
        expect(flagWords(d.driver).join(" ")).toBe(
            "--query Q1 --partition-by A --order-by B --repetition 1 --mode distributed " +
                "--workers worker-1,worker-2,worker-3 --memory-limit 1000 --coordinator http://n1.test:8000 --max-threads 1 --read-only " +
                "--lost-worker-seconds 60",
        );
        const [l] = runsOf({ mode: "local", localWorker: "worker-3", readOnly: false });
        expect(l.runner).toMatchObject({ node: { name: "n3" }, container: "parwop-worker" });
        expect(flagWords(l.driver).join(" ")).toContain("--mode local --workers worker-3 ");
        expect(flagWords(l.driver).join(" ")).toContain("--no-read-only");
    });
});
