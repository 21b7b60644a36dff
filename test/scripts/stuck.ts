import * as fs from "node:fs";
import * as path from "node:path";
import { run } from "./proc";

/**
 * Where the stuck fakes in `dir` write their pids: a subdir every user may write, because a fake
 * run as nobody that cannot write its pid can never be ended, and loops for ever.
 */
export function stuckPidFile(dir: string): string {
    const pids = path.join(dir, "pids");
    fs.mkdirSync(pids);
    fs.chmodSync(pids, 0o1777);
    return path.join(pids, "stuck");
}

/** Ends the stuck fakes (test/fixtures/stuck/sync) a test left behind, by the pids they wrote. */
export function endStuck(pidFile: string): void {
    if (!fs.existsSync(pidFile)) return;
    for (const pid of fs.readFileSync(pidFile, "utf8").split("\n").filter(Boolean).map(Number)) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            // already gone
        }
    }
}

const TOOLS = ["bash", "cat", "date", "env", "find", "id", "mktemp", "nproc", "rm", "sleep", "sync", "tee", "timeout"];

/**
 * A PATH with only the tools the node scripts use, and no sudo: whether the machine running the
 * tests has sudo (or docker) installed must not change what a test sees. `extra` adds fakes.
 */
export function minimalPath(dir: string, extra: Record<string, string> = {}): string {
    const bin = path.join(dir, "minimal-bin");
    fs.mkdirSync(bin, { mode: 0o755 });
    for (const tool of TOOLS) {
        const found = run("bash", ["-c", `command -v ${tool}`]).stdout.trim();
        if (found === "") throw new Error(`minimalPath: ${tool} is not installed`);
        fs.symlinkSync(found, path.join(bin, tool));
    }
    for (const [name, target] of Object.entries(extra)) fs.symlinkSync(target, path.join(bin, name));
    return bin;
}
