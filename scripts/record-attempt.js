// @ts-check
/**
 * Notes, on the machine running Pulumi, that an attempt of an experiment run starts: one line in
 * RESULTS_DIR/attempts.jsonl, before the run's cache drops. The program reads the file back on
 * the next `up` (model/attempts.ts): an attempt with no record in runs.jsonl failed or was cut
 * off, so the next `up` makes the next attempt, with fresh drops on every node. The file is a
 * log, not results: nothing in it is a measurement.
 *
 * usage: node scripts/record-attempt.js RESULTS_DIR
 *        (env PARWOP_ATTEMPT: JSON {stack, run, run_id, run_key, attempt}, set by the program; an
 *        attempt N > 1 exists only because attempt N - 1 left no record)
 */
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { InputError, appendLine, lockWaitMs, parseObject } = require("./record-result.js");
const { withResultsLock } = require("./results-lock.js");

/**
 * @param {string} resultsDir
 * @param {string | undefined} json
 * @param {Date} now
 * @returns {Record<string, unknown>} the line written
 */
function recordAttempt(resultsDir, json, now) {
    if (json === undefined || json.trim() === "") throw new InputError("env PARWOP_ATTEMPT is not set");
    const a = parseObject(json, "PARWOP_ATTEMPT");
    for (const key of ["stack", "run", "run_id", "run_key"]) {
        if (typeof a[key] !== "string" || a[key] === "") throw new InputError(`PARWOP_ATTEMPT field ${key} must be a non-empty string`);
    }
    if (!Number.isSafeInteger(a.attempt) || /** @type {number} */ (a.attempt) < 1) {
        throw new InputError(`PARWOP_ATTEMPT field attempt must be a whole number > 0, got ${JSON.stringify(a.attempt)}`);
    }
    fs.mkdirSync(resultsDir, { recursive: true });
    const line = { ...a, started_at: now.toISOString() };
    withResultsLock(resultsDir, lockWaitMs(), () => appendLine(path.join(resultsDir, "attempts.jsonl"), line));
    return line;
}

function main() {
    const resultsDir = process.argv[2];
    if (!resultsDir || process.argv.length > 3) {
        process.stderr.write("usage: node scripts/record-attempt.js RESULTS_DIR\n");
        process.exit(2);
    }
    try {
        const a = recordAttempt(resultsDir, process.env.PARWOP_ATTEMPT, new Date());
        const n = Number(a.attempt);
        const retry = n > 1 ? ` (attempt ${n - 1} left no record: this one drops the caches again)` : "";
        process.stdout.write(`attempt ${String(a.attempt)} of ${String(a.run)} started${retry}\n`);
    } catch (e) {
        process.stderr.write(`record-attempt: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
    }
}

if (require.main === module) main();

module.exports = { recordAttempt };
