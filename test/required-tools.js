#!/usr/bin/env node
// What `npm test` needs beyond npm packages, checked before lint, tsc and jest spend minutes on
// a run that would fail: says in one line what is missing and how to get it.
"use strict";
const { spawnSync } = require("child_process");

const tools = [{ name: "shellcheck", get: "sudo apt-get install shellcheck" }];

const missing = tools.filter((t) => spawnSync(t.name, ["--version"], { stdio: "ignore" }).error);
if (missing.length > 0) {
    const names = missing.map((t) => t.name).join(", ");
    const gets = missing.map((t) => t.get).join("; ");
    console.error(`npm test needs ${names}, not found on PATH: ${gets} (or run sudo bash test/run.sh, which installs everything)`);
    process.exit(1);
}
