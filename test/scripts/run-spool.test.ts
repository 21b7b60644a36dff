/**
 * scripts/run-query.sh with its spool, as runStep renders it: a run's result outlives the
 * session that asked for it, and the next attempt of the same run hands it on, once, only
 * when no cache drop of that attempt could have touched it. The fake docker runs `exec`
 * here; the fake parwop package answers for PARWOP.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runStep } from "../../lib/scripts";
import { FIXTURES, lines, run } from "./proc";

let tmp: string;
let spool: string;
beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "run-spool-"));
    spool = path.join(tmp, "spool");
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const identity = "0123456789abcdef";
const env = (over: Record<string, string> = {}) => ({
    ...process.env,
    PATH: `${path.join(FIXTURES, "bin")}:${process.env.PATH}`,
    PYTHONPATH: path.join(FIXTURES, "fake-parwop"),
    FAKE_PARWOP_TOTAL: "1500",
    ...over,
});
/** The rendered step of attempt N, after a cache drop at `droppedAt` (epoch seconds). */
function step(attempt: number, droppedAt: number) {
    const driver = {
        ...{ "--query": "SQ1", "--partition-by": "SOURCE_POINT_NUMBER", "--order-by": "SENSOR_NUMBER", "--repetition": 1 },
        ...{
            "--mode": "local",
            "--workers": "worker-1",
            "--memory-limit": 1000,
            "--max-threads": 1,
            "--log": path.join(tmp, "parwop.log"),
        },
        "--attempt-marker": path.join(tmp, "marker"),
    };
    const spec = { container: "parwop-worker-1", seconds: 60, query: "SQ1", repetition: 1, driver, spool: { dir: spool, attempt } };
    return runStep(spec, { identity, droppedAt: droppedAt.toFixed(3) });
}
const now = () => Date.now() / 1000;
const take = (attempt: number, droppedAt: number, over: Record<string, string> = {}) => {
    const s = step(attempt, droppedAt);
    return run("bash", ["-c", s.create], { input: s.stdin, cwd: tmp, env: env(over) });
};
const result = (stdout: string) => JSON.parse(stdout) as Record<string, unknown>;

describe("scripts/run-query.sh: the run spool", () => {
    it("keeps what the run printed on the node, and prints it", () => {
        const r = take(1, now());
        expect([r.code, r.stderr]).toEqual([0, ""]);
        const dir = path.join(spool, identity);
        expect(fs.readFileSync(path.join(dir, "out"), "utf8").trim()).toBe(r.stdout.trim());
        expect(fs.readFileSync(path.join(dir, "rc"), "utf8").trim()).toBe("0");
        expect(fs.readFileSync(path.join(dir, "attempt"), "utf8").trim()).toBe("1");
    });

    it("the next attempt hands on a result that finished before its drop, marked, without running again", () => {
        const first = result(take(1, now()).stdout);
        const r = take(2, now() + 2);
        expect(r.code).toBe(0);
        expect(r.stderr).toContain("run-query: attempt 1 finished on this node after its pulumi lost it: its result stands for attempt 2");
        expect(result(r.stdout)).toEqual({ recovered_attempt: 1, ...first });
    });

    it.each([
        ["the same attempt again (a forced re-run)", 1, 3, "it is this attempt's own (a forced re-run)"],
        // the drop fell while attempt 1 ran (it takes about 1.5 s)
        ["a result that ended after this attempt's drop", 2, 0.5, "it ended after this attempt's cache drop, which it may have felt"],
    ])("%s is set aside, kept, and the run runs afresh", (_name, attempt, dropOffset, why) => {
        const start = now();
        const first = result(take(1, start - 120, { FAKE_PARWOP_SLEEP: "0.5" }).stdout);
        const r = take(attempt, start + dropOffset);
        expect(r.code).toBe(0);
        const fresh = result(r.stdout);
        expect(fresh.execution_id).not.toBe(first.execution_id);
        expect(fresh).not.toHaveProperty("recovered_attempt");
        const aside = lines(r.stderr).find((l) => l.includes("is not used"))!;
        expect(aside).toMatch(
            new RegExp(`^run-query: attempt 1's output on this node is not used \\(${why.replace(/[()]/g, "\\$&")}\\): kept in `),
        );
        const kept = fs.readdirSync(spool).filter((d) => d.startsWith(`${identity}.attempt-1.`));
        expect(kept).toHaveLength(1);
        expect(result(fs.readFileSync(path.join(spool, kept[0], "out"), "utf8")).execution_id).toBe(first.execution_id);
    });

    it("a failed attempt's output is never handed on", () => {
        expect(take(1, now() - 120, { FAKE_PARWOP_TOTAL: "0" }).code).toBe(1);
        const r = take(2, now());
        expect(r.code).toBe(0);
        expect(r.stderr).toContain("it did not finish with a result");
        expect(result(r.stdout)).not.toHaveProperty("recovered_attempt");
    });

    it("the run survives the session that started it: killed with its whole process group, it finishes and the next attempt waits for it", async () => {
        const s = step(1, now() - 120);
        // A lost ssh session: the wrapper and its process group are killed while the driver runs.
        const child: ChildProcess = spawn("bash", ["-c", s.create], {
            cwd: tmp,
            env: env({ FAKE_PARWOP_SLEEP: "1" }),
            detached: true,
            stdio: ["pipe", "ignore", "ignore"],
        });
        child.stdin!.end(s.stdin);
        // The driver stamps its attempt as it starts.
        const marker = path.join(tmp, "marker");
        for (let i = 0; i < 100 && !fs.existsSync(marker); i++) await new Promise((r) => setTimeout(r, 50));
        process.kill(-child.pid!, "SIGKILL");
        expect(fs.existsSync(path.join(spool, identity, "rc"))).toBe(false);
        // The next attempt, its drop while the first one still runs: it waits, then runs afresh.
        await new Promise((r) => setTimeout(r, 100));
        const r = take(2, now());
        expect(r.stderr).toContain("run-query: attempt 1 of this run still runs on this node: waiting for it to end");
        expect(r.stderr).toContain("it ended after this attempt's cache drop");
        expect(r.code).toBe(0);
        const kept = fs.readdirSync(spool).find((d) => d.startsWith(`${identity}.attempt-1.`))!;
        expect(fs.readFileSync(path.join(spool, kept, "rc"), "utf8").trim()).toBe("0");
        expect(lines(fs.readFileSync(path.join(spool, kept, "out"), "utf8"))).toHaveLength(1);
    });

    it("refuses half a spool: a dir without an identity or an attempt", () => {
        const s = step(1, now()).create.replace("--attempt 1 ", "");
        const r = run("bash", ["-c", s], { input: step(1, now()).stdin, cwd: tmp, env: env() });
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^usage: run-query\.sh /);
    });
});
