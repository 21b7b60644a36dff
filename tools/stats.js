// @ts-check
/**
 * Pure statistics and grouping for the results report: no I/O, so it is tested on known numbers.
 */
"use strict";

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
 * @typedef {object} Group one query at one tier and mode, over every stack that ran it
 * @property {string} query
 * @property {string} tier
 * @property {string} mode
 * @property {string[]} stacks the stacks whose runs are pooled here, sorted
 * @property {string[]} configs the config hashes pooled here, sorted (more than one: mixed settings)
 * @property {Summary} summary of wall_seconds
 */

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

/**
 * Groups measured (non-warm-up) runs by query, tier and mode. Mode is part of the key because a
 * local and a distributed run at the same tier measure different things.
 * @param {Record<string, unknown>[]} records runs.jsonl records
 * @returns {Group[]} sorted by query, then tier, then mode
 */
function groupRuns(records) {
    /** @type {Map<string, { query: string, tier: string, mode: string, stacks: Set<string>, configs: Set<string>, values: number[] }>} */
    const groups = new Map();
    for (const r of records) {
        if (r.warmup === true || typeof r.wall_seconds !== "number") continue;
        const query = String(r.query);
        const tier = String(r.tier);
        const mode = String(r.mode ?? "unknown");
        const key = JSON.stringify([query, tier, mode]);
        let g = groups.get(key);
        if (g === undefined) {
            g = { query, tier, mode, stacks: new Set(), configs: new Set(), values: [] };
            groups.set(key, g);
        }
        g.stacks.add(String(r.stack));
        g.configs.add(String(r.config_hash ?? "unknown"));
        g.values.push(r.wall_seconds);
    }
    return [...groups.values()]
        .map((g) => ({
            query: g.query,
            tier: g.tier,
            mode: g.mode,
            stacks: [...g.stacks].sort(naturalCompare),
            // More than one config hash: runs of different settings (threads, records limit…) are pooled.
            configs: [...g.configs].sort(naturalCompare),
            summary: summarize(g.values),
        }))
        .sort((a, b) => naturalCompare(a.query, b.query) || naturalCompare(a.tier, b.tier) || naturalCompare(a.mode, b.mode));
}

module.exports = { summarize, groupRuns, naturalCompare };
