import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { FakeCoordinator, startFakeCoordinator } from "./fakeCoordinator";
import { ROOT, lines, run } from "./proc";

const GATE = fs.readFileSync(path.join(ROOT, "scripts", "health_gate.py"));

let fake: FakeCoordinator;
let url: string;
const setState = (state: unknown) => fake.setState(state);
const waitForPolls = (n: number, stop?: () => boolean) => fake.waitForRequests(n, stop);

beforeAll(async () => {
    fake = await startFakeCoordinator();
    url = fake.url;
});
afterAll(() => fake.stop());

/** Runs the gate as the command resource does: the file on stdin of `python -u -`. */
function gate(workers: string, opts: { url?: string; timeout?: number; maxAge?: number; sinceStart?: boolean } = {}) {
    return run(
        "python3",
        [
            "-u",
            "-",
            "--url",
            opts.url ?? url,
            "--workers",
            workers,
            "--timeout",
            String(opts.timeout ?? 2),
            "--max-age",
            String(opts.maxAge ?? 30),
            "--interval",
            "0.2",
            ...(opts.sinceStart ? ["--since-start"] : []),
        ],
        { input: GATE },
    );
}

/** Starts the gate in the background; `done()` tells whether it has exited yet. */
function gateAsync(workers: string, timeout: number) {
    let exited = false;
    const result = new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn("python3", [
            "-u",
            "-",
            "--url",
            url,
            "--workers",
            workers,
            "--timeout",
            String(timeout),
            "--max-age",
            "30",
            "--interval",
            "0.2",
        ]);
        let stdout = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.on("close", (code) => {
            exited = true;
            resolve({ code, stdout });
        });
        child.stdin.end(GATE);
    });
    return { result, done: () => exited };
}

/** A port on which nothing listens. */
async function freePort(): Promise<number> {
    const s = net.createServer();
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
    const { port } = s.address() as net.AddressInfo;
    await new Promise((resolve) => s.close(resolve));
    return port;
}

