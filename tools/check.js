#!/usr/bin/env node
// @ts-check
// `npm test`, the quick loop: lint (eslint, prettier, shellcheck), the type checks (TypeScript
// sources, plain-JS scripts) and the unit suite (jest.config.js) run side by side, since on two
// cores they overlap well; then one line of times. Extra arguments go to jest
// (`npm test -- test/model`). The scripts run as processes are `npm run test:scripts`.
"use strict";
const { spawn, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const bin = (/** @type {string} */ name) => path.join(root, "node_modules", ".bin", name);
const cache = (/** @type {string} */ name) => path.join(root, "node_modules", ".cache", "parwop-check", name);

/** Every shell script under scripts/, tools/, test/ and .ci/: *.sh, or a bash/sh shebang. */
function shellScripts() {
    /** @type {string[]} */
    const found = [];
    /** @param {string} dir */
    const walk = (dir) => {
        if (!fs.existsSync(dir)) return;
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (!["node_modules", ".lab", "results"].includes(entry.name)) walk(full);
            } else if (entry.isFile() && (entry.name.endsWith(".sh") || /^#!.*\b(bash|sh)\b/.test(firstLine(full)))) {
                found.push(path.relative(root, full));
            }
        }
    };
    for (const dir of ["scripts", "tools", "test", ".ci"]) walk(path.join(root, dir));
    return found.sort();
}

/** @param {string} file */
function firstLine(file) {
    const buf = Buffer.alloc(128);
    const fd = fs.openSync(file, "r");
    try {
        return buf
            .subarray(0, fs.readSync(fd, buf, 0, buf.length, 0))
            .toString("utf8")
            .split("\n")[0];
    } finally {
        fs.closeSync(fd);
    }
}

if (spawnSync("shellcheck", ["--version"], { stdio: "ignore" }).error) {
    console.error(
        "npm test needs shellcheck, not found on PATH: apt-get install -y shellcheck as root (or bash test/run.sh as root, which installs everything)",
    );
    process.exit(1);
}

/** @type {[string, string, string[]][]} */
const steps = [
    // The caches (under node_modules/.cache) skip what did not change since the last run.
    ["eslint", bin("eslint"), [".", "--cache", "--cache-location", cache("eslint")]],
    ["prettier", bin("prettier"), ["--check", "--cache", "--cache-location", cache("prettier"), "**/*.{ts,js,mjs,json}"]],
    ["shellcheck", "shellcheck", ["-x", "--severity=style", "--format=gcc", ...shellScripts()]],
    ["tsc", bin("tsc"), ["-p", "tsconfig.json", "--incremental", "--tsBuildInfoFile", cache("tsc.tsbuildinfo")]],
    ["tsc (plain JS)", bin("tsc"), ["-p", "tsconfig.js.json", "--incremental", "--tsBuildInfoFile", cache("tsc-js.tsbuildinfo")]],
    ["jest", bin("jest"), process.argv.slice(2)],
];

/**
 * @param {[string, string, string[]]} step
 * @returns {Promise<{ name: string, code: number | null, seconds: number, output: string }>}
 */
function run([name, cmd, args]) {
    const start = process.hrtime.bigint();
    return new Promise((resolve) => {
        const child = spawn(cmd, args, { cwd: root, env: { ...process.env, FORCE_COLOR: "0" } });
        let output = "";
        child.stdout.on("data", (d) => (output += d));
        child.stderr.on("data", (d) => (output += d));
        child.on("close", (code) => resolve({ name, code, seconds: Number(process.hrtime.bigint() - start) / 1e9, output }));
    });
}

const start = process.hrtime.bigint();
Promise.all(steps.map(run)).then((results) => {
    for (const r of results) {
        // jest's own report always; the others only when they have something to say.
        if (r.name === "jest" || r.code !== 0) process.stdout.write(`\n--- ${r.name} (exit ${r.code})\n${r.output}`);
    }
    const wall = Number(process.hrtime.bigint() - start) / 1e9;
    const failed = results.filter((r) => r.code !== 0).map((r) => r.name);
    const times = results.map((r) => `${r.name} ${r.seconds.toFixed(1)} s`).join(", ");
    console.log(`\nnpm test: ${failed.length === 0 ? "passed" : `FAILED (${failed.join(", ")})`} in ${wall.toFixed(1)} s wall (${times})`);
    process.exit(failed.length === 0 ? 0 : 1);
});
