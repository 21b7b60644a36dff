/**
 * The project's own scripts against the real lab: preflight.sh and drop-caches.sh over real SSH
 * on every lab host, health_gate.py and driver.py inside PARWOP stand-in containers (a test
 * fixture, not PARWOP). Every command line is rendered by the program's own helpers
 * (lib/scripts.ts) and sent over SSH with the script on stdin, as a remote command
 * resource does; the docker exec ones go through lab host 1, which shares this machine's engine.
 */
import { spawn } from "child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { bashOnNode, pythonInContainer } from "../../lib/scripts";
import {
    Broker,
    docker,
    labDir,
    labHosts,
    removeContainers,
    repoRoot,
    requireLab,
    sshConfig,
    startBroker,
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

/** `ssh -F .lab/ssh_config root@ADDR COMMAND < stdin`, resolving with exit code and output. */
function sshRun(addr: string, command: string, stdin: string): Promise<Ran> {
    return new Promise((resolve, reject) => {
        const child = spawn("ssh", ["-F", sshConfig, `root@${addr}`, command]);
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
                hosts.map((addr, i) => sshRun(addr, bashOnNode(60, ["--node", `lab-h${i + 1}`]), script("drop-caches.sh"))),
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

    test("an unreachable host fails the command", async () => {
        // On the lab network, but no namespace has this address.
        const r = await sshRun("10.231.0.250", bashOnNode(60, ["--node", "ghost"]), script("drop-caches.sh"));
        expect(r.code).toBe(255);
        expect(r.stdout).toBe("");
        expect(r.stderr).toMatch(/ssh: connect to host 10\.231\.0\.250 port 22: (No route to host|Connection timed out)/);
    });
});

describe("health_gate.py and driver.py inside stand-in containers", () => {
    let broker: Broker;
    let cluster: StandinCluster;
    let gateway: string;
    let coordinatorPort: string;

    beforeAll(async () => {
        requireLab();
        gateway = labHosts()[0];
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
        sshRun(
            gateway,
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

    const driver = (container: string, args: (string | number)[]) =>
        sshRun(gateway, pythonInContainer(container, 120, args), script("driver.py"));

    const driverArgs = (over: Record<string, string | number>) => {
        const args: Record<string, string | number> = {
            "--query": "SQ3",
            "--partition-by": "CROSSLINE",
            "--order-by": "INLINE,DISTANCE",
            "--repetition": 1,
            "--tier": "lab",
            "--memory-limit": 5000,
            "--coordinator": cluster.coordinator.url,
            "--max-threads": 1,
            ...over,
        };
        return [...Object.entries(args).flat(), "--no-read-only"];
    };

    test("the health gate passes once both workers heartbeat", async () => {
        const r = await gate(["worker-1", "worker-2"], 60, 5);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        const out = JSON.parse(r.stdout) as { ok: boolean; workers: Record<string, number> };
        expect(out.ok).toBe(true);
        expect(Object.keys(out.workers).sort()).toEqual(["worker-1", "worker-2"]);
    });

    test("a local run in a worker prints one JSON line with the rows it saw", async () => {
        const r = await driver(cluster.workers[0].container, driverArgs({ "--mode": "local", "--nodes": "worker-1" }));
        expect(r.code).toBe(0);
        expect(r.stdout.split("\n")).toHaveLength(2);
        const line = JSON.parse(r.stdout) as Record<string, unknown>;
        expect(line).toMatchObject({
            query: "SQ3",
            repetition: 1,
            mode: "local",
            nodes: ["worker-1"],
            rows: 20000,
            batches: 4,
            memory_limit_records: 5000,
        });
        expect(line.wall_seconds).toBeGreaterThan(0);
    });

    test("a distributed run from the coordinator container covers both workers' data", async () => {
        const r = await driver(
            cluster.coordinator.container,
            driverArgs({
                "--mode": "distributed",
                "--nodes": "worker-1,worker-2",
                "--query": "SQ1",
                "--partition-by": "SOURCE_POINT_NUMBER",
                "--order-by": "SENSOR_NUMBER",
                "--repetition": 2,
            }),
        );
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout)).toMatchObject({
            query: "SQ1",
            repetition: 2,
            mode: "distributed",
            nodes: ["worker-1", "worker-2"],
            rows: 40000,
        });
    });

    test("a failing run (a column the data lacks) is reported naming query and repetition", async () => {
        const r = await driver(
            cluster.coordinator.container,
            driverArgs({ "--mode": "distributed", "--nodes": "worker-1,worker-2", "--partition-by": "NO_SUCH_COLUMN", "--repetition": 3 }),
        );
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(lastLine(r.stderr)).toMatch(/^run SQ3 rep 3 failed: RuntimeError: query failed: .*NO_SUCH_COLUMN/);
    });

    test("the health gate names a stopped worker and one that never came", async () => {
        const stopped = cluster.workers[1];
        await docker("stop", "-t", "2", stopped.container);
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
