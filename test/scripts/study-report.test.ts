import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { renderSvgToPng, svgSize } from "../helpers/chromium";
import { colourDistance, decodePng, hexRgb } from "../helpers/png";
import { ROOT } from "./proc";

type Row = Record<string, unknown>;
interface Tier {
    tier: string;
    stack: string;
    runId: string;
    configHashes: string[];
    ramGiB: number;
    cpus: number;
}
// Plain CommonJS (it runs with bare node); its JSDoc types are checked by tsconfig.js.json.
const { writeStudyReport } = require(path.join(ROOT, "tools", "report", "study-report.js")) as {
    writeStudyReport(resultsDir: string, outDir: string, tiers: Tier[]): { files: string[]; runs: number };
};

const tiers: Tier[] = [
    // Study order is not name order: the baseline is the first tier given.
    { tier: "64_4", stack: "lab-64_4", runId: "2", configHashes: ["cfg-64"], ramGiB: 64, cpus: 4 },
    { tier: "128_8", stack: "lab-128_8", runId: "1", configHashes: ["cfg-128"], ramGiB: 128, cpus: 8 },
];
let seq = 0;
function rec(t: Tier, query: string, wall: number, extra: Row = {}): Row {
    seq++;
    return {
        stack: t.stack,
        tier: t.tier,
        environment: "lab",
        node_count: 8,
        mode: "distributed",
        run_id: t.runId,
        config_hash: t.configHashes[0],
        cluster_identity: `cluster-${t.tier}-${"c".repeat(40)}`,
        source_digest: `sha256:${"a".repeat(64)}`,
        image_id: `sha256:${"b".repeat(64)}`,
        git_commit: "0123456789abcdef0123456789abcdef01234567",
        git_dirty: false,
        query,
        repetition: seq,
        warmup: false,
        execution_id: `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`,
        wall_seconds: wall,
        recorded_at: `2025-01-01T00:00:${String(seq).padStart(2, "0")}.000Z`,
        ...extra,
    };
}

let tmp: string;
let out: string;
beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "study-report-"));
    out = path.join(tmp, "results", "study-lab");
    const [small, large] = tiers;
    const write = (t: Tier, rows: Row[]) => {
        fs.mkdirSync(path.join(tmp, "results", t.stack), { recursive: true });
        fs.writeFileSync(path.join(tmp, "results", t.stack, "runs.jsonl"), rows.map((r) => JSON.stringify(r) + "\n").join(""));
    };
    write(small, [
        rec(small, "SQ1", 99, { run_id: "1" }), // an earlier series: not this study's
        rec(small, "SQ1", 20),
        rec(small, "SQ1", 24),
        rec(small, "SQ1", 22),
        rec(small, "SQ1", 50, { warmup: true }),
        rec(small, "SQ2", 40),
    ]);
    write(large, [
        rec(large, "SQ1", 10),
        rec(large, "SQ1", 12, { config_hash: "cfg-other" }), // measured something else
        rec(large, "SQ1", 11),
        rec(large, "SQ2", 16, { git_dirty: true }),
    ]);
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const results = () => path.join(tmp, "results");
const table = () => fs.readFileSync(path.join(out, "STUDY.md"), "utf8");

