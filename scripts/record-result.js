// @ts-check
/**
 * Records one execution of an experiment run on the machine running Pulumi, append-only.
 *
 * usage: node scripts/record-result.js RESULTS_DIR   (stdin: the driver's JSON line;
 *        env PARWOP_PROVENANCE: JSON object, every field of PROVENANCE below, set by the program)
 *
 * Each execution is its own record, keyed by the driver's execution_id: the same line recorded
 * again changes nothing, a new execution appends a line, and no line of RESULTS_DIR/runs.jsonl is
 * ever replaced or deleted (a view that wants the latest only selects: tools/report/report.js).
 * RESULTS_DIR/runs.csv is rebuilt from the whole jsonl. Adds git_commit, git_dirty and
 * git_diff_digest (this checkout's commit, whether it had uncommitted changes and a digest of them,
 * which the program does not pass, so a new commit re-records nothing) and recorded_at.
 * Plain Node, no dependencies: it runs wherever `pulumi up` runs.
 */
"use strict";

const { execFileSync } = require("node:child_process");
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const { withResultsLock } = require("./results-lock.js");

/** @typedef {Record<string, unknown>} Row */
/** @typedef {"string" | "count" | "strings" | "boolean" | "mode" | "image" | "seconds" | "id"} Kind */

/** What the program must say about every run: what produced the number, and where. */
const PROVENANCE = /** @type {const} */ ({
    stack: "string",
    tier: "string",
    environment: "string",
    node_count: "count",
    nodes: "strings",
    mode: "mode",
    run_id: "string",
    config_hash: "string",
    run_key: "string",
    attempt: "count",
    cluster_identity: "string",
    source_digest: "string",
    image_id: "image",
    driver_digest: "string",
    drop_digest: "string",
});
/** Stamped here, never passed in. */
const STAMPED = ["git_commit", "git_dirty", "git_diff_digest", "recorded_at"];
/** What the driver must report; anything else it reports is kept as it is. */
const DRIVER = /** @type {const} */ ({
    query: "string",
    repetition: "count",
    warmup: "boolean",
    execution_id: "id",
    wall_seconds: "seconds",
    records: "count",
});

