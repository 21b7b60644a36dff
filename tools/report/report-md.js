// @ts-check
/**
 * REPORT.md for tools/report/report.js: pure, from the sections stats.js computed.
 */
"use strict";

const { isDev } = require("./stats.js");

/** @typedef {Record<string, unknown>} Row */
/** @typedef {import("./stats.js").Section & { chart: string }} ChartedSection */

/** @param {unknown} value */
function cell(value) {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** @param {number | null} n */
function fmt(n) {
    return n === null ? "–" : n.toFixed(3);
}

/**
 * Every distinct value a field takes, in first-seen order: a stack whose commit, source or image
 * changed between executions shows all of them rather than silently the last.
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

/** @param {import("./stats.js").Selection} s */
function describeSelection(s) {
    if (s.kind === "run") return `run id ${s.runId}`;
    if (s.kind === "all") return "every run id";
    return "the latest run id of each group (--run-id ID for another, --all-runs for every one)";
}

/** @param {ChartedSection} s */
function renderSection(s) {
    const where = `${s.environment}, ${s.nodeCount ?? "?"} nodes`;
    const lines = isDev(s)
        ? [`## Dev runs: ${where}`, "", "This machine, not a lab: never compare these figures with a lab's.", ""]
        : [`## ${where}`, ""];
    lines.push(
        `![wall seconds per query and tier, ${where}](${s.chart})`,
        "",
        `| query | mode | tier | run ids | runs | median | mean | min | max | stddev | speed-up vs ${cell(s.baseline)} | stacks |`,
        "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ...s.rows.map(({ group: g, speedup }) => {
            const m = g.summary;
            const up = speedup === null ? "–" : `${speedup.toFixed(2)}×`;
            const stats = [m.runs, fmt(m.median), fmt(m.mean), fmt(m.min), fmt(m.max), fmt(m.stddev), up].join(" | ");
            return `| ${cell(g.query)} | ${cell(g.mode)} | ${cell(g.tier)} | ${g.runIds.map(cell).join(", ")} | ${stats} | ${g.stacks.map(cell).join(", ")} |`;
        }),
        "",
    );
    const mixed = s.rows.map((r) => r.group).filter((g) => Object.keys(g.differences).length > 0);
    if (mixed.length > 0) {
        lines.push(
            "Pooled runs that differ in what they measure (compare with care; choose one with --run-id, and bump parwop:experiment.runId when you change what you measure):",
            "",
            ...mixed.map((g) => {
                const what = Object.entries(g.differences).map(([field, values]) => `${field} ${values.map(cell).join(", ")}`);
                return `- ${cell(g.query)} ${cell(g.mode)} ${cell(g.tier)}: ${what.join("; ")}`;
            }),
            "",
        );
    }
    return lines;
}

/**
 * @param {{ stacks: { stack: string, records: Row[] }[], sections: ChartedSection[], selection: import("./stats.js").Selection, shown: number }} input
 * @returns {string}
 */
function renderMarkdown({ stacks, sections, selection, shown }) {
    const all = stacks.flatMap((s) => s.records);
    const warmups = all.filter((r) => r.warmup === true).length;
    const others = all.length - warmups - shown;
    const lines = [
        "# PARWOP results",
        "",
        `${shown} measured run(s) shown: ${describeSelection(selection)}. Not shown: ${warmups} warm-up run(s), ${others} run(s) of other run ids.`,
        "Wall seconds are the query alone, as timed by the driver (scripts/driver.py). Speed-up is the baseline tier's median over the row's, same query and mode.",
        "stddev is the sample standard deviation (n − 1); – where a group has a single run.",
        "",
        ...sections.flatMap(renderSection),
        "## Stacks",
        "",
        "| stack | environment | nodes | tier | mode | run ids | source digests | image ids | commits | records |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | ---: |",
        ...stacks.map(({ stack, records }) => {
            const fields = ["environment", "node_count", "tier", "mode", "run_id", "source_digest", "image_id", "git_commit"];
            return `| ${[cell(stack), ...fields.map((f) => distinct(records, f)), String(records.length)].join(" | ")} |`;
        }),
        "",
    ];
    return lines.join("\n");
}

/**
 * @typedef {object} StudyTier one tier of a study, in the study's order
 * @property {string} tier
 * @property {string} stack
 * @property {string} runId the run id whose runs the study shows
 * @property {number} ramGiB
 * @property {number} cpus
 */

/**
 * @typedef {object} TierProvenance what produced one tier's figures: every distinct value among its runs
 * @property {string} tier
 * @property {string[]} source PARWOP source digests
 * @property {string[]} image image IDs
 * @property {string[]} cluster cluster identities
 * @property {string[]} commit git commits
 * @property {string[]} dirty "yes", "no" or "unknown" (the checkout had uncommitted changes)
 */

/**
 * The study's table: per query, one row per mode and tier in the study's order, with units on
 * every column, each query's chart above its table, the provenance below.
 * @param {{ title: string, tiers: StudyTier[], baseline: string, rows: { group: import("./stats.js").Group, speedup: number | null }[], charts: Record<string, string>, provenance: TierProvenance[] }} input
 * @returns {string}
 */
function renderStudyTable({ title, tiers, baseline, rows, charts, provenance }) {
    const order = tiers.map((t) => t.tier);
    const byTier = new Map(tiers.map((t) => [t.tier, t]));
    const queries = [...new Set(rows.map((r) => r.group.query))];
    const lines = [
        `# ${title}`,
        "",
        `Tiers in study order: ${tiers.map((t) => `${cell(t.tier)} (stack ${cell(t.stack)}, run id ${cell(t.runId)})`).join(", ")}. Baseline: ${cell(baseline)}.`,
        "Wall seconds are the query alone, as timed by the driver (scripts/driver.py); warm-up runs are not shown. Speed-up is the baseline tier's median over the row's, same query and mode.",
        "",
    ];
    for (const query of queries) {
        const mine = rows
            .filter((r) => r.group.query === query)
            .sort((a, b) => a.group.mode.localeCompare(b.group.mode) || order.indexOf(a.group.tier) - order.indexOf(b.group.tier));
        lines.push(
            `## ${cell(query)}`,
            "",
            `![${cell(query)}: wall seconds per tier](${charts[query]})`,
            "",
            `| mode | tier | RAM (GiB) | CPUs (count) | runs (count) | median (s) | min (s) | max (s) | speed-up vs ${cell(baseline)} (×) |`,
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            ...mine.map(({ group: g, speedup }) => {
                const t = byTier.get(g.tier);
                const m = g.summary;
                const figures = [
                    t?.ramGiB ?? "–",
                    t?.cpus ?? "–",
                    m.runs,
                    fmt(m.median),
                    fmt(m.min),
                    fmt(m.max),
                    speedup === null ? "–" : speedup.toFixed(2),
                ];
                return `| ${cell(g.mode)} | ${cell(g.tier)} | ${figures.join(" | ")} |`;
            }),
            "",
        );
    }
    lines.push(
        "## Provenance",
        "",
        "| tier | PARWOP source digest | image ID | cluster identity | git commit | uncommitted changes |",
        "| --- | --- | --- | --- | --- | --- |",
        ...provenance.map(
            (p) =>
                `| ${[p.tier, p.source, p.image, p.cluster, p.commit, p.dirty].map((v) => (Array.isArray(v) ? listed(v) : cell(v))).join(" | ")} |`,
        ),
        "",
    );
    return lines.join("\n");
}

/** @param {string[]} values */
function listed(values) {
    return values.length === 0 ? "–" : values.map(cell).join(", ");
}

module.exports = { renderMarkdown, renderStudyTable };
