/**
 * The project's own scripts against the real lab: preflight.sh and drop-caches.sh over real SSH
 * on every lab host, health_gate.py and the run step (run-query.sh around driver.py) against
 * PARWOP stand-in containers (a test fixture, not PARWOP). Every command line is rendered by the
 * program's own helpers (lib/scripts.ts) and run with the script on stdin as a command resource
 * does: over SSH for the node steps, and as a local command (the dev stack's way) for the steps
 * in stand-in containers, which run on this machine's engine (each lab host has its own).
 */
import { spawn } from "child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { bashOnNode, dropCachesStep, pythonInContainer, runStep } from "../../lib/scripts";
import { Flags } from "../../model/steps";
import { endStuck } from "../scripts/stuck";
import {
    Broker,
    docker,
    labDir,
    labHosts,
    removeContainers,
    repoRoot,
    requireLab,
    startBroker,
    sshConfig,
    waitBrokerReady,
    waitFor,
} from "./lab";
import { heartbeatStatus, StandinCluster, startStandinCluster, standinCode } from "./standin";

const script = (name: string) => readFileSync(join(repoRoot, "scripts", name), "utf8");
const lastLine = (text: string) => text.trimEnd().split("\n").at(-1);

interface Ran {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** Runs argv with `stdin`, resolving with exit code and output. */
function runWith(argv: string[], stdin: string): Promise<Ran> {
    return new Promise((resolve, reject) => {
        const child = spawn(argv[0], argv.slice(1));
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
        child.stdin.on("error", () => undefined); // an unreachable host closes stdin early
        child.stdin.end(stdin);
    });
}

/** `ssh -F .lab/ssh_config root@ADDR COMMAND < stdin`, as a remote command resource runs a node step. */
const sshRun = (addr: string, command: string, stdin: string) => runWith(["ssh", "-F", sshConfig, `root@${addr}`, command], stdin);
/** `bash -c COMMAND < stdin`, as a local command resource runs a step of the dev stack. */
const localRun = (command: string, stdin: string) => runWith(["bash", "-c", command], stdin);

function cachedKb(): number {
    return Number(/^Cached:\s+(\d+) kB$/m.exec(readFileSync("/proc/meminfo", "utf8"))![1]);
}

describe("preflight.sh and drop-caches.sh over real SSH", () => {
    let hosts: string[];
    beforeAll(() => {
        requireLab();
        hosts = labHosts();
    });

    const preflightArgs = (i: number, over: Record<string, string> = {}) => {
        const args: Record<string, string> = {
            "--node": `lab-h${i + 1}`,
            "--data-dir": join(labDir, "data", `worker-${(i % 2) + 1}`),
            "--code-dir": standinCode,
            "--min-memory-bytes": "1",
            "--min-cpus": "1",
            ...over,
        };
        return [...Object.entries(args).flat(), "--docker-host-check"];
    };

    test("preflight passes on every host, with the real docker engine", async () => {
        const results = await Promise.all(hosts.map((addr, i) => sshRun(addr, bashOnNode(60, preflightArgs(i)), script("preflight.sh"))));
        results.forEach((r, i) => {
            expect(r.stderr).toBe("");
            expect(r.code).toBe(0);
            expect(r.stdout).toMatch(new RegExp(`^preflight lab-h${i + 1}: ok \\(mem \\d+\\.\\d GiB, \\d+ cpus\\)\\n$`));
        });
    });

    test("a failing preflight names the node and every reason", async () => {
        const r = await sshRun(
            hosts[1],
            bashOnNode(60, preflightArgs(1, { "--data-dir": "/srv/no-such-data", "--min-cpus": "4096" })),
            script("preflight.sh"),
        );
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr.trimEnd().split("\n")).toEqual([
            "preflight lab-h2: data dir /srv/no-such-data does not exist",
            expect.stringMatching(/^preflight lab-h2: cpus \d+ < required 4096$/),
        ]);
    });

    test("drop-caches runs on every host at once and empties the page cache", async () => {
        // Put 64 MiB into the page cache first (on disk, not tmpfs): the hosts share this
        // machine's kernel, so this is what they drop.
        const dir = mkdtempSync(join("/var/tmp", "parwop-lab-drop-"));
        try {
            writeFileSync(join(dir, "blob"), Buffer.alloc(64 * 1024 * 1024, 1));
            readFileSync(join(dir, "blob"));
            const before = cachedKb();
            const results = await Promise.all(
                hosts.map((addr, i) => {
                    const step = dropCachesStep(`lab-h${i + 1}`);
                    return sshRun(addr, step.create, step.stdin);
                }),
            );
            results.forEach((r, i) => {
                expect(r.stderr).toBe("");
                expect(r.code).toBe(0);
                expect(r.stdout).toMatch(new RegExp(`^drop-caches lab-h${i + 1}: Cached \\d+ -> \\d+ kB at \\d+\\.\\d+\\n$`));
            });
            const afters = results.map((r) => Number(/-> (\d+) kB/.exec(r.stdout)![1]));
            expect(before - Math.min(...afters)).toBeGreaterThan(32 * 1024);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    test("a sync that does not finish fails the drop within its bound, naming the node, and the session ends", async () => {
        // A `sync` that ignores SIGTERM and never returns, first on the session's PATH: the lab
        // hosts share this machine's files.
        const dir = mkdtempSync(join(tmpdir(), "parwop-lab-stuck-"));
        const pids = join(dir, "pids");
        try {
            const step = dropCachesStep("lab-h2", { syncSeconds: 2, writeSeconds: 5 });
            const stuck = join(repoRoot, "test", "fixtures", "stuck");
            const started = Date.now();
            const r = await sshRun(hosts[1], `PATH=${stuck}:$PATH FAKE_STUCK_PIDFILE=${pids} ${step.create}`, step.stdin);
            const elapsed = Date.now() - started;
            expect(r).toEqual({ code: 1, stdout: "", stderr: "drop-caches lab-h2: sync still running after 2 s\n" });
            expect(elapsed).toBeGreaterThanOrEqual(2000);
            expect(elapsed).toBeLessThan(6000);
            // left behind, not waited for: it still runs after the session ended
            const pid = Number(readFileSync(pids, "utf8").trim());
            expect(() => process.kill(pid, 0)).not.toThrow();
        } finally {
            endStuck(pids);
            rmSync(dir, { recursive: true, force: true });
        }
    });

    test("an unreachable host fails the command", async () => {
        // On the lab network, but no namespace has this address.
        const step = dropCachesStep("ghost");
        const r = await sshRun("10.231.0.250", step.create, step.stdin);
        expect(r.code).toBe(255);
        expect(r.stdout).toBe("");
        expect(r.stderr).toMatch(/ssh: connect to host 10\.231\.0\.250 port 22: (No route to host|Connection timed out)/);
    });
});

describe("health_gate.py and the run step against stand-in containers", () => {
    let broker: Broker;
    let cluster: StandinCluster;
    let coordinatorPort: string;

    beforeAll(async () => {
        requireLab();
        broker = await startBroker("scripts-broker", true);
        await waitBrokerReady(broker);
        cluster = await startStandinCluster({ workers: 2, broker, heartbeatInterval: 1 });
        coordinatorPort = new URL(cluster.coordinator.url).port;
    });
    afterAll(async () => {
        await cluster?.stop();
        if (broker) await removeContainers(broker.name);
    });

    const gate = (workers: string[], timeout: number, maxAge: number) =>
        localRun(
            pythonInContainer(cluster.coordinator.container, timeout + 30, [
                "--url",
                `http://127.0.0.1:${coordinatorPort}`,
                "--workers",
                workers.join(","),
                "--timeout",
                timeout,
                "--max-age",
                maxAge,
                "--interval",
                0.5,
            ]),
            script("health_gate.py"),
        );

    const driverArgs = (over: Record<string, string | number>) => {
        const args: Record<string, string | number> = {
            "--query": "SQ3",
            "--partition-by": "CROSSLINE",
            "--order-by": "INLINE,DISTANCE",
            "--repetition": 1,
            "--memory-limit": 5000,
            "--coordinator": cluster.coordinator.url,
            "--max-threads": 1,
            ...over,
        };
        const flags: Flags = { ...args, "--no-read-only": true };
        return flags;
    };
    const run120 = (container: string, driver: Flags, recordsFromLog?: string) =>
        runStep({
            container,
            seconds: 120,
            query: String(driver["--query"]),
            repetition: Number(driver["--repetition"]),
            driver,
            recordsFromLog,
        });
    /** A local run in worker i's container (0-based), as the program renders it. */
    const localStep = (i: number, over: Record<string, string | number> = {}) => {
        const step = run120(cluster.workers[i].container, driverArgs({ "--mode": "local", "--workers": cluster.workers[i].id, ...over }));
        return localRun(step.create, step.stdin);
    };
    /** A distributed run from the coordinator's container; PARWOP's count comes from the coordinator's log. */
    const distributedStep = (over: Record<string, string | number> = {}) => {
        const c = cluster.coordinator.container;
        const step = run120(c, driverArgs({ "--mode": "distributed", "--workers": "worker-1,worker-2", ...over }), c);
        return localRun(step.create, step.stdin);
    };

    test("the health gate passes once both workers heartbeat", async () => {
        const r = await gate(["worker-1", "worker-2"], 60, 5);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        const out = JSON.parse(r.stdout) as {
            ok: boolean;
            workers: Record<string, number>;
            peers: { appeared_at: number; heartbeats: Record<string, number> };
        };
        expect(out.ok).toBe(true);
        expect(Object.keys(out.workers).sort()).toEqual(["worker-1", "worker-2"]);
        // Each worker beat again after the last one appeared: its own table knows every peer.
        for (const id of ["worker-1", "worker-2"]) expect(out.peers.heartbeats[id]).toBeGreaterThan(out.peers.appeared_at);
    });

    test("a local run in a worker prints one JSON line with what PARWOP processed", async () => {
        const r = await localStep(0);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(r.stdout.split("\n")).toHaveLength(2);
        const line = JSON.parse(r.stdout) as Record<string, unknown>;
        expect(line).toMatchObject({
            query: "SQ3",
            repetition: 1,
            workers: ["worker-1"],
            rows: 20000,
            batches: 4,
            memory_limit_records: 5000,
            records: 20000,
        });
        expect(line.wall_seconds).toBeGreaterThan(0);
    });

    test("a distributed run from the coordinator container takes its record count from the coordinator's log", async () => {
        const r = await distributedStep({
            "--query": "SQ1",
            "--partition-by": "SOURCE_POINT_NUMBER",
            "--order-by": "SENSOR_NUMBER",
            "--repetition": 2,
        });
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout)).toMatchObject({
            query: "SQ1",
            repetition: 2,
            workers: ["worker-1", "worker-2"],
            rows: 40000,
            query_id: expect.stringMatching(/^[0-9a-f]+$/),
            query_state: "Finished",
            coordinator_duration_seconds: expect.any(Number),
            worker_states: { "worker-1": "Finished", "worker-2": "Finished" },
            records: 40000,
        });
    });

    test("two executions of the same run are two records", async () => {
        const dir = mkdtempSync(join(tmpdir(), "parwop-lab-results-"));
        const provenance = {
            ...(JSON.parse(readFileSync(join(repoRoot, "test", "fixtures", "provenance.json"), "utf8")) as Record<string, unknown>),
            mode: "local",
            image_id: (await docker("image", "inspect", "-f", "{{.Id}}", "parwop-standin:test")).trim(),
        };
        try {
            for (let i = 0; i < 2; i++) {
                const r = await localStep(0);
                expect(r.code).toBe(0);
                const recorded = await runWith(
                    ["env", `PARWOP_PROVENANCE=${JSON.stringify(provenance)}`, "node", join(repoRoot, "scripts", "record-result.js"), dir],
                    r.stdout,
                );
                expect(recorded.stderr).toBe("");
                expect(recorded.stdout).toMatch(/^recorded SQ3 rep 1 \(execution [0-9a-f-]{36}\) in /);
            }
            const records = readFileSync(join(dir, "runs.jsonl"), "utf8")
                .trim()
                .split("\n")
                .map((l) => JSON.parse(l) as Record<string, unknown>);
            expect(records.map((r) => [r.run_id, r.query, r.repetition, r.records])).toEqual([
                ["r1", "SQ3", 1, 20000],
                ["r1", "SQ3", 1, 20000],
            ]);
            expect(records[0].execution_id).not.toBe(records[1].execution_id);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    test("an empty dataset fails the run, in local and in distributed mode", async () => {
        for (const w of cluster.workers) await docker("exec", w.container, "mkdir", "-p", "/tmp/empty-data");
        const local = await localStep(0, { "--data-path": "/tmp/empty-data" });
        expect(local.code).toBe(1);
        expect(local.stdout).toBe("");
        expect(lastLine(local.stderr)).toBe(
            "run SQ3 rep 1 failed: processed no records (PARWOP printed Total records: 0: is the dataset empty?)",
        );

        const distributed = await distributedStep({ "--data-path": "/tmp/empty-data", "--repetition": 4 });
        expect(distributed.code).toBe(1);
        expect(distributed.stdout).toBe("");
        expect(lastLine(distributed.stderr)).toBe(
            `run SQ3 rep 4 failed: processed no records (${cluster.coordinator.container} logged Total records: 0: is the dataset empty?)`,
        );
    });

    test("a failing run (a column the data lacks) is reported naming query and repetition", async () => {
        const r = await distributedStep({ "--partition-by": "NO_SUCH_COLUMN", "--repetition": 3 });
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        // PARWOP's client raises; the driver names the query, its state and each worker's failure.
        expect(lastLine(r.stderr)).toMatch(
            /^run SQ3 rep 3 failed: query [0-9a-f]+ ended in state Error: worker-\d: KeyError: .*NO_SUCH_COLUMN.*; client: ValueError: Query state has been changed to state: error$/,
        );
    });

    /**
     * Starts a local run in worker i on a dataset whose only file is a FIFO no one writes, so the
     * driver blocks reading it; resolves with the run's outcome and the driver's pid on this machine.
     */
    async function blockedRun(i: number): Promise<{ outcome: Promise<Ran>; pid: number }> {
        const c = cluster.workers[i].container;
        await docker(
            "exec",
            c,
            "bash",
            "-c",
            "mkdir -p /tmp/fifo-data && { [ -p /tmp/fifo-data/a.jsonl ] || mkfifo /tmp/fifo-data/a.jsonl; }",
        );
        const outcome = localStep(i, { "--data-path": "/tmp/fifo-data", "--repetition": 5 });
        const pid = await waitFor("the driver running in the container", 30_000, async () => {
            const top = await docker("top", c, "-eo", "pid,args");
            const line = top.split("\n").find((l) => /^\s*\d+\s+python -u - --query SQ3/.test(l));
            return line === undefined ? undefined : Number(line.trim().split(/\s+/)[0]);
        });
        return { outcome, pid };
    }
    const killedLine =
        /^run SQ3 rep 5 failed: the driver ended without a result \(exit status 137: killed by SIGKILL, e.g. out of memory or its container stopped; /;

    test("a driver killed with SIGKILL mid-run still yields a failure line naming the run", async () => {
        const { outcome, pid } = await blockedRun(0);
        process.kill(pid, "SIGKILL");
        const r = await outcome;
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(lastLine(r.stderr)).toMatch(killedLine);
    });

    test("a runner container killed mid-run still yields a failure line naming the run", async () => {
        const { outcome } = await blockedRun(1);
        await docker("kill", cluster.workers[1].container);
        const r = await outcome;
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(lastLine(r.stderr)).toMatch(killedLine);
    });

    test("the health gate names a stopped worker and one that never came", async () => {
        const stopped = cluster.workers[1];
        await docker("stop", "-t", "2", stopped.container); // killed by the test before: already down
        await waitFor(`${stopped.id}'s heartbeat older than 3 s`, 30_000, async () => {
            const s = await heartbeatStatus(cluster.coordinator.url);
            return Date.now() / 1000 - s.nodes[stopped.id].last_heartbeat > 3 ? true : undefined;
        });
        const r = await gate(["worker-1", "worker-2", "worker-3"], 3, 3);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr.trimEnd().split("\n")).toEqual([
            expect.stringMatching(
                /^health gate: workers missing or stale after 3s: worker-2 \(last heartbeat \d+s ago\), worker-3 \(never seen\)$/,
            ),
        ]);
    });
});
