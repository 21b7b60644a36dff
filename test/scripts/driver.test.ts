import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FakeCoordinator, startFakeCoordinator } from "./fakeCoordinator";
import { FIXTURES, ROOT, lines, run } from "./proc";

const DRIVER = fs.readFileSync(path.join(ROOT, "scripts", "driver.py"));
const KEYS = [
    "query",
    "repetition",
    "warmup",
    "execution_id",
    "workers",
    "memory_limit_records",
    "wall_seconds",
    "batches",
    "rows",
    "started_at",
    "ended_at",
    "records",
];
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const base = [
    "--query",
    "SQ1",
    "--partition-by",
    "SOURCE_POINT_NUMBER",
    "--order-by",
    "SENSOR_NUMBER",
    "--repetition",
    "2",
    "--memory-limit",
    "5000000",
    "--coordinator",
    "http://node6.lab:8000",
    "--max-threads",
    "1",
];

let tmp: string;
let capture: string;
let coordinator: FakeCoordinator;
beforeAll(async () => {
    coordinator = await startFakeCoordinator();
});
afterAll(() => coordinator.stop());
beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "driver-"));
    capture = path.join(tmp, "client.json");
    // One query that an earlier run left: it must not be taken for this run's.
    coordinator.setState({ queries: { "earlier-query": { query_id: "earlier-query", state: "Error", workers: {} } } });
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs the driver as the command resource does: the file on stdin of `python -u -`. */
function driver(args: string[], env: Record<string, string> = {}) {
    const log = args.includes("--log") ? [] : ["--log", path.join(tmp, "parwop.log")];
    return run("python3", ["-u", "-", ...args, ...log], {
        input: DRIVER,
        cwd: tmp,
        env: {
            ...process.env,
            PYTHONPATH: path.join(FIXTURES, "fake-parwop"),
            FAKE_PARWOP_CAPTURE: capture,
            FAKE_PARWOP_STATE: coordinator.stateFile,
            ...env,
        },
    });
}
/** Distributed-mode arguments against the fake coordinator. */
const distributed = () => [
    ...base.map((a) => (a === "http://node6.lab:8000" ? coordinator.url : a)),
    "--mode",
    "distributed",
    "--workers",
    "worker-1,worker-2",
];
const client = () => JSON.parse(fs.readFileSync(capture, "utf8")) as Record<string, unknown>;

