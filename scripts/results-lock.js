// @ts-check
/**
 * The lock scripts/record-result.js holds while it appends to a results dir: runs never overlap,
 * but the local command that records run N may still be busy when run N+1 finishes.
 *
 * RESULTS_DIR/.lock is a file naming its holder ({pid, host, since, token}), created whole with
 * link(2), so a reader never sees half of it. A holder that is gone (its pid not alive on this
 * host) is taken over at once; a live one is waited for, and named when the wait runs out.
 */
"use strict";

const { randomUUID } = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");

/**
 * @typedef {object} Holder
 * @property {number} [pid]
 * @property {string} [host]
 * @property {string} [since]
 * @property {string} [token]
 * @property {number} mtimeMs of the lock file
 * @property {boolean} [unreadable] not a holder file (say, the directory an older version made)
 */

/** An unreadable lock older than this is taken for a leftover. */
const UNREADABLE_STALE_MS = 10_000;

class LockError extends Error {}

/**
 * @param {string} lock
 * @returns {Holder | undefined} undefined when the lock is gone
 */
function readHolder(lock) {
    let mtimeMs;
    try {
        mtimeMs = fs.statSync(lock).mtimeMs;
    } catch {
        return undefined;
    }
    try {
        const h = JSON.parse(fs.readFileSync(lock, "utf8"));
        if (typeof h.pid === "number" && typeof h.host === "string") return { ...h, mtimeMs };
    } catch {
        // a directory (older versions locked with mkdir) or garbage
    }
    return { mtimeMs, unreadable: true };
}

/** @param {number} pid */
function isAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        // EPERM: it exists, under another user
        return e instanceof Error && "code" in e && e.code === "EPERM";
    }
}

/** @param {Holder} h */
function isGone(h) {
    if (h.unreadable) return Date.now() - h.mtimeMs > UNREADABLE_STALE_MS;
    return h.host === os.hostname() && !isAlive(/** @type {number} */ (h.pid));
}

/** @param {Holder} h */
function describeHolder(h) {
    if (h.unreadable) return "an unreadable lock";
    const where =
        h.host === os.hostname()
            ? `this host (${h.host})`
            : `host ${h.host}, another machine: whether it still runs cannot be told from here`;
    return `pid ${h.pid} on ${where}, since ${h.since ?? "?"}`;
}

/**
 * Removes the lock of a gone holder, unless someone else got there first: the check and the
 * removal run under a second, short-lived lock, so a fresh holder's lock is never removed.
 * @param {string} lock
 * @param {Holder} gone
 */
function takeOver(lock, gone) {
    const guard = `${lock}.takeover`;
    try {
        fs.mkdirSync(guard);
    } catch {
        const g = readHolder(guard);
        if (g !== undefined && Date.now() - g.mtimeMs > UNREADABLE_STALE_MS) fs.rmSync(guard, { recursive: true, force: true });
        return;
    }
    try {
        const now = readHolder(lock);
        if (now !== undefined && now.token === gone.token && now.mtimeMs === gone.mtimeMs)
            fs.rmSync(lock, { recursive: true, force: true });
    } finally {
        fs.rmSync(guard, { recursive: true, force: true });
    }
}

/**
 * Takes DIR/.lock and returns what releases it; for a holder that spans asynchronous steps (the
 * study holds its environment's for hours). The holder is told apart from others by its token.
 * @param {string} dir
 * @param {number} waitMs how long to wait for a live holder
 * @param {{ what: string, doing: string }} [names] the locked thing and what its holder does, as the error names them
 * @returns {{ release: () => void, tookOver: Holder | undefined }} tookOver: the gone holder whose lock was taken over
 */
function acquireLock(dir, waitMs, names = { what: `results dir ${dir}`, doing: "recording" }) {
    const lock = `${dir}/.lock`;
    const me = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), token: randomUUID() };
    const mine = `${lock}.${me.token}`;
    fs.writeFileSync(mine, JSON.stringify(me) + "\n");
    const deadline = Date.now() + waitMs;
    /** @type {Holder | undefined} */
    let tookOver;
    try {
        for (;;) {
            try {
                fs.linkSync(mine, lock); // atomic: exactly one writer succeeds
                break;
            } catch (e) {
                if (!(e instanceof Error && "code" in e && e.code === "EEXIST")) throw e;
            }
            const holder = readHolder(lock);
            if (holder === undefined) continue; // just released
            if (isGone(holder)) {
                takeOver(lock, holder);
                tookOver = holder;
                continue;
            }
            if (Date.now() > deadline) {
                throw new LockError(
                    `${names.what} is locked by ${describeHolder(holder)}; still held after ${Math.round(waitMs / 1000)} s (remove ${lock} if that process is not ${names.doing})`,
                );
            }
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25); // sleep 25 ms
        }
    } finally {
        fs.rmSync(mine, { force: true });
    }
    const release = () => {
        if (readHolder(lock)?.token === me.token) fs.rmSync(lock, { force: true });
    };
    return { release, tookOver };
}

/**
 * Runs `fn` holding DIR/.lock.
 * @template T
 * @param {string} dir
 * @param {number} waitMs how long to wait for a live holder
 * @param {() => T} fn
 * @returns {T}
 */
function withResultsLock(dir, waitMs, fn) {
    const { release } = acquireLock(dir, waitMs);
    try {
        return fn();
    } finally {
        release();
    }
}

module.exports = { withResultsLock, acquireLock, LockError };
