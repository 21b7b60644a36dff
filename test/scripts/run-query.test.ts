import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runStep } from "../../lib/scripts";
import { Flags } from "../../model/steps";
import { FakeCoordinator, startFakeCoordinator } from "./fakeCoordinator";
import { FIXTURES, lines, run } from "./proc";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let tmp: string;
// Distributed runs read their query's final state from the coordinator.
let coordinator: FakeCoordinator;
beforeAll(async () => {
    coordinator = await startFakeCoordinator();
});
afterAll(() => coordinator.stop());
beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "run-query-"));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const args = (mode: "local" | "distributed", workers: string): Flags => ({
    "--query": "SQ1",
    "--partition-by": "SOURCE_POINT_NUMBER",
    "--order-by": "SENSOR_NUMBER",
    "--repetition": 2,
    "--mode": mode,
    "--workers": workers,
    "--memory-limit": 5000000,
    "--coordinator": coordinator.url,
    "--max-threads": 1,
    "--read-only": true,
    "--log": path.join(tmp, "parwop.log"),
});
const run60 = (container: string, driver: Flags, recordsFromLog?: string) =>
    runStep({ container, seconds: 60, query: "SQ1", repetition: 2, driver, recordsFromLog });

/**
 * Runs the rendered run step as a local command resource does (`bash -c CREATE`, the stdin it
 * renders), with the fake docker (exec runs here, logs prints a file) and the fake parwop package.
 */
function step(
    mode: "local" | "distributed",
    env: Record<string, string> = {},
    coordinatorLog?: string,
    driverArgs = args(mode, "worker-3"),
) {
    const s =
        mode === "local"
            ? run60("parwop-worker-3", driverArgs)
            : run60("parwop-coordinator", args(mode, "worker-1,worker-2"), "parwop-coordinator");
    if (coordinatorLog !== undefined) {
        fs.writeFileSync(path.join(tmp, "coordinator.log"), coordinatorLog);
        env = { FAKE_DOCKER_LOGS_FILE: path.join(tmp, "coordinator.log"), ...env };
    }
    return run("bash", ["-c", s.create], {
        input: s.stdin,
        cwd: tmp,
        env: {
            ...process.env,
            PATH: `${path.join(FIXTURES, "bin")}:${process.env.PATH}`,
            PYTHONPATH: path.join(FIXTURES, "fake-parwop"),
            FAKE_DOCKER_LOGS_CALLS: path.join(tmp, "logs-calls"),
            FAKE_PARWOP_STATE: coordinator.stateFile,
            ...env,
        },
    });
}

describe("scripts/run-query.sh around the driver, as runStep renders it", () => {
    it("local mode: one JSON line, PARWOP's own record count, a new execution id each time", () => {
        const first = step("local", { FAKE_PARWOP_TOTAL: "1500" });
        expect(first.stderr).toBe("");
        expect(first.code).toBe(0);
        expect(lines(first.stdout)).toHaveLength(1);
        const line = JSON.parse(first.stdout) as Record<string, unknown>;
        // records last: the wrapper fills a null one by that suffix in distributed mode
        expect(Object.keys(line).at(-1)).toBe("records");
        expect(line).toMatchObject({ query: "SQ1", repetition: 2, workers: ["worker-3"], records: 1500 });
        expect(line.execution_id).toMatch(UUID);
        // the coordinator's log is not read in local mode
        expect(fs.existsSync(path.join(tmp, "logs-calls"))).toBe(false);

        const second = JSON.parse(step("local", { FAKE_PARWOP_TOTAL: "1500" }).stdout) as Record<string, unknown>;
        expect(second.execution_id).toMatch(UUID);
        expect(second.execution_id).not.toBe(line.execution_id);
    });

    it.each([
        ["0", "processed no records (PARWOP printed Total records: 0: is the dataset empty?)"],
        ["none", `processed no records (no "Total records" line in PARWOP's output, <tmp>/parwop.log)`],
    ])("local mode: Total records %s fails the run, with no JSON line", (total, reason) => {
        const r = step("local", { FAKE_PARWOP_TOTAL: total });
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(lines(r.stderr).at(-1)).toBe(`run SQ1 rep 2 failed: ${reason.replace("<tmp>", tmp)}`);
    });

    it("distributed mode: fills records from the coordinator's log since the run started", () => {
        const before = Date.now() / 1000;
        const r = step("distributed", {}, "INFO:     Started server process [1]\nTotal records: 17\nPlan built\nTotal records: 40000\n");
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout)).toMatchObject({ workers: ["worker-1", "worker-2"], records: 40000 });
        const [since, container] = fs.readFileSync(path.join(tmp, "logs-calls"), "utf8").trim().split(" ");
        expect(container).toBe("parwop-coordinator");
        expect(since).toMatch(/^\d+\.\d{9}$/);
        expect(Number(since)).toBeGreaterThanOrEqual(before - 0.01);
        expect(Number(since)).toBeLessThanOrEqual(Date.parse((JSON.parse(r.stdout) as { started_at: string }).started_at) / 1000);
    });

    it.each([
        ["logged 0", "Total records: 0\n", "processed no records (parwop-coordinator logged Total records: 0: is the dataset empty?)"],
        [
            "logged nothing",
            "INFO: query started\n",
            /^processed no records \(no "Total records" line in parwop-coordinator's log since \d+\.\d{9}\)$/,
        ],
        [
            "has no log",
            undefined,
            "cannot read PARWOP's record count: docker logs parwop-coordinator: Error: No such container: parwop-coordinator",
        ],
    ])("distributed mode: a coordinator that %s fails the run", (_name, log, reason) => {
        const r = step("distributed", {}, log);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        const last = lines(r.stderr).at(-1)!;
        expect(last.startsWith("run SQ1 rep 2 failed: ")).toBe(true);
        expect(last.slice("run SQ1 rep 2 failed: ".length)).toEqual(typeof reason === "string" ? reason : expect.stringMatching(reason));
    });

    it.each([
        ["the container (or docker exec) is killed mid-run", { FAKE_DOCKER_EXEC: "killed" }],
        ["the driver is killed with SIGKILL", { FAKE_PARWOP_KILL: "1" }],
    ])("%s: still one failure line naming the run", (_name, env) => {
        const r = step("local", env);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(lines(r.stderr).at(-1)).toBe(
            "run SQ1 rep 2 failed: the driver ended without a result (exit status 137: killed by SIGKILL, e.g. out of memory or its container stopped; PARWOP's output stays in the container's /tmp/parwop-driver.log)",
        );
    });

    it("passes the driver's own failure report through unchanged, adding nothing", () => {
        const badColumn = { ...args("local", "worker-3"), "--partition-by": "NO_SUCH_COLUMN" };
        const r = step("local", {}, undefined, badColumn);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(lines(r.stderr).filter((l) => l.startsWith("run "))).toEqual([
            "run SQ1 rep 2 failed: KeyError: 'Column NO_SUCH_COLUMN not found in dataset'",
        ]);
    });

    it("rejects a call without the run or the command", () => {
        const r = run("bash", ["-s", "--", "--query", "SQ1", "--"], {
            input: runStep({ container: "c", seconds: 1, query: "SQ1", repetition: 1, driver: { "--query": "SQ1", "--repetition": 1 } })
                .stdin,
        });
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^usage: run-query.sh --query NAME --repetition N /);
    });
});
