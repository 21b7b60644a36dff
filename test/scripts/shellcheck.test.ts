import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, run } from "./proc";

const SKIP_DIRS = new Set(["node_modules", ".git", ".lab", "results", "coverage"]);

/** Every shell script under scripts/, tools/, test/ and .ci/: *.sh, or a bash/sh shebang. */
function shellScripts(): string[] {
    const found: string[] = [];
    const walk = (dir: string) => {
        if (!fs.existsSync(dir)) return;
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (!SKIP_DIRS.has(entry.name)) walk(full);
            } else if (entry.isFile() && (entry.name.endsWith(".sh") || /^#!.*\b(bash|sh)\b/.test(firstLine(full)))) {
                found.push(path.relative(ROOT, full));
            }
        }
    };
    for (const dir of ["scripts", "tools", "test", ".ci"]) walk(path.join(ROOT, dir));
    return found.sort();
}

function firstLine(file: string): string {
    const fd = fs.openSync(file, "r");
    try {
        const buf = Buffer.alloc(128);
        const n = fs.readSync(fd, buf, 0, buf.length, 0);
        return buf.subarray(0, n).toString("utf8").split("\n")[0];
    } finally {
        fs.closeSync(fd);
    }
}

describe("shellcheck", () => {
    const scripts = shellScripts();

    it("finds the scripts the command resources run", () => {
        expect(scripts).toEqual(expect.arrayContaining(["scripts/drop-caches.sh", "scripts/preflight.sh"]));
    });

    it("has no findings on any shell script", () => {
        // The message npm test's own check (test/required-tools.js) gives, not spawnSync's ENOENT.
        if (spawnSync("shellcheck", ["--version"], { stdio: "ignore" }).error) {
            throw new Error("shellcheck not found on PATH: sudo apt-get install shellcheck (or run sudo bash test/run.sh)");
        }
        // -x follows `source`d files; --severity=style reports everything shellcheck knows
        const r = run("shellcheck", ["-x", "--severity=style", "--format=gcc", ...scripts]);
        expect(r.stdout + r.stderr).toBe("");
        expect(r.code).toBe(0);
    });
});
