import { placement } from "../../model/placement";
import { provenance } from "../../model/provenance";
import { schedule } from "../../model/schedule";
import { fixtureSettings } from "../helpers/fixture";

const experiment = (e: Record<string, unknown>) => ({ "parwop:experiment": JSON.stringify({ repetitions: 1, ...e }) });
const scripts = { driver: "d", dropCaches: "c" };
/** Each run's config hash, by run id. */
const hashes = (stack: string, e: Record<string, unknown>) => {
    const s = fixtureSettings(stack, experiment(e));
    return Object.fromEntries(schedule(s, placement(s), scripts).map((r) => [r.id, r.configHash]));
};
const twoQueries = {
    queries: [
        { name: "Q1", partitionBy: ["A"], orderBy: ["B"] },
        { name: "Q2", partitionBy: ["B"], orderBy: ["A"] },
    ],
};

describe("provenance", () => {
    test("names the stack, tier, environment, nodes, mode, run id and script digests; the config hash is each run's own", () => {
        const s = fixtureSettings("three-small", experiment({ runId: "b" }));
        expect(provenance("three-small", s, scripts)).toEqual({
            stack: "three-small",
            tier: "small",
            environment: "three",
            node_count: 3,
            nodes: ["worker-1", "worker-2", "worker-3"],
            mode: "local",
            run_id: "b",
            driver_digest: "d",
            drop_digest: "c",
        });
    });

    test("a run's config hash does not change with the series' size: repetitions 1 -> 2 keeps rep 1's, rep 2 gets the same", () => {
        const one = hashes("three-small", { ...twoQueries, repetitions: 1 });
        const two = hashes("three-small", { ...twoQueries, repetitions: 2, warmups: 1 });
        expect(two["q1-r1"]).toBe(one["q1-r1"]);
        expect(two["q1-r2"]).toBe(one["q1-r1"]);
        expect(hashes("three-small", { queries: twoQueries.queries.slice(0, 1) })["q1-r1"]).toBe(one["q1-r1"]);
    });

    test("it ignores the run id and the run's bound, and changes with what shapes a measurement", () => {
        const base = hashes("three-small", { runId: 1 })["sq1-r1"];
        expect(base).toMatch(/^[0-9a-f]{16}$/);
        expect(hashes("three-small", { runId: 2 })["sq1-r1"]).toBe(base);
        expect(hashes("three-small", { runTimeoutSeconds: 999 })["sq1-r1"]).toBe(base);
        expect(hashes("three-small", { memoryLimitRecords: 5 })["sq1-r1"]).not.toBe(base);
        expect(hashes("three-small", { maxThreads: 2 })["sq1-r1"]).not.toBe(base);
        expect(hashes("three-large", {})["sq1-r1"]).not.toBe(base);
    });

    test("two queries of one series have different hashes", () => {
        const h = hashes("three-small", twoQueries);
        expect(h["q1-r1"]).not.toBe(h["q2-r1"]);
    });
});

describe("the config hash and the scripts", () => {
    test("is the same whatever the scripts' digests (records carry those apart), so the study's model matches the program's records", () => {
        const s = fixtureSettings("three-small", experiment({}));
        const [a] = schedule(s, placement(s), { driver: "d1", dropCaches: "c1" });
        const [b] = schedule(s, placement(s), { driver: "", dropCaches: "" });
        expect(a.configHash).toBe(b.configHash);
        expect(a.key).not.toBe(b.key);
    });
});
