import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FIXTURES, ROOT, run } from "./proc";

const REPORT = path.join(ROOT, "tools", "report", "report.js");

let tmp: string;
beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "report-"));
    fs.cpSync(path.join(FIXTURES, "report-results"), path.join(tmp, "results"), { recursive: true });
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs the report the way `npm run report` does: from the project dir, default ./results. */
function report(...args: string[]) {
    return run("node", [REPORT, ...args], { cwd: tmp });
}
const read = (file: string) => fs.readFileSync(path.join(tmp, "results", file), "utf8");
/** The table row of one query, mode and tier in one section of REPORT.md. */
function row(markdown: string, section: string, key: string): string | undefined {
    const body = markdown.split(/^## /m).find((s) => s.startsWith(section + "\n"));
    return body?.split("\n").find((l) => l.startsWith(`| ${key} |`));
}

// The fixture: lab-32_2 (8 nodes, run ids 1 and 2, one warm-up, SQ2 of run 2 pooled across a
// PARWOP rebuild), lab-64_4 (8 nodes), lab3-32_2 (a 3-node lab at the same tier), dev.
describe("tools/report/report.js, default selection: each group's latest run id", () => {
    let markdown: string;
    beforeEach(() => {
        expect(report()).toEqual({
            code: 0,
            stdout: "report: 14 run(s) from 4 stack(s) -> results/REPORT.md, results/tiers-lab-3nodes.svg, results/tiers-lab-8nodes.svg, results/tiers-dev-2nodes.svg\n",
            stderr: "",
        });
        markdown = read("REPORT.md");
    });

    it("keeps environments and node counts apart, dev runs in their own section, last", () => {
        const headings = markdown.split("\n").filter((l) => l.startsWith("## "));
        expect(headings).toEqual(["## lab, 3 nodes", "## lab, 8 nodes", "## Dev runs: dev, 2 nodes", "## Stacks"]);
        expect(row(markdown, "lab, 3 nodes", "SQ1 | distributed | 32_2")).toBe(
            "| SQ1 | distributed | 32_2 | 1 | 2 | 32.000 | 32.000 | 30.000 | 34.000 | 2.828 | 1.00× | lab3-32_2 |",
        );
        expect(row(markdown, "Dev runs: dev, 2 nodes", "SQ1 | distributed | dev")).toBe(
            "| SQ1 | distributed | dev | 1 | 2 | 0.600 | 0.600 | 0.500 | 0.700 | 0.141 | 1.00× | dev |",
        );
        expect(markdown).toContain("This machine, not a lab: never compare these figures with a lab's.");
    });

    it("shows the latest run id of each group, with median, spread and speed-up against the smallest tier", () => {
        const lab8 = (key: string) => row(markdown, "lab, 8 nodes", key);
        // run id 2 (10, 12, 14), not run id 1 (20, 22, 24) nor the 30 s warm-up
        expect(lab8("SQ1 | distributed | 32_2")).toBe(
            "| SQ1 | distributed | 32_2 | 2 | 3 | 12.000 | 12.000 | 10.000 | 14.000 | 2.000 | 1.00× | lab-32_2 |",
        );
        expect(lab8("SQ1 | distributed | 64_4")).toBe(
            "| SQ1 | distributed | 64_4 | 1 | 2 | 6.500 | 6.500 | 6.000 | 7.000 | 0.707 | 1.85× | lab-64_4 |",
        );
        expect(lab8("SQ2 | distributed | 64_4")).toBe(
            "| SQ2 | distributed | 64_4 | 1 | 2 | 12.000 | 12.000 | 11.000 | 13.000 | 1.414 | 1.75× | lab-64_4 |",
        );
        expect(markdown).toContain(
            "14 measured run(s) shown: the latest run id of each group (--run-id ID for another, --all-runs for every one). Not shown: 1 warm-up run(s), 3 run(s) of other run ids.",
        );
        // natural order: SQ10 after SQ2
        expect(markdown.indexOf("| SQ10 |")).toBeGreaterThan(markdown.indexOf("| SQ2 | distributed | 64_4 |"));
    });

    it("warns only where pooled runs differ in what they measure", () => {
        const warnings = markdown.split("\n").filter((l) => l.startsWith("- "));
        expect(warnings).toEqual(["- SQ2 distributed 32_2: source_digest src-1, src-2; image_id sha256:aaaa, sha256:bbbb"]);
    });

    it("lists each stack's provenance: every run id, source, image and commit it holds", () => {
        expect(markdown).toContain(
            "| lab-32_2 | lab | 8 | 32_2 | distributed | 1, 2 | src-1, src-2 | sha256:aaaa, sha256:bbbb | abc1234, def5678 | 10 |",
        );
        expect(markdown).toContain("![wall seconds per query and tier, lab, 8 nodes](tiers-lab-8nodes.svg)");
    });

    it("draws every run as a dot and each group's median, one chart per section", () => {
        const svg = read("tiers-lab-8nodes.svg");
        expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
        expect(svg).toContain("<title>PARWOP wall time per query and tier: lab, 8 nodes</title>");
        const dots = [...svg.matchAll(/<circle class="run" cx="[\d.]+" cy="([\d.]+)" [^>]*><title>([^<]+)<\/title>/g)];
        expect(dots.map((d) => d[2])).toEqual([
            "SQ1 at 32_2: 10.000 s",
            "SQ1 at 32_2: 12.000 s",
            "SQ1 at 32_2: 14.000 s",
            "SQ1 at 64_4: 6.000 s",
            "SQ1 at 64_4: 7.000 s",
            "SQ2 at 32_2: 20.000 s",
            "SQ2 at 32_2: 22.000 s",
            "SQ2 at 64_4: 11.000 s",
            "SQ2 at 64_4: 13.000 s",
            "SQ10 at 32_2: 5.000 s",
        ]);
        const medians = [...svg.matchAll(/<line class="median" x1="[\d.]+" y1="([\d.]+)"/g)].map((m) => Number(m[1]));
        expect(medians).toHaveLength(5);
        // y grows downwards from the axis: a dot at 12 s sits on SQ1 32_2's median line, 10 s and 14 s either side
        const cy = dots.map((d) => Number(d[1]));
        expect(cy[1]).toBeCloseTo(medians[0], 5);
        expect(cy[0] - cy[1]).toBeCloseTo(cy[1] - cy[2], 5);
        expect(read("tiers-dev-2nodes.svg")).toContain("SQ1 at dev: 0.500 s");
        expect(read("tiers-lab-3nodes.svg")).not.toContain("SQ2");
    });

    it("is deterministic: a second run writes the same bytes", () => {
        const svg = read("tiers-lab-8nodes.svg");
        expect(report("results").code).toBe(0);
        expect(read("tiers-lab-8nodes.svg")).toBe(svg);
        expect(read("REPORT.md")).toBe(markdown);
    });
});

describe("tools/report/report.js selections and baselines", () => {
    it("--run-id shows that run id only", () => {
        expect(report("--run-id", "1").code).toBe(0);
        const markdown = read("REPORT.md");
        expect(row(markdown, "lab, 8 nodes", "SQ1 | distributed | 32_2")).toBe(
            "| SQ1 | distributed | 32_2 | 1 | 3 | 22.000 | 22.000 | 20.000 | 24.000 | 2.000 | 1.00× | lab-32_2 |",
        );
        expect(row(markdown, "lab, 8 nodes", "SQ1 | distributed | 64_4")).toMatch(/ 6\.500 .* 3\.38× /);
        expect(markdown).not.toContain("| SQ10 |");
        expect(markdown).toContain("shown: run id 1.");
    });

    it("--all-runs pools every run id, without a warning for the run id alone", () => {
        expect(report("--all-runs").code).toBe(0);
        const markdown = read("REPORT.md");
        expect(row(markdown, "lab, 8 nodes", "SQ1 | distributed | 32_2")).toBe(
            "| SQ1 | distributed | 32_2 | 1, 2 | 6 | 17.000 | 17.000 | 10.000 | 24.000 | 5.762 | 1.00× | lab-32_2 |",
        );
        expect(markdown).not.toContain("- SQ1 distributed 32_2");
    });

    it("--baseline compares against the tier given, – where a section lacks it", () => {
        expect(report("--baseline", "64_4").code).toBe(0);
        const markdown = read("REPORT.md");
        expect(markdown).toContain("| speed-up vs 64_4 |");
        expect(row(markdown, "lab, 8 nodes", "SQ1 | distributed | 32_2")).toMatch(/ 0\.54× \| lab-32_2 \|$/);
        expect(row(markdown, "lab, 8 nodes", "SQ1 | distributed | 64_4")).toMatch(/ 1\.00× \| lab-64_4 \|$/);
        expect(row(markdown, "Dev runs: dev, 2 nodes", "SQ1 | distributed | dev")).toMatch(/ – \| dev \|$/);
    });

    it("an unknown run id fails, naming the run ids there", () => {
        expect(report("--run-id", "9")).toEqual({
            code: 1,
            stdout: "",
            stderr: "report: no measured runs match the selection (run ids in results: 1, 2)\n",
        });
    });

    it.each([[["--run-id"]], [["--bogus"]], [["a", "b"]], [["--run-id", "1", "--all-runs"]]])(
        "rejects %j with usage and exit 2",
        (args) => {
            const r = report(...args);
            expect(r.code).toBe(2);
            expect(r.stderr).toMatch(
                /\nusage: node tools\/report\/report\.js \[RESULTS_DIR\] \[--run-id ID \| --all-runs\] \[--baseline TIER\]\n$/,
            );
        },
    );
});

describe("tools/report/report.js edge cases", () => {
    it.each([
        ["no results dir", () => fs.rmSync(path.join(tmp, "results"), { recursive: true })],
        ["stacks without runs", () => fs.rmSync(path.join(tmp, "results", "dev", "runs.jsonl"))],
    ])("with %s: one helpful line, exit 0, nothing written", (_name, prepare) => {
        fs.rmSync(path.join(tmp, "results"), { recursive: true });
        fs.mkdirSync(path.join(tmp, "results", "dev"), { recursive: true });
        fs.writeFileSync(path.join(tmp, "results", "dev", "runs.jsonl"), "");
        prepare();
        expect(report()).toEqual({
            code: 0,
            stdout: "report: no results yet in results/: `pulumi up` records every run in results/<stack>/runs.jsonl, then run npm run report\n",
            stderr: "",
        });
        expect(fs.existsSync(path.join(tmp, "results", "REPORT.md"))).toBe(false);
    });

    it("names the file and line of a corrupt record", () => {
        fs.appendFileSync(path.join(tmp, "results", "lab-64_4", "runs.jsonl"), "{oops\n");
        const r = report();
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/^report: results\/lab-64_4\/runs\.jsonl:5: not valid JSON/);
    });
});