describe("tools/report/study-report.js", () => {
    it("writes the paper's table: per query a row per mode and tier in study order, units on every column, only the study's series", () => {
        expect(writeStudyReport(results(), out, tiers)).toEqual({ files: ["STUDY.md", "SQ1.svg", "SQ2.svg"], runs: 7 });
        const md = table();
        expect(md).toContain("Tiers in study order: 64_4 (stack lab-64_4, run id 2), 128_8 (stack lab-128_8, run id 1). Baseline: 64_4.");
        const sq1 = md.slice(md.indexOf("## SQ1"), md.indexOf("## SQ2"));
        expect(sq1.split("\n").filter((l) => l.startsWith("|"))).toEqual([
            "| mode | tier | RAM (GiB) | CPUs (count) | runs (count) | median (s) | min (s) | max (s) | speed-up vs 64_4 (×) |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            "| distributed | 64_4 | 64 | 4 | 3 | 22.000 | 20.000 | 24.000 | 1.00 |",
            "| distributed | 128_8 | 128 | 8 | 2 | 10.500 | 10.000 | 11.000 | 2.10 |",
        ]);
        expect(sq1).toContain("![SQ1: wall seconds per tier](SQ1.svg)");
        expect(md).toContain("| distributed | 128_8 | 128 | 8 | 1 | 16.000 | 16.000 | 16.000 | 2.50 |");
    });

    it("lists each tier's provenance, every distinct value, the dirty flag among them", () => {
        writeStudyReport(results(), out, tiers);
        const rows = table()
            .split("## Provenance")[1]
            .split("\n")
            .filter((l) => l.startsWith("| 1") || l.startsWith("| 6"));
        expect(rows).toEqual([
            `| 64_4 | sha256:${"a".repeat(64)} | sha256:${"b".repeat(64)} | cluster-64_4-${"c".repeat(40)} | 0123456789abcdef0123456789abcdef01234567 | no |`,
            `| 128_8 | sha256:${"a".repeat(64)} | sha256:${"b".repeat(64)} | cluster-128_8-${"c".repeat(40)} | 0123456789abcdef0123456789abcdef01234567 | no, yes |`,
        ]);
    });

    it("draws one chart per query, tiers on the axis in study order, a dot per run, the median marked, the provenance in a footer", () => {
        writeStudyReport(results(), out, tiers);
        const svg = fs.readFileSync(path.join(out, "SQ1.svg"), "utf8");
        expect(svg).toContain("<title>PARWOP SQ1: wall time per tier, lab, 8 nodes</title>");
        const axis = [...svg.matchAll(/<text x="[\d.]+" y="[\d.]+" text-anchor="middle">([^<]+)<\/text>/g)].map((m) => m[1]);
        expect(axis).toEqual(expect.arrayContaining(["64_4", "128_8", "tier"]));
        expect(axis.indexOf("64_4")).toBeLessThan(axis.indexOf("128_8"));
        const dots = [...svg.matchAll(/<circle class="run" [^>]*><title>([^<]+)<\/title>/g)].map((m) => m[1]);
        expect(dots).toEqual([
            "SQ1 at 64_4: 20.000 s",
            "SQ1 at 64_4: 24.000 s",
            "SQ1 at 64_4: 22.000 s",
            "SQ1 at 128_8: 10.000 s",
            "SQ1 at 128_8: 11.000 s",
        ]);
        expect(svg.match(/<line class="median"/g)).toHaveLength(2);
        const footer = [...svg.matchAll(/<text class="footer" [^>]*>([^<]+)<\/text>/g)].map((m) => m[1]);
        expect(footer).toEqual([
            "PARWOP source sha256:aaaaaaaaaaaa · image sha256:bbbbbbbbbbbb",
            "commit 0123456789ab · uncommitted changes: no",
            `cluster identity: 64_4 cluster-64_4-${"c".repeat(40)}, 128_8 cluster-128_8-${"c".repeat(40)}`,
        ]);
        // SQ2's 128_8 run came from a dirty checkout: the footer says so per tier.
        expect(fs.readFileSync(path.join(out, "SQ2.svg"), "utf8")).toContain(
            "uncommitted changes: 64_4 no, 128_8 yes (differs between tiers)",
        );
    });

    it("is deterministic: the same results write the same bytes", () => {
        writeStudyReport(results(), out, tiers);
        const before = ["STUDY.md", "SQ1.svg", "SQ2.svg"].map((f) => fs.readFileSync(path.join(out, f), "utf8"));
        writeStudyReport(results(), out, tiers);
        expect(["STUDY.md", "SQ1.svg", "SQ2.svg"].map((f) => fs.readFileSync(path.join(out, f), "utf8"))).toEqual(before);
    });

    it("refuses a tier without runs of its series, naming it", () => {
        const missing = { ...tiers[1], runId: "7" };
        expect(() => writeStudyReport(results(), out, [tiers[0], missing])).toThrow(
            `no measured runs for tier 128_8 (lab-128_8, run id 7) in ${results()}`,
        );
    });

    it("renders in headless Chromium as drawn: its size, white ground, each dot in its tier's colour, black medians", () => {
        writeStudyReport(results(), out, tiers);
        const file = path.join(out, "SQ1.svg");
        const svg = fs.readFileSync(file, "utf8");
        const png = path.join(tmp, "SQ1.png");
        renderSvgToPng(file, png);
        const image = decodePng(fs.readFileSync(png));
        expect({ width: image.width, height: image.height }).toEqual(svgSize(svg));
        expect(image.rgb(2, 2)).toEqual([255, 255, 255]);
        const dots = [...svg.matchAll(/<circle class="run" cx="([\d.]+)" cy="([\d.]+)" r="\d+" fill="(#[0-9A-F]{6})"/g)];
        expect(dots).toHaveLength(5);
        for (const [, cx, cy, fill] of dots) expect(colourDistance(image.rgb(Number(cx), Number(cy)), hexRgb(fill))).toBeLessThan(40);
        const medians = [...svg.matchAll(/<line class="median" x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)"/g)];
        expect(medians).toHaveLength(2);
        for (const [, x1, y, x2] of medians) {
            // Black along the line (2 px wide, anti-aliased: the darkest of the rows it covers), but
            // where a run's dot sits on it: at least half of its columns.
            const columns = Array.from({ length: Number(x2) - Number(x1) - 1 }, (_, i) => Number(x1) + 1 + i);
            const black = columns.filter(
                (x) => Math.min(...[-1, 0, 1].map((dy) => colourDistance(image.rgb(x, Number(y) + dy), [0, 0, 0]))) < 40,
            );
            expect(black.length).toBeGreaterThanOrEqual(columns.length / 2);
        }
    });
});