describe("health_gate.py against a fake coordinator", () => {
    it("passes once every worker's heartbeat is fresh and stamped after the last worker appeared", () => {
        setState({ nodes: { "worker-1": 5, "worker-2": 5, "worker-9": 500 } });
        const r = gate("worker-1,worker-2");
        expect(r.code).toBe(0);
        expect(r.stderr).toBe("");
        const out = JSON.parse(r.stdout) as {
            ok: boolean;
            workers: Record<string, number>;
            waited_seconds: number;
            peers: { last_appeared: string; appeared_at: number; heartbeats: Record<string, number> };
        };
        expect(out.ok).toBe(true);
        expect(Object.keys(out.workers)).toEqual(["worker-1", "worker-2"]);
        expect(out.workers["worker-2"]).toBeGreaterThanOrEqual(5);
        expect(out.workers["worker-2"]).toBeLessThan(7);
        // The fake's stamps move every whole second: the gate waits for the next one, not longer.
        expect(out.waited_seconds).toBeLessThan(2);
        expect(out.peers.last_appeared).toBe("worker-1");
        expect(out.peers.heartbeats["worker-1"]).toBeGreaterThan(out.peers.appeared_at);
        expect(out.peers.heartbeats["worker-2"]).toBeGreaterThan(out.peers.appeared_at);
        expect(r.stdout.split("\n")).toHaveLength(2);
    });

    it("waits until a worker that registered before the last one has heartbeated again (its peer table)", async () => {
        const t = Math.floor(Date.now() / 1000);
        setState({ stamps: { "worker-1": t - 3 } });
        const pending = gateAsync("worker-1,worker-2", 10);
        await waitForPolls(2);
        setState({ stamps: { "worker-1": t - 3, "worker-2": t } });
        // Both fresh now, as the coordinator sees them; worker-1 does not know worker-2 yet.
        // A gate that passed too early has exited: stop waiting for its polls then.
        await waitForPolls(4, pending.done);
        expect(pending.done()).toBe(false);
        setState({ stamps: { "worker-1": t + 1, "worker-2": t } });
        await waitForPolls(2, pending.done);
        expect(pending.done()).toBe(false); // worker-2 must beat after its own appearance too
        setState({ stamps: { "worker-1": t + 1, "worker-2": t + 1 } });
        const r = await pending.result;
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout)).toMatchObject({
            ok: true,
            peers: { last_appeared: "worker-2", appeared_at: t, heartbeats: { "worker-1": t + 1, "worker-2": t + 1 } },
        });
    });

    it("names every worker that has not heartbeated since the last one appeared, on timeout", () => {
        const t = Math.floor(Date.now() / 1000);
        setState({ stamps: { "worker-1": t - 3, "worker-2": t } });
        const r = gate("worker-1,worker-2", { timeout: 1 });
        expect(r.code).toBe(1);
        expect(lines(r.stderr)).toEqual([
            `health gate: workers not heartbeated since the last worker appeared after 1s: worker-1 (no heartbeat after worker-2 appeared at ${t}, so it may not know worker-2 yet; last ${t - 3}), worker-2 (no heartbeat since it appeared at ${t})`,
        ]);
    });

    it("names the missing and the stale worker on timeout, although is_active says true", () => {
        setState({ nodes: { "worker-1": 0, "worker-3": 95 } });
        const started = Date.now();
        const r = gate("worker-1,worker-2,worker-3", { timeout: 1.5 });
        expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(lines(r.stderr)).toEqual([
            "health gate: workers missing or stale after 2s: worker-2 (never seen), worker-3 (last heartbeat 95s ago)",
        ]);
    });

    it("with --since-start, a beat from before the gate (a replaced worker's) does not count", () => {
        const t = Math.floor(Date.now() / 1000);
        setState({ nodes: { "worker-1": 0 }, stamps: { "worker-2": t - 10 } });
        const plain = gate("worker-1,worker-2", { timeout: 1.5 });
        expect(plain.code).toBe(1);
        expect(lines(plain.stderr)).toEqual([
            expect.stringMatching(
                /^health gate: workers not heartbeated since the last worker appeared after 2s: worker-2 \(no heartbeat after worker-1 appeared at \d+, so it may not know worker-1 yet; last \d+\)$/,
            ),
        ]);
        const r = gate("worker-1,worker-2", { timeout: 1.5, sinceStart: true });
        expect(r.code).toBe(1);
        expect(lines(r.stderr)).toEqual([
            // 10 s and the time the first gate took
            expect.stringMatching(
                /^health gate: workers missing or stale after 2s: worker-2 \(no heartbeat since the gate started; last 1[0-4]s ago\)$/,
            ),
        ]);
    });

    it("waits for a worker that starts heartbeating later", async () => {
        setState({ nodes: { "worker-1": 0 } });
        const pending = gateAsync("worker-1,worker-2", 10);
        // Worker-2 appears only once the gate has seen it missing twice (however slow python starts).
        await waitForPolls(2);
        setState({ nodes: { "worker-1": 0, "worker-2": 0 } });
        const r = await pending.result;
        expect(r.code).toBe(0);
        expect((JSON.parse(r.stdout) as { waited_seconds: number }).waited_seconds).toBeGreaterThan(0);
    });

    it("names the coordinator when nothing answers", async () => {
        const dead = `http://127.0.0.1:${await freePort()}`;
        const r = gate("worker-1,worker-2", { url: dead, timeout: 1 });
        expect(r.code).toBe(1);
        expect(lines(r.stderr)).toEqual([
            `health gate: coordinator ${dead} not answering after 1s (ConnectionRefusedError: [Errno 111] Connection refused); workers not confirmed: worker-1, worker-2`,
        ]);
    });

    it.each([
        [{ status: 500, raw: "Internal Server Error" }, "(HTTP 500)"],
        [{ raw: "<html>" }, "(unexpected answer (JSONDecodeError: "],
    ])("names the coordinator when it answers %j", (state, reason) => {
        setState(state);
        const r = gate("worker-1", { timeout: 0.5 });
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`health gate: coordinator ${url} not answering after`);
        expect(r.stderr).toContain(reason);
    });

    it("rejects an empty worker list", () => {
        const r = gate(" , ");
        expect(r.code).toBe(2);
        expect(r.stderr).toContain("--workers must name at least one worker");
    });
});
