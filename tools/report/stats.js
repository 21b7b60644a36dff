// @ts-check
/**
 * Pure statistics, selection and grouping for the results report: no I/O, so it is tested on known numbers.
 */
"use strict";

/** @typedef {Record<string, unknown>} Row */

/**
 * @typedef {object} Summary
 * @property {number} runs
 * @property {number} mean seconds
 * @property {number} median seconds
 * @property {number} min seconds
 * @property {number} max seconds
 * @property {number | null} stddev sample standard deviation (n - 1); null for a single run
 */

/**
 * @typedef {object} Group one query at one tier and mode, in one environment with one node count
 * @property {string} environment
 * @property {number | null} nodeCount null where a record does not say
 * @property {string} query
 * @property {string} tier
 * @property {string} mode
 * @property {string[]} stacks the stacks whose runs are pooled here, sorted
 * @property {string[]} runIds the run ids pooled here, sorted
 * @property {number[]} values every wall_seconds, in record order
 * @property {Summary} summary of wall_seconds
 * @property {Record<string, string[]>} differences fields that matter (MATTERS) with more than one value here
 */

/**
 * What makes two results measure different things: pooled together they get a warning. The run
 * id is not among them (a bump re-runs the same thing); tier, mode, environment and node count
 * are part of a group's key.
 */
const MATTERS = ["source_digest", "image_id", "driver_digest", "memory_limit_records", "config_hash"];

/**
 * @param {number[]} values
 * @returns {Summary}
 */
function summarize(values) {
    if (values.length === 0) throw new Error("summarize: no values");
    const sorted = [...values].sort((a, b) => a - b);
    const n = sorted.length;
    const mean = sorted.reduce((s, v) => s + v, 0) / n;
    const mid = Math.floor(n / 2);
    const median = n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    const stddev = n < 2 ? null : Math.sqrt(sorted.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
    return { runs: n, mean, median, min: sorted[0], max: sorted[n - 1], stddev };
}

/**
 * Orders names like people read them: SQ2 before SQ10, tier 32_2 before 128_8.
 * @param {string} a
 * @param {string} b
 */
function naturalCompare(a, b) {
    return a.localeCompare(b, "en", { numeric: true });
}

/** @param {Row} r */
function nodeCountOf(r) {
    if (typeof r.node_count === "number") return r.node_count;
    // records from before node_count was recorded: the inventory's worker ids
    return Array.isArray(r.nodes) ? r.nodes.length : null;
}

/** @param {Row} r */
function groupKey(r) {
    return JSON.stringify([
        String(r.environment ?? "unknown"),
        nodeCountOf(r),
        String(r.query),
        String(r.tier),
        String(r.mode ?? "unknown"),
    ]);
}

/** @param {Row} r measured: not a warm-up, with a time */
function isMeasured(r) {
    return r.warmup !== true && typeof r.wall_seconds === "number";
}

/**
 * @typedef {{ kind: "latest" } | { kind: "run"; runId: string } | { kind: "all" }} Selection
 * latest: in each group, the run id of its most recent record (recorded_at, then file order).
 */

/**
 * The measured records a report shows.
 * @param {Row[]} records in file order
 * @param {Selection} selection
 * @returns {Row[]}
 */
function selectRuns(records, selection) {
    const measured = records.filter(isMeasured);
    if (selection.kind === "all") return measured;
    if (selection.kind === "run") return measured.filter((r) => String(r.run_id) === selection.runId);
    /** @type {Map<string, Row>} */
    const newest = new Map();
    for (const r of measured) {
        const key = groupKey(r);
        const seen = newest.get(key);
        if (seen === undefined || String(r.recorded_at ?? "") >= String(seen.recorded_at ?? "")) newest.set(key, r);
    }
    return measured.filter((r) => String(r.run_id) === String(newest.get(groupKey(r))?.run_id));
}

/**
 * @param {Iterable<unknown>} values
 * @returns {string[]}
 */
function sortedStrings(values) {
    return [...new Set([...values].map((v) => (typeof v === "string" ? v : JSON.stringify(v))))].sort(naturalCompare);
}

/**
 * Groups records by environment, node count, query, tier and mode: a 3-node and an 8-node lab at
 * one tier, or a dev run and a lab run, measure different things. Mode too: local and distributed.
 * @param {Row[]} records measured records (selectRuns)
 * @returns {Group[]} sorted by environment, node count, query, tier, mode
 */
function groupRuns(records) {
    /** @type {Map<string, Row[]>} */
    const byKey = new Map();
    for (const r of records.filter(isMeasured)) byKey.set(groupKey(r), [...(byKey.get(groupKey(r)) ?? []), r]);
    return [...byKey.values()]
        .map((rs) => {
            const first = rs[0];
            /** @type {Record<string, string[]>} */
            const differences = {};
            for (const field of MATTERS) {
                const seen = sortedStrings(rs.map((r) => r[field]).filter((v) => v !== undefined));
                if (seen.length > 1) differences[field] = seen;
            }
            const values = rs.map((r) => /** @type {number} */ (r.wall_seconds));
            return {
                environment: String(first.environment ?? "unknown"),
                nodeCount: nodeCountOf(first),
                query: String(first.query),
                tier: String(first.tier),
                mode: String(first.mode ?? "unknown"),
                stacks: sortedStrings(rs.map((r) => r.stack)),
                runIds: sortedStrings(rs.map((r) => r.run_id)),
                values,
                summary: summarize(values),
                differences,
            };
        })
        .sort(
            (a, b) =>
                naturalCompare(a.environment, b.environment) ||
                (a.nodeCount ?? 0) - (b.nodeCount ?? 0) ||
                naturalCompare(a.query, b.query) ||
                naturalCompare(a.tier, b.tier) ||
                naturalCompare(a.mode, b.mode),
        );
}

/**
 * @typedef {object} Section the groups of one environment and node count, with their speed-ups
 * @property {string} environment
 * @property {number | null} nodeCount
 * @property {string} baseline the tier speed-ups compare against
 * @property {{ group: Group, speedup: number | null }[]} rows speed-up: baseline median / this median, same query and mode
 */

/**
 * Splits groups into sections, one per environment and node count; dev sections last.
 * @param {Group[]} groups
 * @param {string | undefined} baseline a tier; default each section's smallest (natural order: 32_2 before 64_4)
 * @returns {Section[]}
 */
function sections(groups, baseline) {
    /** @type {Map<string, Group[]>} */
    const bySection = new Map();
    for (const g of groups) {
        const key = JSON.stringify([g.environment, g.nodeCount]);
        bySection.set(key, [...(bySection.get(key) ?? []), g]);
    }
    return [...bySection.values()]
        .map((gs) => {
            const base = baseline ?? [...gs.map((g) => g.tier)].sort(naturalCompare)[0];
            const rows = gs.map((group) => {
                const ref = gs.find((g) => g.tier === base && g.query === group.query && g.mode === group.mode);
                return { group, speedup: ref === undefined ? null : ref.summary.median / group.summary.median };
            });
            return { environment: gs[0].environment, nodeCount: gs[0].nodeCount, baseline: base, rows };
        })
        .sort((a, b) => Number(isDev(a)) - Number(isDev(b)));
}

/** @param {{ environment: string }} s */
function isDev(s) {
    return s.environment === "dev";
}

module.exports = { summarize, naturalCompare, selectRuns, groupRuns, sections, isDev, MATTERS };
