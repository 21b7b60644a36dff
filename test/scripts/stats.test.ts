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
    query: string;
    tier: string;
    mode: string;
    stacks: string[];
    summary: Summary;
}
// tools/stats.js is plain CommonJS (it runs without a TypeScript toolchain); its JSDoc types are
// checked by js-types.test.ts, and this is the shape the tests rely on.
const stats = require(path.join(ROOT, "tools", "stats.js")) as {
    summarize(values: number[]): Summary;
    groupRuns(records: Record<string, unknown>[]): Group[];
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

describe("stats.groupRuns", () => {
    const rec = (stack: string, tier: string, query: string, wall: number, extra: Record<string, unknown> = {}) => ({
        stack,
        tier,
        query,
        mode: "local",
        warmup: false,
        wall_seconds: wall,
        ...extra,
    });

    it("groups by query, tier and mode, skipping warm-ups, in natural order", () => {
        const groups = stats.groupRuns([
            rec("b", "128_8", "SQ10", 1),
            rec("a", "32_2", "SQ2", 4),
            rec("a", "32_2", "SQ2", 100, { warmup: true }),
            rec("c", "32_2", "SQ2", 6),
            rec("a", "32_2", "SQ2", 8, { mode: "distributed" }),
            rec("b", "64_4", "SQ2", 2),
        ]);
        expect(groups.map((g) => [g.query, g.tier, g.mode, g.stacks, g.summary.runs, g.summary.mean])).toEqual([
            ["SQ2", "32_2", "distributed", ["a"], 1, 8],
            ["SQ2", "32_2", "local", ["a", "c"], 2, 5],
            ["SQ2", "64_4", "local", ["b"], 1, 2],
            ["SQ10", "128_8", "local", ["b"], 1, 1],
        ]);
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
