import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FIXTURES, ROOT, run } from "./proc";
import { endStuck, minimalPath, stuckPidFile } from "./stuck";

const SCRIPT = fs.readFileSync(path.join(ROOT, "scripts", "drop-caches.sh"));
const isRoot = process.getuid?.() === 0;
const canDrop = isRoot && run("test", ["-w", "/proc/sys/vm/drop_caches"]).code === 0;

let tmp: string;
let pidFile: string;
beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "drop-"));
    fs.chmodSync(tmp, 0o755);
    pidFile = stuckPidFile(tmp);
});
afterEach(() => {
    endStuck(pidFile);
    fs.rmSync(tmp, { recursive: true, force: true });
});

/**
 * Runs the drop the way the command resource does: `bash -s -- --node ID`, the file on stdin.
 * `pathFirst` goes before PATH (fakes); as another user PATH is set explicitly, since runuser may reset it.
 */
function drop(args: string[], opts: { asUser?: string; pathFirst?: string; env?: Record<string, string>; path?: string } = {}) {
    const PATH = opts.path ?? [opts.pathFirst, process.env.PATH].filter(Boolean).join(":");
    const env = { FAKE_STUCK_PIDFILE: pidFile, ...opts.env, PATH };
    const envWords = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    const prefix = opts.asUser ? ["runuser", "-u", opts.asUser, "--"] : [];
    const [cmd, ...rest] = [...prefix, "env", ...envWords, "bash", "-s", "--", ...args];
    return run(cmd, rest, { input: SCRIPT, timeoutMs: 20_000 });
}

describe("drop-caches.sh", () => {
    (canDrop ? it : it.skip)("as root: drops the page cache and prints one short line", () => {
        // put ~64 MiB into the page cache first, so the drop has something measurable to remove
        const file = path.join(tmp, "blob");
        fs.writeFileSync(file, Buffer.alloc(64 * 1024 * 1024, 1));
        fs.readFileSync(file);
        const r = drop(["--node", "node7"]);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        const m = /^drop-caches node7: Cached (\d+) -> (\d+) kB at \d+\.\d{9}\n$/.exec(r.stdout);
        expect(m).not.toBeNull();
        expect(Number(m![1]) - Number(m![2])).toBeGreaterThan(32 * 1024);
    });

    it("gives up on a sync that outlives its bound, without waiting for it or leaving it the output pipes", () => {
        // The stuck sync ignores SIGTERM and would keep stdout/stderr open if it had them:
        // run() only returns once both pipes are closed, so the elapsed time covers that too.
        const started = Date.now();
        const r = drop(["--node", "node7", "--sync-timeout", "1"], { pathFirst: path.join(FIXTURES, "stuck") });
        const elapsed = Date.now() - started;
        expect(r).toEqual({ code: 1, stdout: "", stderr: "drop-caches node7: sync still running after 1 s\n" });
        expect(elapsed).toBeGreaterThanOrEqual(1000);
        expect(elapsed).toBeLessThan(3000);
        // it is still there: the script gave up on it instead of waiting for it to die
        const pid = Number(fs.readFileSync(pidFile, "utf8").trim());
        expect(() => process.kill(pid, 0)).not.toThrow();
    });

    describe("as a user who is not root (the write goes through sudo -n tee, a fake here)", () => {
        const asNobody = (env: Record<string, string>, extra: string[] = []) =>
            drop(["--node", "node7", ...extra], { asUser: "nobody", pathFirst: path.join(FIXTURES, "bin"), env });

        (isRoot ? it : it.skip)("drops through passwordless sudo", () => {
            const r = asNobody({ FAKE_SUDO: "ok" });
            expect(r.stderr).toBe("");
            expect(r.stdout).toMatch(/^drop-caches node7: Cached \d+ -> \d+ kB at \d+\.\d{9}\n$/);
        });

        (isRoot ? it : it.skip)("names sudo's refusal", () => {
            expect(asNobody({ FAKE_SUDO: "password" })).toEqual({
                code: 1,
                stdout: "",
                stderr: "drop-caches node7: cannot write /proc/sys/vm/drop_caches with sudo -n tee: a password is required\n",
            });
        });

        (isRoot ? it : it.skip)("bounds a write that does not return", () => {
            const started = Date.now();
            const r = asNobody({ FAKE_SUDO: "hang" }, ["--write-timeout", "1"]);
            expect(Date.now() - started).toBeLessThan(3000);
            expect(r).toEqual({
                code: 1,
                stdout: "",
                stderr: "drop-caches node7: write to /proc/sys/vm/drop_caches still running after 1 s\n",
            });
            // The stuck write runs as nobody: it must have said where it is, so afterEach can end it.
            const pid = Number(fs.readFileSync(pidFile, "utf8").trim());
            expect(() => process.kill(pid, 0)).not.toThrow();
        });

        (isRoot ? it : it.skip)("without sudo at all: fails with one clear line", () => {
            const r = drop(["--node", "node7"], { asUser: "nobody", path: minimalPath(tmp) });
            expect(r).toEqual({
                code: 1,
                stdout: "",
                stderr: "drop-caches node7: not root and sudo is not installed: cannot write /proc/sys/vm/drop_caches\n",
            });
        });
    });

    it.each([[[]], [["--node", "n", "--sync-timeout", "0"]], [["--node", "n", "--write-timeout", "soon"]], [["--bogus"]]])(
        "rejects bad arguments %j with exit 2 and usage",
        (args) => {
            const r = drop(args);
            expect(r.code).toBe(2);
            expect(r.stderr).toMatch(
                /^(drop-caches: unknown argument: --bogus\n)?usage: drop-caches.sh --node ID \[--sync-timeout SECONDS\] /,
            );
        },
    );
});