describe("driver.py with a fake parwop package", () => {
    it("local mode: one dataset, no coordinator address, exactly one JSON line on stdout", () => {
        const log = path.join(tmp, "parwop.log");
        const r = driver([...base, "--mode", "local", "--workers", "worker-3", "--read-only", "--log", log], {
            FAKE_PARWOP_BATCHES: "3",
            FAKE_PARWOP_ROWS: "7",
        });
        expect(r.code).toBe(0);
        // the fake prints from its thread, another thread and straight to fd 1: all of it in the log,
        // none on stderr (a command resource keeps stderr in Pulumi's state)
        expect(r.stdout.split("\n")).toHaveLength(2);
        expect(r.stderr).toBe("");
        expect(fs.readFileSync(log, "utf8")).toContain("noise from a library thread");
        expect(fs.readFileSync(log, "utf8")).toContain("noise straight to fd 1");
        const line = JSON.parse(r.stdout) as Record<string, unknown>;
        expect(Object.keys(line)).toEqual(KEYS);
        expect(line).toMatchObject({
            query: "SQ1",
            repetition: 2,
            warmup: false,
            workers: ["worker-3"],
            memory_limit_records: 5000000,
            batches: 3,
            rows: 21,
            // PARWOP's own "Total records: N", printed by its client in local mode
            records: 1000,
        });
        expect(line.execution_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(line.started_at).toMatch(ISO_UTC);
        expect(line.ended_at).toMatch(ISO_UTC);
        // a coordinator address would switch PARWOP's client to distributed mode
        expect(client()).toEqual({
            datasets: [{ path: "/data", node_id: null }],
            partition_by: ["SOURCE_POINT_NUMBER"],
            order_by: ["SENSOR_NUMBER"],
            is_distributed: false,
            coordinator_address: null,
            memory_limit: 5000000,
            worker_kwargs: { read_only: true, max_threads: 1 },
        });
    });

    it("distributed mode: one dataset per worker, external addresses for MQ messages", () => {
        const r = driver([
            ...distributed(),
            "--no-read-only",
            "--data-path",
            "/mnt/data",
            "--warmup",
            "--partition-by",
            "INLINE,CROSSLINE",
            "--order-by",
            "DISTANCE",
        ]);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        // PARWOP prints its count in the coordinator's log here: scripts/run-query.sh fills it in
        expect(JSON.parse(r.stdout)).toMatchObject({ workers: ["worker-1", "worker-2"], warmup: true, records: null });
        expect(r.stdout.trimEnd().endsWith(', "records": null}')).toBe(true);
        expect(client()).toEqual({
            datasets: [
                { path: "/mnt/data", node_id: "worker-1" },
                { path: "/mnt/data", node_id: "worker-2" },
            ],
            partition_by: ["INLINE", "CROSSLINE"],
            order_by: ["DISTANCE"],
            is_distributed: true,
            coordinator_address: coordinator.url,
            memory_limit: 5000000,
            worker_kwargs: { read_only: false, max_threads: 1, use_external_address_mq_messages: true },
        });
    });

    it("distributed mode: records the run's own query as the coordinator reports it, records still last", () => {
        const r = driver(distributed(), { FAKE_PARWOP_WORKER_STATES: JSON.stringify({ "worker-2": ["Completed", null] }) });
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        const line = JSON.parse(r.stdout) as Record<string, unknown>;
        const ids = Object.keys((JSON.parse(fs.readFileSync(coordinator.stateFile, "utf8")) as { queries: object }).queries);
        expect(ids).toHaveLength(2);
        const created = ids.find((id) => id !== "earlier-query");
        expect(Object.keys(line)).toEqual([
            ...KEYS.slice(0, -1),
            "query_id",
            "query_state",
            "coordinator_duration_seconds",
            "worker_states",
            "records",
        ]);
        expect(line).toMatchObject({
            query_id: created,
            query_state: "Finished",
            coordinator_duration_seconds: 1.5,
            worker_states: { "worker-1": "Finished", "worker-2": "Completed" },
            records: null,
        });
    });

    it("distributed mode: a worker that stops heartbeating mid-query fails the run within the bound, naming it", () => {
        coordinator.setState({ nodes: { "worker-1": 0 }, stamps: { "worker-2": Math.floor(Date.now() / 1000) - 100 } });
        const start = Date.now();
        const r = driver([...distributed(), "--lost-worker-seconds", "2"], { FAKE_PARWOP_BATCHES: "20", FAKE_PARWOP_SLEEP: "1" });
        expect((Date.now() - start) / 1000).toBeLessThan(10); // the query alone would take 20 s
        expect(r.code).toBe(1);
        expect(lines(r.stderr).at(-1)).toMatch(
            /client: WorkerLost: worker lost mid-query, no heartbeat for over 2s: worker-2 \(last heartbeat 10\ds ago\)$/,
        );
    });

    it("distributed mode: with every worker beating, the watch lets the run finish and record", () => {
        coordinator.setState({ nodes: { "worker-1": 0, "worker-2": 1 } });
        const r = driver([...distributed(), "--lost-worker-seconds", "2"], { FAKE_PARWOP_BATCHES: "3", FAKE_PARWOP_SLEEP: "1" });
        expect([r.code, r.stderr]).toEqual([0, ""]);
        expect(JSON.parse(r.stdout)).toMatchObject({ query_state: "Finished", batches: 3 });
    });

    it("distributed mode: a query that ended in Error fails the run although Total records was printed, naming the query, its workers and the client's exception", () => {
        const r = driver(distributed(), {
            FAKE_PARWOP_QUERY_STATE: "Error",
            FAKE_PARWOP_WORKER_STATES: JSON.stringify({
                "worker-1": ["Error", "WorkerNotFound: Node worker-2 not found"],
                "worker-2": ["Running", null],
            }),
            FAKE_PARWOP_RAISE: "Query state has been changed to state: error",
        });
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(lines(r.stderr).at(-1)).toMatch(
            /^run SQ1 rep 2 failed: query [0-9a-f-]{36} ended in state Error: query error; worker-1 Error: WorkerNotFound: Node worker-2 not found; worker-2 Running; client: ValueError: Query state has been changed to state: error$/,
        );
    });

    it.each([
        [
            "a clean client whose query was Cancelled",
            { FAKE_PARWOP_QUERY_STATE: "Cancelled" },
            / ended in state Cancelled: query cancelled; worker-1 Cancelled; worker-2 Cancelled$/,
        ],
        [
            "a Finished query whose client raised",
            { FAKE_PARWOP_RAISE: "lost the broker" },
            / ended in state Finished: client: ValueError: lost the broker$/,
        ],
    ])("distributed mode: %s does not count", (_name, env, tail) => {
        const r = driver(distributed(), env);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(lines(r.stderr).at(-1)).toMatch(/^run SQ1 rep 2 failed: query [0-9a-f-]{36}/);
        expect(lines(r.stderr).at(-1)).toMatch(tail);
    });

    it.each([
        ["0", /^run SQ1 rep 2 failed: expected exactly one new query on the coordinator http:\/\/127\.0\.0\.1:\d+, found 0$/],
        [
            "2",
            /^run SQ1 rep 2 failed: expected exactly one new query on the coordinator http:\/\/127\.0\.0\.1:\d+, found 2 \([0-9a-f-]{36}, [0-9a-f-]{36}\)$/,
        ],
    ])("distributed mode: %s new queries on the coordinator fail the run, saying so", (count, message) => {
        const r = driver(distributed(), { FAKE_PARWOP_QUERIES: count });
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(lines(r.stderr).at(-1)).toMatch(message);
    });

    it("times the query itself", () => {
        const r = driver([...base, "--mode", "local", "--workers", "worker-1"], {
            FAKE_PARWOP_BATCHES: "3",
            FAKE_PARWOP_SLEEP: "0.2",
        });
        const line = JSON.parse(r.stdout) as { wall_seconds: number; started_at: string; ended_at: string };
        expect(line.wall_seconds).toBeGreaterThanOrEqual(0.6);
        expect(line.wall_seconds).toBeLessThan(5);
        const span = (Date.parse(line.ended_at) - Date.parse(line.started_at)) / 1000;
        expect(Math.abs(span - line.wall_seconds)).toBeLessThan(0.05);
    });

    it("a failing run exits 1, names query, repetition and error, and prints nothing on stdout", () => {
        const r = driver([
            ...base.map((a) => (a === "SOURCE_POINT_NUMBER" ? "NO_SUCH_COLUMN" : a)),
            "--mode",
            "local",
            "--workers",
            "worker-1",
        ]);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(lines(r.stderr).at(-1)).toBe("run SQ1 rep 2 failed: KeyError: 'Column NO_SUCH_COLUMN not found in dataset'");
    });

    it("fails a local run whose PARWOP counted 0 records (an empty dataset), printing no JSON line", () => {
        const r = driver([...base, "--mode", "local", "--workers", "worker-1"], { FAKE_PARWOP_TOTAL: "0" });
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(lines(r.stderr).at(-1)).toBe(
            "run SQ1 rep 2 failed: processed no records (PARWOP printed Total records: 0: is the dataset empty?)",
        );
    });

    it("ends a run that outlives --timeout, since `timeout` around docker exec cannot", () => {
        const started = Date.now();
        const r = driver([...base, "--mode", "local", "--workers", "worker-1", "--timeout", "1"], {
            FAKE_PARWOP_SLEEP: "10",
        });
        expect(Date.now() - started).toBeLessThan(6000);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(lines(r.stderr).at(-1)).toBe("run SQ1 rep 2 failed: DeadlineExceeded: no result after 1s");
    });

    it("reports a SIGTERM from an outer `timeout` as a failed run", () => {
        const log = ["--log", path.join(tmp, "parwop.log")];
        const r = run("timeout", ["1", "python3", "-u", "-", ...base, "--mode", "local", "--workers", "worker-1", ...log], {
            input: DRIVER,
            cwd: tmp,
            env: { ...process.env, PYTHONPATH: path.join(FIXTURES, "fake-parwop"), FAKE_PARWOP_SLEEP: "10" },
        });
        expect(r.code).toBe(124);
        expect(r.stdout).toBe("");
        expect(lines(r.stderr).at(-1)).toBe("run SQ1 rep 2 failed: DeadlineExceeded: stopped by signal SIGTERM (an outer timeout?)");
    });

    it("runs after a fresh cache drop, and refuses a second attempt behind the same drop (a retry would be warm)", () => {
        const marker = path.join(tmp, "last-attempt");
        const dropped = (Date.now() / 1000).toFixed(6);
        const args = [...base, "--mode", "local", "--workers", "worker-1", "--cache-dropped-at", dropped, "--attempt-marker", marker];
        expect(driver(args).code).toBe(0);
        expect(Number(fs.readFileSync(marker, "utf8"))).toBeGreaterThanOrEqual(Number(dropped));

        const retry = driver(args);
        expect(retry.code).toBe(1);
        expect(retry.stdout).toBe("");
        expect(lines(retry.stderr)).toEqual([
            expect.stringMatching(
                /^run SQ1 rep 2 refused: the page cache was last dropped at [\d.]+, before the last attempt at [\d.]+: the program retries with fresh drops only when results\/<stack>\/attempts\.jsonl on the machine running Pulumi names the last attempt \(was it removed\?\): bump parwop:experiment.runId$/,
            ),
        ]);
        expect(fs.existsSync(capture)).toBe(true); // from the first run only: the client was not built again
        fs.rmSync(capture);
        const later = (Date.now() / 1000 + 1).toFixed(6);
        expect(driver(args.map((a) => (a === dropped ? later : a))).code).toBe(0);
        expect(fs.existsSync(capture)).toBe(true);
    });

    it.each([
        [["--mode", "distributed", "--workers", "worker-1"], "--coordinator is required in distributed mode", true],
        [["--mode", "cluster", "--workers", "worker-1"], "argument --mode: invalid choice: 'cluster'", false],
        [["--mode", "local", "--workers", ","], "argument --workers: must name at least one column or worker", false],
    ])("rejects bad arguments %j with exit 2 and usage", (extra, message, dropCoordinator) => {
        const args = dropCoordinator ? base.filter((a, i) => a !== "--coordinator" && base[i - 1] !== "--coordinator") : base;
        const r = driver([...args, ...extra]);
        expect(r.code).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr).toContain(message);
        expect(fs.existsSync(capture)).toBe(false);
    });
});
