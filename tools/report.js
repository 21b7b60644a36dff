// @ts-check
/**
 * Results report: reads every RESULTS/<stack>/runs.jsonl (written by scripts/record-result.js),
 * ignores warm-up runs, and writes RESULTS/REPORT.md (per query and tier: runs, mean, median, min,
 * max, sample stddev of wall seconds, plus each stack's provenance) and RESULTS/tiers.svg.
 *
 * usage: node tools/report.js [RESULTS_DIR]   (default ./results)
 * Output is deterministic (no timestamps), so re-running on the same results changes nothing.
 */
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { groupRuns, naturalCompare } = require("./stats.js");
const { renderTierChart } = require("./svg-chart.js");

/** @typedef {Record<string, unknown>} Row */
/** @typedef {import("./stats.js").Group} Group */

/**
 * @param {string} resultsDir
 * @returns {{ stack: string, records: Row[] }[]} one entry per stack directory, sorted by name
 */
function readResults(resultsDir) {
    if (!fs.existsSync(resultsDir)) throw new Error(`results dir ${resultsDir} does not exist`);
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

/** @param {unknown} value */
function cell(value) {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/**
 * Every distinct value a field takes in a stack's records, in first-seen order: a stack whose
 * commit or config changed between run ids shows all of them rather than silently the last.
 * @param {Row[]} records
 * @param {string} field
 */
function distinct(records, field) {
    const values = [
        ...new Set(
            records
                .map((r) => r[field])
                .filter((v) => v !== undefined)
                .map(cell),
        ),
    ];
    return values.length === 0 ? "–" : values.join(", ");
}

/** @param {number | null} n */
function fmt(n) {
    return n === null ? "–" : n.toFixed(3);
}

/**
 * @param {{ stack: string, records: Row[] }[]} stacks
 * @param {Group[]} groups
 * @returns {string}
 */
function renderMarkdown(stacks, groups) {
    const all = stacks.flatMap((s) => s.records);
    const warmups = all.filter((r) => r.warmup === true).length;
    const measured = groups.reduce((n, g) => n + g.summary.runs, 0);
    const lines = [
        "# PARWOP results",
        "",
        `${measured} measured run(s) from ${stacks.length} stack(s); ${warmups} warm-up run(s) ignored.`,
        "Wall seconds are the query alone, as timed by the driver (scripts/driver.py).",
        "",
        "![median wall seconds per query and tier](tiers.svg)",
        "",
        "## Wall seconds per query and tier",
        "",
    ];
    if (groups.length === 0) {
        lines.push("No measured runs yet.", "");
    } else {
        lines.push(
            "| query | tier | mode | runs | mean | median | min | max | stddev | stacks |",
            "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
            ...groups.map((g) => {
                const s = g.summary;
                return `| ${cell(g.query)} | ${cell(g.tier)} | ${cell(g.mode)} | ${s.runs} | ${fmt(s.mean)} | ${fmt(s.median)} | ${fmt(s.min)} | ${fmt(s.max)} | ${fmt(s.stddev)} | ${g.stacks.map(cell).join(", ")} |`;
            }),
            "",
            "stddev is the sample standard deviation (n − 1); – where a group has a single run.",
            "",
        );
        const mixed = groups.filter((g) => g.configs.length > 1);
        if (mixed.length > 0) {
            lines.push(
                "Pooled from more than one config (compare with care; see the stacks' config hashes):",
                "",
                ...mixed.map((g) => `- ${cell(g.query)} ${cell(g.tier)} ${cell(g.mode)}: ${g.configs.map(cell).join(", ")}`),
                "",
            );
        }
    }
    lines.push(
        "## Stacks",
        "",
        "| stack | tier | environment | commit | config hash | run ids | records |",
        "| --- | --- | --- | --- | --- | --- | ---: |",
        ...stacks
            .map(({ stack, records }) =>
                [
                    cell(stack),
                    distinct(records, "tier"),
                    distinct(records, "environment"),
                    distinct(records, "git_commit"),
                    distinct(records, "config_hash"),
                    distinct(records, "run_id"),
                    String(records.length),
                ].join(" | "),
            )
            .map((row) => `| ${row} |`),
        "",
    );
    return lines.join("\n");
}

/**
 * @param {string} resultsDir
 * @returns {{ markdown: string, svg: string, runs: number, stacks: number }}
 */
function writeReport(resultsDir) {
    const stacks = readResults(resultsDir);
    const groups = groupRuns(stacks.flatMap((s) => s.records));
    const markdown = renderMarkdown(stacks, groups);
    const svg = renderTierChart(groups);
    fs.writeFileSync(path.join(resultsDir, "REPORT.md"), markdown);
    fs.writeFileSync(path.join(resultsDir, "tiers.svg"), svg);
    return { markdown, svg, runs: groups.reduce((n, g) => n + g.summary.runs, 0), stacks: stacks.length };
}

function main() {
    const resultsDir = process.argv[2] ?? "results";
    try {
        const { runs, stacks } = writeReport(resultsDir);
        process.stdout.write(
            `report: ${runs} run(s) from ${stacks} stack(s) -> ${path.join(resultsDir, "REPORT.md")}, ${path.join(resultsDir, "tiers.svg")}\n`,
        );
    } catch (e) {
        process.stderr.write(`report: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
    }
}

if (require.main === module) main();

module.exports = { readResults, renderMarkdown, writeReport };