/** CSV columns that come first, in this order; any other field follows, sorted by name. */
const CSV_COLUMNS = [
    "execution_id",
    "run_id",
    "stack",
    "environment",
    "node_count",
    "tier",
    "mode",
    "query",
    "repetition",
    "warmup",
    "wall_seconds",
    "records",
    "batches",
    "rows",
    "memory_limit_records",
    "workers",
    "nodes",
    "started_at",
    "ended_at",
    "source_digest",
    "image_id",
    "cluster_identity",
    "config_hash",
    "run_key",
    "attempt",
    "driver_digest",
    "drop_digest",
    "git_commit",
    "git_dirty",
    "git_diff_digest",
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

/** @type {Record<Kind, [(v: unknown) => boolean, string]>} */
const KINDS = {
    string: [(v) => typeof v === "string" && v !== "", "a non-empty string"],
    id: [(v) => typeof v === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v), "a UUID"],
    count: [(v) => Number.isSafeInteger(v) && /** @type {number} */ (v) > 0, "a whole number > 0"],
    strings: [(v) => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string" && x !== ""), "a non-empty list of strings"],
    boolean: [(v) => typeof v === "boolean", "true or false"],
    mode: [(v) => v === "local" || v === "distributed", '"local" or "distributed"'],
    image: [(v) => typeof v === "string" && /^sha256:[0-9a-f]+$/.test(v), 'an image ID, "sha256:…"'],
    // 1e999 parses as Infinity, which JSON would write back as null
    seconds: [(v) => typeof v === "number" && Number.isFinite(v) && v > 0, "a finite number > 0"],
};

/** @param {unknown} v as the error shows it: numbers as JS prints them (Infinity, NaN) */
function shown(v) {
    return typeof v === "number" ? String(v) : JSON.stringify(v);
}

/**
 * @param {Row} obj
 * @param {string} what
 * @param {Record<string, Kind>} fields
 */
function requireFields(obj, what, fields) {
    const missing = Object.keys(fields).filter((k) => obj[k] === undefined);
    if (missing.length > 0) throw new InputError(`${what} lacks ${missing.join(", ")}`);
    for (const [key, kind] of Object.entries(fields)) {
        const [ok, expected] = KINDS[kind];
        if (!ok(obj[key])) throw new InputError(`${what} field ${key} must be ${expected}, got ${shown(obj[key])}`);
    }
}

/**
 * @param {string} json
 * @returns {Row}
 */
function parseProvenance(json) {
    const p = parseObject(json, "PARWOP_PROVENANCE");
    requireFields(p, "PARWOP_PROVENANCE", PROVENANCE);
    const stamped = STAMPED.filter((k) => k in p);
    if (stamped.length > 0) throw new InputError(`PARWOP_PROVENANCE must not set ${stamped.join(", ")}: record-result.js stamps it`);
    const nodes = /** @type {string[]} */ (p.nodes);
    if (p.node_count !== nodes.length) {
        throw new InputError(`PARWOP_PROVENANCE node_count ${p.node_count} disagrees with its ${nodes.length} nodes`);
    }
    return p;
}

/**
 * Parses the driver's output: exactly one non-empty line holding a JSON object. Anything more
 * means something polluted the driver's stdout, and guessing which line is the result is unsafe.
 * @param {string} stdin
 * @param {Row} provenance
 * @returns {Row}
 */
function parseDriverLine(stdin, provenance) {
    const lines = stdin.split("\n").filter((l) => l.trim() !== "");
    if (lines.length !== 1) {
        throw new InputError(`expected one JSON line on stdin, got ${lines.length} lines`);
    }
    const run = parseObject(lines[0], "stdin");
    // One source per fact: the program's provenance says what produced the number, the driver only what it measured.
    for (const key of Object.keys(run)) {
        if (key in provenance || STAMPED.includes(key)) {
            throw new InputError(`stdin field ${key} would override the provenance's ${key}: the driver must not report it`);
        }
    }
    requireFields(run, "stdin", DRIVER);
    return run;
}

/**
 * The project's commit, whether the checkout differed from it (an edited or a new file that git
 * does not ignore: the results came from code no commit holds), and a digest of that difference
 * (the diff against the commit and every untracked file's name and content), so a number can be
 * traced to the exact code that produced it. Read from the checkout this script lives in;
 * "unknown" and nulls outside git.
 * @returns {{ git_commit: string, git_dirty: boolean | null, git_diff_digest: string | null }}
 */
function gitState() {
    const cwd = path.join(__dirname, "..");
    /** @param {string[]} args */
    const git = (args) => execFileSync("git", args, { cwd, stdio: ["ignore", "pipe", "ignore"], maxBuffer: 1 << 30 });
    try {
        const commit = git(["rev-parse", "HEAD"]).toString().trim();
        if (git(["status", "--porcelain"]).toString().trim() === "") return { git_commit: commit, git_dirty: false, git_diff_digest: null };
        const hash = createHash("sha256").update(git(["diff", "HEAD", "--binary"]));
        const untracked = git(["ls-files", "--others", "--exclude-standard", "-z"]).toString().split("\0").filter(Boolean).sort();
        for (const file of untracked) hash.update(`\0${file}\0`).update(fs.readFileSync(path.join(cwd, file)));
        return { git_commit: commit, git_dirty: true, git_diff_digest: hash.digest("hex").slice(0, 16) };
    } catch {
        return { git_commit: "unknown", git_dirty: null, git_diff_digest: null };
    }
}

/**
 * The record of `run` already in `existing`, if any. The same execution with other figures is
 * refused: nothing recorded is ever replaced.
 * @param {Row[]} existing
 * @param {Row} run
 * @returns {Row | undefined}
 */
function alreadyRecorded(existing, run) {
    const same = existing.find((r) => r.execution_id === run.execution_id);
    if (same === undefined) return undefined;
    const differ = Object.keys(run).filter((k) => JSON.stringify(same[k]) !== JSON.stringify(run[k]));
    if (differ.length > 0) {
        throw new InputError(
            `execution ${run.execution_id} is already recorded with other ${differ.join(", ")}: records are never replaced`,
        );
    }
    return same;
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
        .map((l, i) => ({ l, i }))
        .filter(({ l }) => l.trim() !== "")
        .map(({ l, i }) => parseObject(l, `${file} line ${i + 1}`));
}

/**
 * Appends one line in one write; a file cut short by a crash gets its newline first.
 * @param {string} file
 * @param {Row} record
 */
function appendLine(file, record) {
    const size = fs.existsSync(file) ? fs.statSync(file).size : 0;
    let sep = "";
    if (size > 0) {
        const last = Buffer.alloc(1);
        const fd = fs.openSync(file, "r");
        fs.readSync(fd, last, 0, 1, size - 1);
        fs.closeSync(fd);
        sep = last.toString() === "\n" ? "" : "\n";
    }
    fs.appendFileSync(file, sep + JSON.stringify(record) + "\n");
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
 * @param {string} resultsDir
 * @param {string} stdin
 * @param {string | undefined} provenanceJson
 * @param {Date} now
 * @param {number} lockWaitMs
 * @returns {{ record: Row, appended: boolean }}
 */
function recordResult(resultsDir, stdin, provenanceJson, now, lockWaitMs) {
    if (provenanceJson === undefined || provenanceJson.trim() === "") {
        throw new InputError("env PARWOP_PROVENANCE is not set");
    }
    const provenance = parseProvenance(provenanceJson);
    const run = parseDriverLine(stdin, provenance);

    fs.mkdirSync(resultsDir, { recursive: true });
    const jsonl = path.join(resultsDir, "runs.jsonl");
    return withResultsLock(resultsDir, lockWaitMs, () => {
        const existing = readJsonl(jsonl);
        const same = alreadyRecorded(existing, run);
        if (same !== undefined) return { record: same, appended: false };
        const record = { ...provenance, ...run, ...gitState(), recorded_at: now.toISOString() };
        appendLine(jsonl, record);
        writeAtomic(path.join(resultsDir, "runs.csv"), toCsv([...existing, record]));
        return { record, appended: true };
    });
}

/** How long to wait for a live holder of the results lock (env PARWOP_RESULTS_LOCK_WAIT_SECONDS, default 60). */
function lockWaitMs() {
    const seconds = Number(process.env.PARWOP_RESULTS_LOCK_WAIT_SECONDS ?? "60");
    return (Number.isFinite(seconds) && seconds >= 0 ? seconds : 60) * 1000;
}

function main() {
    const resultsDir = process.argv[2];
    if (!resultsDir || process.argv.length > 3) {
        process.stderr.write("usage: node scripts/record-result.js RESULTS_DIR < driver-line.json\n");
        process.exit(2);
    }
    try {
        const stdin = fs.readFileSync(0, "utf8");
        const { record, appended } = recordResult(resultsDir, stdin, process.env.PARWOP_PROVENANCE, new Date(), lockWaitMs());
        const what = `${record.query} rep ${record.repetition} (execution ${record.execution_id}) in ${resultsDir}`;
        process.stdout.write(`${appended ? "recorded" : "already recorded"} ${what}\n`);
    } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        process.stderr.write(`record-result: ${message.replace(/\s*\n\s*/g, " ")}\n`);
        process.exit(1);
    }
}

if (require.main === module) main();

module.exports = { recordResult, toCsv, csvCell, PROVENANCE, CSV_COLUMNS, InputError, parseObject, appendLine, lockWaitMs };
