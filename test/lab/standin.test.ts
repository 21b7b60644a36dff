/**
 * The PARWOP stand-in (a test fixture, not PARWOP) honours the contract in real containers:
 * workers heartbeat to COORDINATOR_ADDRESS, the status endpoint has the contract's shape, a
 * stopped worker's heartbeat goes stale, and the client API does real, checkable work in local
 * and distributed mode (results over the real broker), and fails on purpose when asked.
 */
import { Broker, docker, removeContainers, requireLab, run, startBroker, waitBrokerReady, waitFor } from "./lab";
import { heartbeatStatus, pythonIn, StandinCluster, startStandinCluster, waitPeersKnown } from "./standin";

/** Rows per fixture dataset (test/standin/gen_data.py's default, as up.sh runs it). */
const rowsPerDataset = 20000;

/**
 * Prints one JSON line: rows, batches, whether every batch respects PARTITION BY + ORDER BY, seconds
 * (after whatever the client itself prints: see `parse`).
 */
function queryScript(opts: {
    distributed: boolean;
    coordinator?: string;
    partitionBy: string[];
    orderBy: string[];
    nodes?: string[];
    dataPath?: string;
}): string {
    const data = JSON.stringify(opts.dataPath ?? "/data");
    const datasets = opts.distributed
        ? `[ParquetDataset(path=${data}, node_id=n) for n in ${JSON.stringify(opts.nodes)}]`
        : `[ParquetDataset(path=${data})]`;
    return `
import json, time
from parwop.solver.query import QueryClient
from parwop.solver.dataset import ParquetDataset
pb, ob = ${JSON.stringify(opts.partitionBy)}, ${JSON.stringify(opts.orderBy)}
client = QueryClient(datasets=${datasets}, partition_by=pb, order_by=ob, memory_limit=5000,
                     is_distributed=${opts.distributed ? "True" : "False"}, coordinator_address=${JSON.stringify(opts.coordinator ?? null)},
                     worker_kwargs={"read_only": False, "max_threads": 1, "use_external_address_mq_messages": True})
start = time.monotonic()
rows, batches, ordered = 0, 0, True
for batch in client.run():
    batches += 1
    rows += len(batch)
    keys = [(tuple(r[c] for c in pb), tuple(r[c] for c in ob)) for r in batch]
    ordered = ordered and len(batch) <= 5000 and all(a[0] < b[0] or (a[0] == b[0] and a[1] <= b[1]) for a, b in zip(keys, keys[1:]))
print(json.dumps({"rows": rows, "batches": batches, "ordered": ordered, "seconds": time.monotonic() - start, "stats": client.stats}))
`.replace(/null/g, "None");
}

/** The client's own output lines, and the script's JSON line (the last). */
function parse(out: string): { printed: string[]; result: RunResult } {
    const lines = out.trimEnd().split("\n");
    return { printed: lines.slice(0, -1), result: JSON.parse(lines.at(-1)!) as RunResult };
}

interface QueryRecord {
    query_id: string;
    state: string;
    detail: string | null;
    duration: number | null;
    workers: Record<string, { node_id: string; state: string; detail: string | null }>;
}

interface RunResult {
    rows: number;
    batches: number;
    ordered: boolean;
    seconds: number;
    stats: { rows: number; batches: number; workers: string[] };
}

/** The "Total records" lines a container logged since an epoch time. */
async function totalsLogged(container: string, since: string): Promise<string[]> {
    const log = await run("bash", ["-c", `docker logs --since ${since} ${container} 2>&1`]);
    return log.split("\n").filter((l) => l.startsWith("Total records: "));
}

