import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FIXTURES, ROOT, run } from "./proc";

const REPORT = path.join(ROOT, "tools", "report.js");

let tmp: string;
beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "report-"));
    fs.cpSync(path.join(FIXTURES, "report-results"), path.join(tmp, "results"), { recursive: true });
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs the report the way `npm run report` does: from the project dir, default ./results. */
function report(dir?: string) {
    return run("node", dir === undefined ? [REPORT] : [REPORT, dir], { cwd: tmp });
}

describe("tools/report.js on the fixture results (two stacks, one warm-up run)", () => {
    let markdown: string;
    let svg: string;
    beforeEach(() => {
        const r = report();
        expect(r).toEqual({
            code: 0,
            stdout: "report: 9 run(s) from 2 stack(s) -> results/REPORT.md, results/tiers.svg\n",
            stderr: "",
        });
        markdown = fs.readFileSync(path.join(tmp, "results", "REPORT.md"), "utf8");
        svg = fs.readFileSync(path.join(tmp, "results", "tiers.svg"), "utf8");
    });

    it("tabulates runs, mean, median, min, max and sample stddev per query and tier", () => {
        // the SQ1 warm-up at 9.0 s must not be the minimum
        expect(markdown).toContain("| SQ1 | 32_2 | distributed | 3 | 12.000 | 12.000 | 10.000 | 14.000 | 2.000 | lab-32_2 |");
        expect(markdown).toContain("| SQ1 | 64_4 | distributed | 2 | 6.500 | 6.500 | 6.000 | 7.000 | 0.707 | lab-64_4 |");
        expect(markdown).toContain("| SQ2 | 32_2 | distributed | 1 | 20.000 | 20.000 | 20.000 | 20.000 | – | lab-32_2 |");
        expect(markdown).toContain("9 measured run(s) from 2 stack(s); 1 warm-up run(s) ignored.");
        // natural order: SQ10 after SQ2
        expect(markdown.indexOf("| SQ10 |")).toBeGreaterThan(markdown.indexOf("| SQ2 | 64_4 |"));
    });

    it("lists each stack's provenance, every commit and run id it holds", () => {
        expect(markdown).toContain("| lab-32_2 | 32_2 | lab | abc1234, def5678 | cfg32 | r1, r2 | 6 |");
        expect(markdown).toContain("| lab-64_4 | 64_4 | lab | abc1234 | cfg64 | r1 | 4 |");
        expect(markdown).toContain("![median wall seconds per query and tier](tiers.svg)");
    });

    it("draws one bar per query and tier, median high, with min–max whiskers, labels and legend", () => {
        expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
        expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
        expect(svg).toContain("<title>PARWOP wall time per query and tier</title>");
        expect(svg).toContain(">query</text>");
        expect(svg).toContain(">wall seconds</text>");
        for (const label of [">SQ1<", ">SQ2<", ">SQ10<", ">32_2<", ">64_4<"]) expect(svg).toContain(label);

        const bars = [
            ...svg.matchAll(/<rect x="[\d.]+" y="([\d.]+)" width="\d+" height="([\d.]+)" fill="(#[0-9A-F]{6})"><title>([^<]+)<\/title>/g),
        ];
        expect(bars.map((b) => b[4])).toEqual([
            "SQ1 at 32_2: median 12.000 s, min 10.000 s, max 14.000 s, 3 run(s)",
            "SQ1 at 64_4: median 6.500 s, min 6.000 s, max 7.000 s, 2 run(s)",
            "SQ2 at 32_2: median 20.000 s, min 20.000 s, max 20.000 s, 1 run(s)",
            "SQ2 at 64_4: median 12.000 s, min 11.000 s, max 13.000 s, 2 run(s)",
            "SQ10 at 32_2: median 5.000 s, min 5.000 s, max 5.000 s, 1 run(s)",
        ]);
        const height = (i: number) => Number(bars[i][2]);
        expect(height(0) / height(1)).toBeCloseTo(12 / 6.5, 2); // heights proportional to medians
        expect(height(2) / height(4)).toBeCloseTo(20 / 5, 2);
        expect(bars[0][3]).toBe(bars[2][3]); // one colour per tier
        expect(bars[0][3]).not.toBe(bars[1][3]);
        // whisker of SQ1 at 32_2 spans min..max: (14 - 10) / 12 of the bar's height
        const cx = (Number(svg.match(/<rect x="([\d.]+)" [^>]*><title>SQ1 at 32_2/)![1]) + 11).toString();
        const whisker = svg.match(new RegExp(`<line x1="${cx}" y1="([\\d.]+)" x2="${cx}" y2="([\\d.]+)"`))!;
        expect((Number(whisker[1]) - Number(whisker[2])) / height(0)).toBeCloseTo(4 / 12, 2);
    });

    it("is deterministic: a second run writes the same bytes", () => {
        expect(report("results").code).toBe(0);
        expect(fs.readFileSync(path.join(tmp, "results", "tiers.svg"), "utf8")).toBe(svg);
        expect(fs.readFileSync(path.join(tmp, "results", "REPORT.md"), "utf8")).toBe(markdown);
    });
});

describe("tools/report.js edge cases", () => {
    it("writes an explicit empty report when no stack has runs", () => {
        const empty = path.join(tmp, "empty");
        fs.mkdirSync(path.join(empty, "stack-without-runs"), { recursive: true });
        expect(report(empty).code).toBe(0);
        expect(fs.readFileSync(path.join(empty, "REPORT.md"), "utf8")).toContain("No measured runs yet.");
        expect(fs.readFileSync(path.join(empty, "tiers.svg"), "utf8")).toContain(">no measured runs</text>");
    });

    it("names the file and line of a corrupt record", () => {
        fs.appendFileSync(path.join(tmp, "results", "lab-64_4", "runs.jsonl"), "{oops\n");
        const r = report();
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/^report: results\/lab-64_4\/runs\.jsonl:5: not valid JSON/);
    });

    it("fails clearly on a missing results dir", () => {
        expect(report("nowhere").stderr).toBe("report: results dir nowhere does not exist\n");
    });
});

describe("tools/report.js when one group pools runs of different configs", () => {
    it("says which groups mix config hashes", () => {
        const file = path.join(tmp, "results", "lab-32_2", "runs.jsonl");
        const records = fs
            .readFileSync(file, "utf8")
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l) as Record<string, unknown>);
        // the same query, tier and mode, recorded under another config (say, max threads changed)
        records.push({ ...records.find((r) => r.query === "SQ2" && r.warmup === false)!, config_hash: "cfg-threads-4", wall_seconds: 5 });
        fs.writeFileSync(file, records.map((r) => JSON.stringify(r)).join("\n") + "\n");
        expect(report().code).toBe(0);
        const markdown = fs.readFileSync(path.join(tmp, "results", "REPORT.md"), "utf8");
        expect(markdown).toContain("Pooled from more than one config (compare with care; see the stacks' config hashes):");
        expect(markdown).toContain("- SQ2 32_2 distributed: cfg-threads-4, cfg32");
        expect(markdown).not.toContain("- SQ1 32_2");
    });
});
