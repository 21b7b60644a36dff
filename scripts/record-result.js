// @ts-check
/**
 * Records one experiment run on the machine running Pulumi.
 *
 * usage: node scripts/record-result.js RESULTS_DIR   (stdin: the driver's JSON line;
 *        env PARWOP_PROVENANCE: JSON object with stack, tier, environment, nodes, config_hash, run_id)
 *
 * Adds git_commit: this checkout's commit at the time of recording. The program does not pass it,
 * so that a new commit changes no input of the record commands and never re-records old runs.
 *
 * Upserts the merged record into RESULTS_DIR/runs.jsonl, keyed by (run_id, config_hash, query,
 * repetition, warmup) so re-running a run id replaces instead of duplicating, then rewrites RESULTS_DIR/runs.csv
 * from the whole jsonl. Plain Node, no dependencies: it runs wherever `pulumi up` runs.
 */
"use strict";

const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

/** @typedef {Record<string, unknown>} Row */

/** CSV columns that come first, in this order; any other field follows, sorted by name. */
const CSV_COLUMNS = [
    "run_id",
    "stack",
    "tier",
    "environment",
    "mode",
    "query",
    "repetition",
    "warmup",
    "wall_seconds",
    "batches",
    "rows",
    "memory_limit_records",
    "nodes",
    "started_at",
    "ended_at",
    "git_commit",
    "config_hash",
    "recorded_at",
];

/** Thrown for bad input; main() prints its message as the one line of output. */
class InputError extends Error {}

/**
 * @param {string} text
 * @param {string} what for the error message
 * @returns {Row}
 */
function parseObject(text, what) {
    /** @type {unknown} */
    let value;
    try {
        value = JSON.parse(text);
    } catch (e) {
        throw new InputError(`${what} is not valid JSON: ${e instanceof Error ? e.message : e}`);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new InputError(`${what} is not a JSON object`);
    }
    return /** @type {Row} */ (value);
}

/**
 * @param {Row} obj
 * @param {string} what
 * @param {Record<string, "string" | "number" | "boolean">} fields
 */
function requireFields(obj, what, fields) {
    for (const [key, type] of Object.entries(fields)) {
        if (typeof obj[key] !== type) {
            throw new InputError(`${what} field ${key} must be a ${type}, got ${JSON.stringify(obj[key])}`);
        }
    }
}

/**
 * Parses the driver's output: exactly one non-empty line holding a JSON object. Anything more
 * means something polluted the driver's stdout, and guessing which line is the result is unsafe.
 * @param {string} stdin
 * @returns {Row}
 */
function parseDriverLine(stdin) {
    const lines = stdin.split("\n").filter((l) => l.trim() !== "");
    if (lines.length !== 1) {
        throw new InputError(`expected one JSON line on stdin, got ${lines.length} lines`);
    }
    const run = parseObject(lines[0], "stdin");
    requireFields(run, "stdin", { query: "string", repetition: "number", warmup: "boolean", wall_seconds: "number" });
    return run;
}

/**
 * Provenance first, then the run's own fields. A provenance field the run also reports with
 * another value (e.g. `nodes`: the inventory vs the workers the run used) is kept as
 * `provenance_<name>`; a tier disagreement would file the run under the wrong tier, so it fails.
 * @param {Row} provenance
 * @param {Row} run
 * @param {string} recordedAt
 * @returns {Row}
 */
function mergeRecord(provenance, run, recordedAt) {
    if (run.tier !== undefined && provenance.tier !== undefined && run.tier !== provenance.tier) {
        throw new InputError(`tier mismatch: provenance says ${provenance.tier}, the run says ${run.tier}`);
    }
    /** @type {Row} */
    const merged = { ...provenance };
    for (const [key, value] of Object.entries(run)) {
        if (key in provenance && JSON.stringify(provenance[key]) !== JSON.stringify(value)) {
            merged[`provenance_${key}`] = provenance[key];
        }
        merged[key] = value;
    }
    merged.recorded_at = recordedAt;
    return merged;
}

/** @param {Row} r */
function recordKey(r) {
    return JSON.stringify([r.run_id, r.config_hash, r.query, r.repetition, r.warmup]);
}

/** The project's commit, read from the checkout this script lives in; "unknown" outside git. */
function gitCommit() {
    try {
        const out = execFileSync("git", ["rev-parse", "HEAD"], { cwd: path.join(__dirname, ".."), stdio: ["ignore", "pipe", "ignore"] });
        return out.toString().trim();
    } catch {
        return "unknown";
    }
}

/**
 * @param {Row[]} existing
 * @param {Row} record
 * @returns {Row[]} the records with `record` replacing its namesake in place, or appended
 */