describe("PARWOP stand-in: coordinator + 2 workers on the host network", () => {
    let broker: Broker;
    let cluster: StandinCluster;

    beforeAll(async () => {
        requireLab();
        broker = await startBroker("standin-broker", true);
        await waitBrokerReady(broker);
        cluster = await startStandinCluster({ workers: 2, broker, heartbeatInterval: 1 });
        // As the health gate does: a distributed query before this may fail with WorkerNotFound.
        await waitPeersKnown(cluster);
    });

    afterAll(async () => {
        await cluster?.stop();
        if (broker) await removeContainers(broker.name);
    });

    test("the status endpoint lists both workers with fresh heartbeats, in the contract's shape", async () => {
        const status = await waitFor("both workers in the status", 60_000, async () => {
            const s = await heartbeatStatus(cluster.coordinator.url);
            return Object.keys(s.nodes).length === 2 ? s : undefined;
        });
        const now = Date.now() / 1000;
        for (const w of cluster.workers) {
            const node = status.nodes[w.id];
            expect(Object.keys(node).sort()).toEqual(["address", "external_address", "is_active", "last_heartbeat", "node_id"]);
            expect(node).toMatchObject({ node_id: w.id, address: w.url, external_address: w.url, is_active: true });
            // Epoch seconds, and recent.
            expect(now - node.last_heartbeat).toBeLessThan(3 * cluster.heartbeatInterval + 1);
        }
        expect(status.rabbitmq).toEqual({ host: "10.231.0.1", port: broker.amqpPort });
    });

    test("a local run inside a worker reads, partitions and sorts its whole dataset, and prints PARWOP's count in the client", async () => {
        const out = await pythonIn(
            cluster.workers[0].container,
            queryScript({ distributed: false, partitionBy: ["CROSSLINE"], orderBy: ["INLINE", "DISTANCE"] }),
        );
        const { printed, result: r } = parse(out);
        expect(printed).toEqual([`Total records: ${rowsPerDataset}`]);
        expect(r.rows).toBe(rowsPerDataset);
        expect(r.batches).toBe(rowsPerDataset / 5000);
        expect(r.ordered).toBe(true);
        expect(r.seconds).toBeGreaterThan(0.01);
    });

    test("a distributed run asks each worker for its own dataset, gets results over RabbitMQ, and the coordinator logs the count", async () => {
        const ids = cluster.workers.map((w) => w.id);
        const since = String(Date.now() / 1000);
        const out = await pythonIn(
            cluster.workers[0].container,
            queryScript({
                distributed: true,
                coordinator: cluster.coordinator.url,
                partitionBy: ["SOURCE_POINT_NUMBER"],
                orderBy: ["SENSOR_NUMBER"],
                nodes: ids,
            }),
        );
        const { printed, result: r } = parse(out);
        // In distributed mode PARWOP prints its count in the coordinator's server output, not in the client.
        expect(printed).toEqual([]);
        expect(await totalsLogged(cluster.coordinator.container, since)).toEqual([`Total records: ${2 * rowsPerDataset}`]);
        expect(r.rows).toBe(2 * rowsPerDataset);
        expect(r.ordered).toBe(true);
        expect(r.stats.workers.sort()).toEqual(ids);
        // The contract's query record, listed by id as PARWOP lists them.
        const queries = (await (await fetch(`${cluster.coordinator.url}/coordinator/query/`)).json()) as Record<string, QueryRecord>;
        const [query] = Object.values(queries);
        expect(Object.keys(queries)).toEqual([query.query_id]);
        expect(Object.keys(query).sort()).toEqual([
            "detail",
            "duration",
            "finish_ts",
            "params",
            "query_id",
            "start_ts",
            "state",
            "workers",
        ]);
        expect(query).toMatchObject({
            state: "Finished",
            workers: {
                "worker-1": { node_id: "worker-1", state: "Finished", detail: null },
                "worker-2": { node_id: "worker-2", state: "Finished", detail: null },
            },
        });
        expect(query.duration).toBeGreaterThan(0);
    });

    test("an empty dataset runs and counts 0 records, in both modes", async () => {
        for (const w of cluster.workers) await pythonIn(w.container, `import os\nos.makedirs("/tmp/empty-data", exist_ok=True)\n`);
        const query = { partitionBy: ["CROSSLINE"], orderBy: ["DISTANCE"], dataPath: "/tmp/empty-data" };
        const local = parse(await pythonIn(cluster.workers[0].container, queryScript({ distributed: false, ...query })));
        expect(local.printed).toEqual(["Total records: 0"]);
        expect(local.result.rows).toBe(0);

        const since = String(Date.now() / 1000);
        const nodes = cluster.workers.map((w) => w.id);
        const distributed = parse(
            await pythonIn(
                cluster.workers[0].container,
                queryScript({ distributed: true, coordinator: cluster.coordinator.url, nodes, ...query }),
            ),
        );
        expect(distributed.result.rows).toBe(0);
        expect(await totalsLogged(cluster.coordinator.container, since)).toEqual(["Total records: 0"]);
    });

    test("a query on a column the data lacks fails, locally and distributed, and the coordinator records it", async () => {
        const bad = { partitionBy: ["NO_SUCH_COLUMN"], orderBy: ["DISTANCE"] };
        await expect(pythonIn(cluster.workers[0].container, queryScript({ distributed: false, ...bad }))).rejects.toThrow(
            /KeyError.*NO_SUCH_COLUMN/s,
        );
        await expect(
            pythonIn(
                cluster.workers[0].container,
                queryScript({ distributed: true, coordinator: cluster.coordinator.url, nodes: ["worker-1"], ...bad }),
            ),
        ).rejects.toThrow(/ValueError: Query state has been changed to state: error/);
        const queries = (await (await fetch(`${cluster.coordinator.url}/coordinator/query/`)).json()) as Record<string, QueryRecord>;
        expect(Object.values(queries).at(-1)).toMatchObject({
            state: "Error",
            detail: expect.stringContaining("worker-1: KeyError"),
            workers: { "worker-1": { state: "Error", detail: expect.stringContaining("NO_SUCH_COLUMN") } },
        });
    });

    test("MAX_CPU in a worker's environment breaks loading a multi-file dataset, as in PARWOP", async () => {
        const script = `from parwop.solver.dataset import ParquetDataset\nParquetDataset(path="/data").load()\n`;
        await expect(pythonIn(cluster.workers[0].container, script, ["MAX_CPU=2"])).rejects.toThrow(/TypeError: '<' not supported/);
        await expect(pythonIn(cluster.workers[0].container, script)).resolves.toBe("");
    });

    test("PUT /trim_memory answers on both roles", async () => {
        for (const url of [cluster.coordinator.url, ...cluster.workers.map((w) => w.url)]) {
            const res = await fetch(`${url}/trim_memory`, { method: "PUT" });
            expect(res.status).toBe(200);
        }
    });

    test("a stopped worker's heartbeat goes stale while the other stays fresh (is_active does not notice)", async () => {
        const [alive, stopped] = cluster.workers;
        await docker("stop", "-t", "2", stopped.container);
        const stale = 3 * cluster.heartbeatInterval;
        const status = await waitFor(`${stopped.id}'s heartbeat older than ${stale} s`, 30_000, async () => {
            const s = await heartbeatStatus(cluster.coordinator.url);
            return Date.now() / 1000 - s.nodes[stopped.id].last_heartbeat > stale ? s : undefined;
        });
        expect(Date.now() / 1000 - status.nodes[alive.id].last_heartbeat).toBeLessThan(stale);
        // The contract's trap, reproduced: a health check must judge last_heartbeat itself.
        expect(status.nodes[stopped.id].is_active).toBe(true);
    });
});
