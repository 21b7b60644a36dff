import * as path from "node:path";
import { ROOT } from "./proc";

interface Summary {
    runs: number;
    mean: number;
    median: number;
    min: number;
    max: number;
    stddev: number | null;
}
interface Group {
    environment: string;
    nodeCount: number | null;
    query: string;
    tier: string;
    mode: string;
    stacks: string[];
    runIds: string[];
    values: number[];
    summary: Summary;
    differences: Record<string, string[]>;
}
type Row = Record<string, unknown>;
type Selection = { kind: "latest" } | { kind: "run"; runId: string } | { kind: "all" };
// tools/report/stats.js is plain CommonJS (it runs without a TypeScript toolchain); its JSDoc types are
// checked by js-types.test.ts, and this is the shape the tests rely on.
const stats = require(path.join(ROOT, "tools", "report", "stats.js")) as {
    summarize(values: number[]): Summary;
    groupRuns(records: Row[]): Group[];
    selectRuns(records: Row[], selection: Selection): Row[];
    sections(
        groups: Group[],
        baseline?: string,
    ): { environment: string; nodeCount: number | null; baseline: string; rows: { group: Group; speedup: number | null }[] }[];
    naturalCompare(a: string, b: string): number;
};

describe("stats.summarize", () => {
    it("computes mean, median, min, max and the sample stddev", () => {
        const s = stats.summarize([9, 2, 4, 4, 5, 4, 7, 5]);
        expect(s).toMatchObject({ runs: 8, mean: 5, median: 4.5, min: 2, max: 9 });
        // sum of squared deviations 32, n - 1 = 7
        expect(s.stddev).toBeCloseTo(Math.sqrt(32 / 7), 12);
    });

    it("takes the middle value for an odd count and has no stddev for one run", () => {
        expect(stats.summarize([3, 1, 2]).median).toBe(2);
        expect(stats.summarize([3.25])).toEqual({ runs: 1, mean: 3.25, median: 3.25, min: 3.25, max: 3.25, stddev: null });
    });

    it("refuses an empty list", () => {
        expect(() => stats.summarize([])).toThrow("summarize: no values");
    });
});

describe("stats.groupRuns, selectRuns and sections", () => {
    let n = 0;
    const rec = (stack: string, tier: string, query: string, wall: number, extra: Row = {}): Row => ({
        stack,
        environment: "lab",
        node_count: 8,
        tier,
        query,
        mode: "local",
        warmup: false,
        run_id: "1",
        wall_seconds: wall,
        recorded_at: `2025-01-01T00:00:${String(n++).padStart(2, "0")}.000Z`,
        ...extra,
    });

    it("groups by environment, node count, query, tier and mode, skipping warm-ups, in natural order", () => {
        const groups = stats.groupRuns([
            rec("b", "128_8", "SQ10", 1),
            rec("a", "32_2", "SQ2", 4),
            rec("a", "32_2", "SQ2", 100, { warmup: true }),
            rec("c", "32_2", "SQ2", 6),
            rec("a", "32_2", "SQ2", 8, { mode: "distributed" }),
            rec("d", "32_2", "SQ2", 9, { node_count: 3 }),
            rec("dev", "dev", "SQ2", 0.5, { environment: "dev", node_count: 2 }),
            // an old record without node_count: its inventory says how many
            rec("b", "64_4", "SQ2", 2, { node_count: undefined, nodes: ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"] }),
        ]);
        expect(groups.map((g) => [g.environment, g.nodeCount, g.query, g.tier, g.mode, g.stacks, g.values])).toEqual([
            ["dev", 2, "SQ2", "dev", "local", ["dev"], [0.5]],
            ["lab", 3, "SQ2", "32_2", "local", ["d"], [9]],
            ["lab", 8, "SQ2", "32_2", "distributed", ["a"], [8]],
            ["lab", 8, "SQ2", "32_2", "local", ["a", "c"], [4, 6]],
            ["lab", 8, "SQ2", "64_4", "local", ["b"], [2]],
            ["lab", 8, "SQ10", "128_8", "local", ["b"], [1]],
        ]);
    });

    it("notes what matters when it differs within a group, never the run id", () => {
        const [g] = stats.groupRuns([
            rec("a", "32_2", "SQ1", 1, { run_id: "1", image_id: "sha256:b", config_hash: "c1", memory_limit_records: 5 }),
            rec("a", "32_2", "SQ1", 2, { run_id: "2", image_id: "sha256:a", config_hash: "c1", memory_limit_records: 10 }),
        ]);
        expect(g.runIds).toEqual(["1", "2"]);
        expect(g.differences).toEqual({ image_id: ["sha256:a", "sha256:b"], memory_limit_records: ["5", "10"] });
    });

    it("selects each group's most recently recorded run id by default, one run id, or all", () => {
        const records = [
            rec("a", "32_2", "SQ1", 1, { run_id: "2" }),
            rec("a", "32_2", "SQ1", 2, { run_id: "3" }),
            rec("a", "32_2", "SQ1", 3, { run_id: "2" }), // a re-run of run id 2, recorded last
            rec("a", "64_4", "SQ1", 4, { run_id: "1" }),
            rec("a", "64_4", "SQ1", 5, { run_id: "1", warmup: true }),
        ];
        const walls = (selection: Selection) => stats.selectRuns(records, selection).map((r) => r.wall_seconds);
        expect(walls({ kind: "latest" })).toEqual([1, 3, 4]);
        expect(walls({ kind: "run", runId: "3" })).toEqual([2]);
        expect(walls({ kind: "all" })).toEqual([1, 2, 3, 4]);
    });

    it("splits sections by environment and node count, dev last, with speed-ups against the smallest tier", () => {
        const groups = stats.groupRuns([
            rec("dev", "dev", "SQ1", 1, { environment: "dev", node_count: 2 }),
            rec("a", "64_4", "SQ1", 5),
            rec("a", "32_2", "SQ1", 10),
            rec("a", "128_8", "SQ1", 2.5),
            rec("a", "128_8", "SQ2", 3),
        ]);
        const [lab, dev] = stats.sections(groups);
        expect([lab.environment, lab.nodeCount, lab.baseline, dev.environment, dev.baseline]).toEqual(["lab", 8, "32_2", "dev", "dev"]);
        expect(lab.rows.map((r) => [r.group.query, r.group.tier, r.speedup])).toEqual([
            ["SQ1", "32_2", 1],
            ["SQ1", "64_4", 2],
            ["SQ1", "128_8", 4],
            ["SQ2", "128_8", null],
        ]);
        expect(stats.sections(groups, "128_8")[0].rows.map((r) => r.speedup)).toEqual([0.25, 0.5, 1, 1]);
    });

    it("orders tiers and queries numerically", () => {
        expect(["128_16", "SQ10", "64_4", "128_8", "SQ2", "32_2"].sort(stats.naturalCompare)).toEqual([
            "32_2",
            "64_4",
            "128_8",
            "128_16",
            "SQ2",
            "SQ10",
        ]);
    });
});
