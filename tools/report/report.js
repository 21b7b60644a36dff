// @ts-check
/**
 * Results report: reads every RESULTS/<stack>/runs.jsonl (written by scripts/record-result.js) and
 * writes RESULTS/REPORT.md (one section per environment and node count, dev runs last and apart:
 * per query, tier and mode the runs, median, mean, min, max, stddev and speed-up against a
 * baseline tier) and one chart per section, RESULTS/tiers-<environment>-<N>nodes.svg.
 *
 * usage: node tools/report/report.js [RESULTS_DIR] [--run-id ID | --all-runs] [--baseline TIER]
 *   default RESULTS_DIR ./results; default selection: in each group, its latest run id
 *   (runs.jsonl keeps every execution, the report chooses); default baseline: each section's
 *   smallest tier.
 * Output is deterministic (no timestamps), so re-running on the same results changes nothing.
 */
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { groupRuns, naturalCompare, sections, selectRuns } = require("./stats.js");
const { renderTierChart } = require("./svg-chart.js");
const { renderMarkdown } = require("./report-md.js");

/** @typedef {Record<string, unknown>} Row */
/** @typedef {import("./stats.js").Selection} Selection */

const USAGE = "usage: node tools/report/report.js [RESULTS_DIR] [--run-id ID | --all-runs] [--baseline TIER]";

class UsageError extends Error {}

/**
 * @param {string[]} argv
 * @returns {{ resultsDir: string, selection: Selection, baseline: string | undefined }}
 */
function parseArgs(argv) {
    /** @type {string[]} */
    const dirs = [];
    /** @type {Selection} */
    let selection = { kind: "latest" };
    /** @type {string | undefined} */
    let baseline;
    for (let i = 0; i < argv.length; i++) {
        const value = () => {
            if (i + 1 >= argv.length) throw new UsageError(`${argv[i]} needs a value`);
            return argv[++i];
        };
        const a = argv[i];
        if (a === "--run-id") selection = { kind: "run", runId: value() };
        else if (a === "--all-runs") selection = { kind: "all" };
        else if (a === "--baseline") baseline = value();
        else if (a.startsWith("--") || dirs.length > 0) throw new UsageError(`unexpected argument ${a}`);
        else dirs.push(a);
    }
    if (argv.includes("--run-id") && argv.includes("--all-runs")) throw new UsageError("--run-id and --all-runs exclude each other");
    return { resultsDir: dirs[0] ?? "results", selection, baseline };
}

/**
 * @param {string} resultsDir
 * @returns {{ stack: string, records: Row[] }[]} one entry per stack directory with results, sorted by name
 */
function readResults(resultsDir) {
    if (!fs.existsSync(resultsDir)) return [];
    return fs
        .readdirSync(resultsDir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && fs.existsSync(path.join(resultsDir, d.name, "runs.jsonl")))
        .map((d) => d.name)
        .sort(naturalCompare)
        .map((stack) => {
            const file = path.join(resultsDir, stack, "runs.jsonl");
            const records = fs
                .readFileSync(file, "utf8")
                .split("\n")
                .map((line, i) => ({ line, i }))
                .filter(({ line }) => line.trim() !== "")
                .map(({ line, i }) => {
                    try {
                        return /** @type {Row} */ (JSON.parse(line));
                    } catch (e) {
                        throw new Error(`${file}:${i + 1}: not valid JSON (${e instanceof Error ? e.message : e})`);
                    }
                });
            return { stack, records };
        });
}

/**
 * @param {string} environment
 * @param {number | null} nodeCount
 */
function chartFile(environment, nodeCount) {
    return `tiers-${environment.replace(/[^A-Za-z0-9_.-]/g, "_")}-${nodeCount ?? "unknown"}nodes.svg`;
}

/**
 * @param {string} resultsDir
 * @param {{ selection: Selection, baseline: string | undefined }} options
 * @returns {{ runs: number, stacks: number, files: string[] } | null} null when there are no measured runs at all
 */
function writeReport(resultsDir, options) {
    const stacks = readResults(resultsDir);
    const all = stacks.flatMap((s) => s.records);
    if (selectRuns(all, { kind: "all" }).length === 0) return null;
    const selected = selectRuns(all, options.selection);
    if (selected.length === 0) {
        const ids = [...new Set(all.map((r) => String(r.run_id)))].sort(naturalCompare);
        throw new Error(`no measured runs match the selection (run ids in ${resultsDir}: ${ids.join(", ")})`);
    }
    const parts = sections(groupRuns(selected), options.baseline).map((s) => ({ ...s, chart: chartFile(s.environment, s.nodeCount) }));
    const files = ["REPORT.md"];
    fs.writeFileSync(
        path.join(resultsDir, "REPORT.md"),
        renderMarkdown({ stacks, sections: parts, selection: options.selection, shown: selected.length }),
    );
    for (const s of parts) {
        const title = `PARWOP wall time per query and tier: ${s.environment}, ${s.nodeCount ?? "?"} nodes`;
        fs.writeFileSync(
            path.join(resultsDir, s.chart),
            renderTierChart(
                s.rows.map((r) => r.group),
                title,
            ),
        );
        files.push(s.chart);
    }
    return { runs: selected.length, stacks: stacks.length, files };
}

function main() {
    try {
        const { resultsDir, selection, baseline } = parseArgs(process.argv.slice(2));
        const done = writeReport(resultsDir, { selection, baseline });
        if (done === null) {
            process.stdout.write(
                `report: no results yet in ${resultsDir}/: \`pulumi up\` records every run in ${path.join(resultsDir, "<stack>", "runs.jsonl")}, then run npm run report\n`,
            );
            return;
        }
        const written = done.files.map((f) => path.join(resultsDir, f)).join(", ");
        process.stdout.write(`report: ${done.runs} run(s) from ${done.stacks} stack(s) -> ${written}\n`);
    } catch (e) {
        process.stderr.write(`report: ${e instanceof Error ? e.message : String(e)}\n`);
        if (e instanceof UsageError) process.stderr.write(`${USAGE}\n`);
        process.exit(e instanceof UsageError ? 2 : 1);
    }
}

if (require.main === module) main();

module.exports = { readResults, writeReport, parseArgs };
