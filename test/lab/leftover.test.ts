/**
 * The PARWOP stand-in (a test fixture, not PARWOP) fails and leaves work behind as PARWOP did
 * against a real deployment (CONTRACT.md, "Who knows whom"), and scripts/settle-worker.sh clears
 * it: worker-2 registers after worker-1, a distributed query started before worker-1's next
 * heartbeat fails on worker-1 with WorkerNotFound (query Error, the client raises, "Total records"
 * printed all the same, and the program's run step fails naming the query), while worker-2 keeps working on it, leaves a spill file and holds off
 * SIGTERM; a settle restarts worker-2 once, bounded, and idle roles stop at once.
 */
import { mkdtempSync, readdirSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { runStep } from "../../lib/scripts";
import { run as runSync } from "../scripts/proc";
import { Broker, docker, removeContainers, repoRoot, requireLab, run, startBroker, waitBrokerReady, waitFor } from "./lab";
import { heartbeatStatus, StandinCluster, startStandinCluster } from "./standin";

interface QueryRecord {
    query_id: string;
    state: string;
    detail: string | null;
    workers: Record<string, { state: string; detail: string | null }>;
}
const queries = async (url: string) => (await (await fetch(`${url}/coordinator/query/`)).json()) as Record<string, QueryRecord>;

/** Seconds a `docker stop -t 10` of the container takes. */
async function stopSeconds(container: string): Promise<number> {
    const started = Date.now();
    await docker("stop", "-t", "10", container);
    return (Date.now() - started) / 1000;
}

describe("a failed distributed query on the stand-in, and settle-worker.sh", () => {
    let broker: Broker;
    let cluster: StandinCluster;
    let dumps: string;
    let settled: string;
    let failed: QueryRecord;
    // Long enough that the query below starts before worker-1's second heartbeat, even when worker-2's
    // container takes seconds to start on a loaded machine (at 12 s, a full CI run once lost that race).
    const interval = 30;

    beforeAll(async () => {
        requireLab();
        dumps = mkdtempSync(join(tmpdir(), "parwop-lab-dumps-"));
        settled = mkdtempSync(join(tmpdir(), "parwop-lab-settled-"));
        broker = await startBroker("leftover-broker", true);
        await waitBrokerReady(broker);
        cluster = await startStandinCluster({ workers: 2, broker, heartbeatInterval: interval, staggered: true, dumpsDir: dumps });
        await waitFor("worker-2 in the coordinator's status", 60_000, async () =>
            (await heartbeatStatus(cluster.coordinator.url)).nodes["worker-2"] ? true : undefined,
        );
    });
    afterAll(async () => {
        await cluster?.stop();
        if (broker) await removeContainers(broker.name);
        for (const dir of [dumps, settled]) if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const settle = (i: number) => {
        const w = cluster.workers[i];
        const args = ["--node", `node-${i + 1}`, "--container", w.container, "--node-id", w.id];
        args.push("--coordinator", cluster.coordinator.url, "--stop-timeout", "3", "--timeout", String(3 * interval));
        args.push("--settled-dir", settled);
        return runSync("timeout", ["-k", "10", String(6 * interval + 30), "bash", "-s", "--", ...args], {
            input: runSync("cat", [join(repoRoot, "scripts", "settle-worker.sh")]).stdout,
            timeoutMs: 180_000,
        });
    };

    test("a run right after the last worker registered fails with WorkerNotFound, and the driver says so", async () => {
        const since = String(Date.now() / 1000);
        // The program's run step, from the coordinator's container, as scripts.test.ts runs it.
        const c = cluster.coordinator.container;
        const driver = { "--query": "SQ3", "--partition-by": "CROSSLINE", "--order-by": "DISTANCE", "--repetition": 1 };
        const rest = { "--memory-limit": 5000, "--coordinator": cluster.coordinator.url, "--max-threads": 1 };
        const mode = { "--mode": "distributed", "--workers": "worker-1,worker-2" };
        const spec = { container: c, seconds: 120, query: "SQ3", repetition: 1, recordsFromLog: c };
        const step = runStep({ ...spec, driver: { ...driver, ...rest, ...mode } });
        const r = runSync("bash", ["-c", step.create], { input: step.stdin, timeoutMs: 180_000 });
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        [failed] = Object.values(await queries(cluster.coordinator.url));
        // PARWOP's client raised, the query is Error on the coordinator: the run does not count.
        expect(r.stderr.trimEnd().split("\n").at(-1)).toMatch(
            new RegExp(
                `^run SQ3 rep 1 failed: query ${failed.query_id} ended in state Error: worker-1: WorkerNotFound: Node worker-2 not found; ` +
                    "worker-1 Error: WorkerNotFound: Node worker-2 not found; worker-2 (Preparing workers|Loading|Running); " +
                    "client: ValueError: Query state has been changed to state: error$",
            ),
        );
        expect(failed).toMatchObject({
            state: "Error",
            detail: "worker-1: WorkerNotFound: Node worker-2 not found",
            workers: { "worker-1": { state: "Error", detail: "WorkerNotFound: Node worker-2 not found" } },
        });
        // Printed at plan time, before any worker read data: a failed query printed it too.
        const log = await run("bash", ["-c", `docker logs --since ${since} ${c} 2>&1`]);
        expect(log.split("\n").filter((l) => l.startsWith("Total records: "))).toEqual(["Total records: 40000"]);
    });

    test("the worker that did not fail keeps working on it, Running on the coordinator, with a spill file", async () => {
        const record = await waitFor("worker-2 Running in the failed query", 30_000, async () => {
            const q = (await queries(cluster.coordinator.url))[failed.query_id];
            return q.workers["worker-2"].state === "Running" ? q : undefined;
        });
        expect(record.state).toBe("Error");
        expect(readdirSync(join(dumps, "worker-2"))).toEqual([`${failed.query_id}-worker-2.spill`]);
    });

    test("settle-worker.sh leaves worker-1 alone and restarts worker-2 once, whose stop needed SIGKILL", () => {
        const one = settle(0);
        expect(one.stderr).toBe("");
        expect(one.stdout).toBe('{"node": "node-1", "restarted": false}\n');

        const two = settle(1);
        expect(two.stderr).toBe("");
        expect(two.code).toBe(0);
        const out = JSON.parse(two.stdout) as { restarted: boolean; queries: string[]; reason: string; stop_seconds: number };
        expect(out).toMatchObject({
            restarted: true,
            queries: [failed.query_id],
            reason: `query ${failed.query_id} ended Error but worker-2 is still Running`,
        });
        // It ignored SIGTERM: docker waited out the stop timeout (3 s) and killed it.
        expect(out.stop_seconds).toBeGreaterThanOrEqual(3);

        expect(settle(1).stdout).toBe('{"node": "node-2", "restarted": false}\n');
    });

    test("idle roles stop at once on SIGTERM (the restarted worker too); the spill file stays", async () => {
        for (const c of [cluster.coordinator.container, ...cluster.workers.map((w) => w.container)]) {
            expect(await stopSeconds(c)).toBeLessThan(2.5);
        }
        expect(readdirSync(join(dumps, "worker-2"))).toEqual([`${failed.query_id}-worker-2.spill`]);
    });
});
