import { spawnSync } from "node:child_process";
import * as path from "node:path";

/** The repository root, so tests run the real files wherever jest was started. */
export const ROOT = path.resolve(__dirname, "../..");
export const FIXTURES = path.join(ROOT, "test", "fixtures");

export interface RunResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

export interface RunOptions {
    input?: string | Buffer;
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    timeoutMs?: number;
}

/** Runs a command to completion and returns its exit code and output as text. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): RunResult {
    const r = spawnSync(cmd, args, {
        input: opts.input,
        env: opts.env ?? process.env,
        cwd: opts.cwd ?? ROOT,
        encoding: "utf8",
        timeout: opts.timeoutMs ?? 60_000,
    });
    if (r.error) throw r.error;
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Lines of a command's stderr, without the empty one after the final newline. */
export function lines(text: string): string[] {
    return text.split("\n").filter((l) => l !== "");
}
