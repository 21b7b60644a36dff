// @ts-check
/**
 * The study's result (tools/study/study.ts calls it when every tier is done): from the tiers' own
 * runs.jsonl, exactly the series the study counted as done (each tier's current run id and its runs'
 * config hashes), the paper's table OUT_DIR/STUDY.md and one chart per query, OUT_DIR/<query>.svg, with the
 * provenance in the chart's footer and under the table. The numbers are the report's
 * (stats.js), the rendering its renderers (report-md.js, svg-chart.js).
 * Deterministic: the same results write the same bytes.
 */
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { readResults } = require("./report.js");
const { groupRuns, sections, selectRuns } = require("./stats.js");
const { renderStudyTable } = require("./report-md.js");
const { renderQueryChart } = require("./svg-chart.js");

/** @typedef {Record<string, unknown>} Row */
/** @typedef {import("./report-md.js").StudyTier & { configHashes: string[] }} Tier */
/** @typedef {import("./report-md.js").TierProvenance} TierProvenance */

/**
 * The measured runs of one tier's series: its stack, its run id, its runs' config hashes.
 * @param {Row[]} records every record of the tier's stack
 * @param {Tier} t
 */
function seriesOf(records, t) {
    return selectRuns(records, { kind: "all" }).filter(
        (r) => r.stack === t.stack && String(r.run_id) === t.runId && t.configHashes.includes(String(r.config_hash)),
    );
}

/**
 * @param {Row[]} records
 * @param {string} field
 * @returns {string[]} distinct values in first-seen order
 */
function distinct(records, field) {
    return [
        ...new Set(
            records
                .map((r) => r[field])
                .filter((v) => v !== undefined)
                .map((v) => (typeof v === "string" ? v : JSON.stringify(v))),
        ),
    ];
}

/**
 * @param {string} tier
 * @param {Row[]} records
 * @returns {TierProvenance}
 */
function provenanceOf(tier, records) {
    const dirty = [...new Set(records.map((r) => (r.git_dirty === true ? "yes" : r.git_dirty === false ? "no" : "unknown")))];
    return {
        tier,
        source: distinct(records, "source_digest"),
        image: distinct(records, "image_id"),
        cluster: distinct(records, "cluster_identity"),
        commit: distinct(records, "git_commit"),
        dirty,
    };
}

/** A digest short enough for a chart's footer: sha256:0123456789ab. @param {string} v */
function short(v) {
    return v.replace(/^((?:sha256:)?[0-9a-f]{12})[0-9a-f]+$/, "$1");
}

/**
 * The footer's lines: what every tier shares once, what differs per tier (cluster identity always).
 * @param {TierProvenance[]} provenance
 * @returns {string[]}
 */
function footerLines(provenance) {
    /** @param {"source" | "image" | "commit" | "dirty"} field */
    const shared = (field) => {
        const all = [...new Set(provenance.flatMap((p) => p[field]))];
        if (all.length <= 1) return all.map(short).join("") || "–";
        return provenance.map((p) => `${p.tier} ${p[field].map(short).join("/")}`).join(", ") + " (differs between tiers)";
    };
    return [
        `PARWOP source ${shared("source")} · image ${shared("image")}`,
        `commit ${shared("commit")} · uncommitted changes: ${shared("dirty")}`,
        `cluster identity: ${provenance.map((p) => `${p.tier} ${p.cluster.map(short).join("/") || "–"}`).join(", ")}`,
    ];
}

/** @param {string} name */
function fileSafe(name) {
    return name.replace(/[^A-Za-z0-9_.-]/g, "_");
}

/**
 * @param {string} resultsDir where every stack's runs.jsonl is (results/)
 * @param {string} outDir where the study's table and charts go
 * @param {Tier[]} tiers in the study's order; the first is the baseline
 * @returns {{ files: string[], runs: number }}
 */
function writeStudyReport(resultsDir, outDir, tiers) {
    const stacks = new Map(readResults(resultsDir).map((s) => [s.stack, s.records]));
    const perTier = tiers.map((t) => ({ t, runs: seriesOf(stacks.get(t.stack) ?? [], t) }));
    const empty = perTier.filter((p) => p.runs.length === 0).map((p) => `${p.t.tier} (${p.t.stack}, run id ${p.t.runId})`);
    if (empty.length > 0) throw new Error(`no measured runs for tier ${empty.join(", ")} in ${resultsDir}`);
    const baseline = tiers[0].tier;
    const rows = sections(groupRuns(perTier.flatMap((p) => p.runs)), baseline).flatMap((s) => s.rows);
    const provenance = perTier.map((p) => provenanceOf(p.t.tier, p.runs));
    const first = rows[0].group;
    const where = `${first.environment}, ${first.nodeCount ?? "?"} nodes`;
    fs.mkdirSync(outDir, { recursive: true });
    /** @type {Record<string, string>} */
    const charts = {};
    for (const query of [...new Set(rows.map((r) => r.group.query))]) {
        charts[query] = `${fileSafe(query)}.svg`;
        const groups = rows.map((r) => r.group).filter((g) => g.query === query);
        const title = `PARWOP ${query}: wall time per tier, ${where}`;
        // The footer speaks for the runs drawn: this query's.
        const footer = footerLines(
            perTier.map((p) =>
                provenanceOf(
                    p.t.tier,
                    p.runs.filter((r) => r.query === query),
                ),
            ),
        );
        const order = tiers.map((t) => t.tier);
        fs.writeFileSync(path.join(outDir, charts[query]), renderQueryChart(groups, order, title, footer));
    }
    const title = `PARWOP tier study: ${where}`;
    fs.writeFileSync(path.join(outDir, "STUDY.md"), renderStudyTable({ title, tiers, baseline, rows, charts, provenance }));
    return { files: ["STUDY.md", ...Object.values(charts)], runs: perTier.reduce((n, p) => n + p.runs.length, 0) };
}

module.exports = { writeStudyReport, footerLines };
