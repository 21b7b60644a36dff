/**
 * The PARWOP stand-in (a test fixture, not PARWOP) fails and leaves work behind as PARWOP did
 * against a real deployment (CONTRACT.md, "Who knows whom"), and scripts/settle-worker.sh clears
 * it: worker-2 registers after worker-1, a distributed query started before worker-1's next
 * heartbeat fails on worker-1 with WorkerNotFound (query Error, the client raises, "Total records"
 * printed all the same), while worker-2 keeps working on it, leaves a spill file and holds off
 * SIGTERM; a settle restarts worker-2 once, bounded, and idle roles stop at once.
 */
import { mkdtempSync, readdirSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { run as runSync } from "../scripts/proc";
import { Broker, docker, removeContainers, repoRoot, requireLab, run, startBroker, waitBrokerReady, waitFor } from "./lab";
import { heartbeatStatus, pythonIn, StandinCluster, startStandinCluster } from "./standin";

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
    // Long enough that the query below starts before worker-1's second heartbeat.
    const interval = 12;

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

    test("a query right after the last worker registered fails with WorkerNotFound, and the client raises", async () => {
        const since = String(Date.now() / 1000);
        const client = `
from parwop.solver.query import QueryClient
from parwop.solver.dataset import ParquetDataset
client = QueryClient(datasets=[ParquetDataset(path="/data", node_id=n) for n in ["worker-1", "worker-2"]],
                     partition_by=["CROSSLINE"], order_by=["DISTANCE"], memory_limit=5000, is_distributed=True,
                     coordinator_address="${cluster.coordinator.url}", worker_kwargs={"read_only": True})
for _ in client.run():
    pass
`;
        await expect(pythonIn(cluster.workers[1].container, client)).rejects.toThrow(
            /ValueError: Query state has been changed to state: error/,
        );
        [failed] = Object.values(await queries(cluster.coordinator.url));
        expect(failed).toMatchObject({
            state: "Error",
            detail: "worker-1: WorkerNotFound: Node worker-2 not found",
            workers: { "worker-1": { state: "Error", detail: "WorkerNotFound: Node worker-2 not found" } },
        });
        // Printed at plan time, before any worker read data: a failed query printed it too.
        const log = await run("bash", ["-c", `docker logs --since ${since} ${cluster.coordinator.container} 2>&1`]);
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
