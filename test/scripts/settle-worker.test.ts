import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FakeCoordinator, startFakeCoordinator } from "./fakeCoordinator";
import { FIXTURES, ROOT, lines, run } from "./proc";

const SCRIPT = fs.readFileSync(path.join(ROOT, "scripts", "settle-worker.sh"));

let coordinator: FakeCoordinator;
let tmp: string;
beforeAll(async () => {
    coordinator = await startFakeCoordinator();
});
afterAll(() => coordinator.stop());
beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "settle-"));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const worker = (state: string, detail: string | null = null) => ({ state, detail });
/** A coordinator query record as PARWOP has it, with {node_id: [state, detail]} workers. */
function query(id: string, state: string, workers: Record<string, { state: string; detail: string | null }>) {
    const w = Object.fromEntries(Object.entries(workers).map(([n, v]) => [n, { node_id: n, ...v }]));
    return { query_id: id, state, workers: w, params: {}, detail: null, start_ts: null, finish_ts: null, duration: 1 };
}

/**
 * Runs the script as the command resource does (`timeout -k 10 T bash -s -- ARGS`, the file on
 * stdin) with the fake docker: `exec` runs the inline python here, `restart` is recorded.
 */
function settle(opts: { timeout?: number; url?: string; env?: Record<string, string> } = {}) {
    const args = ["--node", "node-2", "--container", "parwop-worker-2", "--node-id", "worker-2"];
    args.push("--coordinator", opts.url ?? coordinator.url, "--stop-timeout", "10", "--timeout", String(opts.timeout ?? 20));
    args.push("--settled-dir", path.join(tmp, "settled"));
    return run("timeout", ["-k", "10", "60", "bash", "-s", "--", ...args], {
        input: SCRIPT,
        env: {
            ...process.env,
            PATH: `${path.join(FIXTURES, "bin")}:${process.env.PATH}`,
            FAKE_DOCKER_RESTARTS: path.join(tmp, "restarts"),
            ...opts.env,
        },
    });
}
const restarts = () => (fs.existsSync(path.join(tmp, "restarts")) ? lines(fs.readFileSync(path.join(tmp, "restarts"), "utf8")) : []);

describe("scripts/settle-worker.sh against a fake coordinator and the fake docker", () => {
    it("leaves a worker alone when none of its queries is left over", () => {
        coordinator.setState({
            nodes: { "worker-2": 0 },
            queries: {
                ok: query("ok", "Finished", { "worker-1": worker("Finished"), "worker-2": worker("Finished") }),
                failedHere: query("failedHere", "Error", { "worker-2": worker("Error", "KeyError: 'X'") }),
                elsewhere: query("elsewhere", "Running", { "worker-1": worker("Running") }),
            },
        });
        const r = settle();
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(r.stdout).toBe('{"node": "node-2", "restarted": false}\n');
        expect(restarts()).toEqual([]);
    });

    it("restarts a worker still running work of a failed or unfinished query, waits for its new heartbeat, once per query", () => {
        coordinator.setState({
            nodes: { "worker-1": 0, "worker-2": 0 },
            queries: {
                q1: query("q1", "Error", {
                    "worker-1": worker("Error", "WorkerNotFound: Node worker-2 not found"),
                    "worker-2": worker("Running"),
                }),
                q0: query("q0", "Loading", { "worker-2": worker("Loading") }),
                q2: query("q2", "Finished", { "worker-2": worker("Finished") }),
            },
        });
        const started = Date.now();
        const r = settle({ env: { FAKE_DOCKER_RESTART_SLEEP: "0.3" } });
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        // the fake's stamps move every second: a beat stamped after the restart comes within 1 s
        expect(Date.now() - started).toBeLessThan(5000);
        const out = JSON.parse(r.stdout) as Record<string, unknown>;
        expect(out).toEqual({
            node: "node-2",
            restarted: true,
            queries: ["q0", "q1"],
            reason: "query q0 is still Loading with worker-2 Loading; query q1 ended Error but worker-2 is still Running",
            stop_seconds: expect.any(Number),
        });
        expect(out.stop_seconds).toBeGreaterThanOrEqual(0.3);
        expect(out.stop_seconds).toBeLessThan(3);
        expect(restarts()).toEqual(["10 parwop-worker-2"]);
        expect(fs.readFileSync(path.join(tmp, "settled", "parwop-worker-2"), "utf8")).toBe("q0\nq1\n");

        const again = settle();
        expect(again.code).toBe(0);
        expect(again.stdout).toBe('{"node": "node-2", "restarted": false}\n');
        expect(restarts()).toHaveLength(1);
    });

    it("fails, bounded, when the restarted worker does not heartbeat, and settles nothing", () => {
        const t = Math.floor(Date.now() / 1000) - 5;
        coordinator.setState({ stamps: { "worker-2": t }, queries: { q1: query("q1", "Running", { "worker-2": worker("Running") }) } });
        const started = Date.now();
        const r = settle({ timeout: 7 });
        expect(Date.now() - started).toBeLessThan(12_000);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(lines(r.stderr)).toEqual([
            expect.stringMatching(
                new RegExp(
                    `^settle node-2: asking the coordinator http://127\\.0\\.0\\.1:\\d+ from parwop-worker-2: TimeoutError: restarted, but the coordinator shows no heartbeat of worker-2 stamped after \\d+ \\(last ${t}\\)$`,
                ),
            ),
        ]);
        expect(restarts()).toEqual(["10 parwop-worker-2"]);
        expect(fs.existsSync(path.join(tmp, "settled", "parwop-worker-2"))).toBe(false);
    });

    it("names the failed restart and the queries it was for", () => {
        coordinator.setState({ nodes: { "worker-2": 0 }, queries: { q1: query("q1", "Running", { "worker-2": worker("Running") }) } });
        const r = settle({ env: { FAKE_DOCKER_RESTART: "fail" } });
        expect(r.code).toBe(1);
        expect(lines(r.stderr)).toEqual([
            "settle node-2: docker restart -t 10 parwop-worker-2 failed (Error response from daemon: Cannot restart container parwop-worker-2: cannot stop); leftover queries: q1",
        ]);
    });

    it("names the coordinator that does not answer", () => {
        const r = settle({ url: "http://127.0.0.1:9" });
        expect(r.code).toBe(1);
        expect(lines(r.stderr)).toEqual([
            "settle node-2: asking the coordinator http://127.0.0.1:9 from parwop-worker-2: URLError: <urlopen error [Errno 111] Connection refused>",
        ]);
        expect(restarts()).toEqual([]);
    });

    it("rejects missing arguments with usage and exit 2", () => {
        const r = run("bash", ["-s", "--", "--node", "n"], { input: SCRIPT });
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^usage: settle-worker.sh --node NAME /);
    });
});