function upsert(existing, record) {
    const key = recordKey(record);
    const index = existing.findIndex((r) => recordKey(r) === key);
    if (index === -1) return [...existing, record];
    return existing.map((r, i) => (i === index ? record : r));
}

/** @param {unknown} value */
function csvCell(value) {
    if (value === undefined || value === null) return "";
    let text;
    if (Array.isArray(value) && value.every((v) => typeof v !== "object")) text = value.join(";");
    else if (typeof value === "object") text = JSON.stringify(value);
    else text = String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * @param {Row[]} records
 * @returns {string}
 */
function toCsv(records) {
    const seen = new Set(records.flatMap((r) => Object.keys(r)));
    const extra = [...seen].filter((k) => !CSV_COLUMNS.includes(k)).sort();
    const columns = [...CSV_COLUMNS, ...extra];
    const lines = [columns.join(","), ...records.map((r) => columns.map((c) => csvCell(r[c])).join(","))];
    return lines.join("\n") + "\n";
}

/**
 * @param {string} file
 * @returns {Row[]}
 */
function readJsonl(file) {
    if (!fs.existsSync(file)) return [];
    return fs
        .readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l, i) => parseObject(l, `${file} line ${i + 1}`));
}

/**
 * Writes a temp file and renames it, so an interrupted update never leaves half a file.
 * @param {string} file
 * @param {string} text
 */
function writeAtomic(file, text) {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
}

/**
 * Runs `fn` holding RESULTS_DIR/.lock. Runs never overlap, but the local command that records
 * run N may still be busy when run N+1 finishes; without the lock one of them could be lost.
 * @template T
 * @param {string} dir
 * @param {() => T} fn
 * @returns {T}
 */
function withLock(dir, fn) {
    const lock = path.join(dir, ".lock");
    const deadline = Date.now() + 30_000;
    for (;;) {
        try {
            fs.mkdirSync(lock); // atomic: exactly one writer succeeds
            break;
        } catch (e) {
            if (!(e instanceof Error && "code" in e && e.code === "EEXIST")) throw e;
            if (Date.now() - mtimeMs(lock) > 120_000) {
                fs.rmSync(lock, { recursive: true, force: true }); // left by a writer that was killed
                continue;
            }
            if (Date.now() > deadline) throw new InputError(`results dir stayed locked for 30 s (${lock})`);
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25); // sleep 25 ms
        }
    }
    try {
        return fn();
    } finally {
        fs.rmSync(lock, { recursive: true, force: true });
    }
}

/** @param {string} file */
function mtimeMs(file) {
    try {
        return fs.statSync(file).mtimeMs;
    } catch {
        return Date.now(); // just released: retry at once
    }
}

/**
 * @param {string} resultsDir
 * @param {string} stdin
 * @param {string | undefined} provenanceJson
 * @param {Date} now
 * @returns {Row} the record written
 */
function recordResult(resultsDir, stdin, provenanceJson, now) {
    if (provenanceJson === undefined || provenanceJson.trim() === "") {
        throw new InputError("env PARWOP_PROVENANCE is not set");
    }
    const provenance = { git_commit: gitCommit(), ...parseObject(provenanceJson, "PARWOP_PROVENANCE") };
    requireFields(provenance, "PARWOP_PROVENANCE", { stack: "string", run_id: "string" });
    const record = mergeRecord(provenance, parseDriverLine(stdin), now.toISOString());

    fs.mkdirSync(resultsDir, { recursive: true });
    const jsonl = path.join(resultsDir, "runs.jsonl");
    withLock(resultsDir, () => {
        const records = upsert(readJsonl(jsonl), record);
        writeAtomic(jsonl, records.map((r) => JSON.stringify(r)).join("\n") + "\n");
        writeAtomic(path.join(resultsDir, "runs.csv"), toCsv(records));
    });
    return record;
}

function main() {
    const resultsDir = process.argv[2];
    if (!resultsDir || process.argv.length > 3) {
        process.stderr.write("usage: node scripts/record-result.js RESULTS_DIR < driver-line.json\n");
        process.exit(2);
    }
    try {
        const record = recordResult(resultsDir, fs.readFileSync(0, "utf8"), process.env.PARWOP_PROVENANCE, new Date());
        process.stdout.write(`recorded ${record.query} rep ${record.repetition} in ${resultsDir}\n`);
    } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        process.stderr.write(`record-result: ${message.replace(/\s*\n\s*/g, " ")}\n`);
        process.exit(1);
    }
}

if (require.main === module) main();

module.exports = { recordResult, mergeRecord, upsert, toCsv, csvCell, parseDriverLine, CSV_COLUMNS };
