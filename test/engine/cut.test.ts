/**
 * Links cut mid-run on the lab, through the real CLI and plugins over SSH: the runner node's link
 * from the machine running Pulumi, and a worker's node cut off from everyone while its query
 * runs. What the user sees, how long it takes, what the nodes keep, and that runs.jsonl then
 * holds every finished run exactly once. A cut is iptables rules in the host's own network
 * namespace that remove themselves after a while, whatever happens to this test; the test heals
 * it as soon as it has seen the failure.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { shellLine } from "../../lib/scripts";
import { labHostAddress, waitFor } from "../lab/lab";
import { EngineProject, runStarted, spooledRuns, summary } from "./engine";
import { LabAgent, labDataDir, labDir, LabHost, labHosts, labStack, labStackFiles, nodeName } from "./labstack";

const stack = labStack("small");
const adminPassword = "engine-cut-admin-41d0";
/** The cut-off worker's dataset loads this much slower: long enough to cut its node while its peers wait for it. */
const paceSeconds = 8;
/** The smallest heartbeat age the config takes (PARWOP beats every 20 s): the driver's bound for a lost worker. */
const lostWorkerSeconds = 30;
const slowData = path.join(labDir, "data", `slow-${stack}`);
const took: Record<string, number> = {};
let hosts: LabHost[];
let agent: LabAgent;
let project: EngineProject;
let cuts: Cut[] = [];

/** iptables rules in a lab host's namespace; a detached timer removes them after `seconds` if heal() does not first. */
class Cut {
    readonly at = Date.now();
    private readonly timer: ChildProcess;
    private readonly ns: string;

    constructor(
        host: LabHost,
        private readonly rules: string[][],
        seconds: number,
    ) {
        this.ns = `parwop-h${host.index}`;
        for (const rule of rules) execFileSync("ip", ["netns", "exec", this.ns, "iptables", "-I", ...rule]);
        const undo = rules.map((rule) => shellLine(["iptables", "-D", ...rule])).join("; ");
        this.timer = spawn("ip", ["netns", "exec", this.ns, "sh", "-c", `sleep ${seconds}; ${undo}`], { detached: true, stdio: "ignore" });
        this.timer.unref();
        cuts.push(this);
    }

    heal(): void {
        try {
            process.kill(-this.timer.pid!, "SIGKILL");
        } catch {
            // the timer ended: it removed the rules itself
        }
        const iptables = (verb: string, rule: string[]) =>
            spawnSync("ip", ["netns", "exec", this.ns, "iptables", verb, ...rule]).status === 0;
        for (const rule of this.rules) while (iptables("-C", rule)) iptables("-D", rule);
        cuts = cuts.filter((c) => c !== this);
    }
}

/** The DROP rules left in a lab host's namespace: none once a cut is healed. */
const dropRulesIn = (host: LabHost) =>
    execFileSync("ip", ["netns", "exec", `parwop-h${host.index}`, "iptables", "-S"], { encoding: "utf8" })
        .split("\n")
        .filter((l) => /^-A (INPUT|OUTPUT) .*-j DROP/.test(l));

/** What the coordinator last showed of the new queries, for a test that never got to act. */
let lastSeen = "";

const records = () => project.results().map((l) => JSON.parse(l) as Record<string, unknown>);

/** The stack file with `change` applied (its encrypted secret and salt kept). */
function editStackConfig(change: (config: Record<string, Record<string, unknown>>) => void): void {
    const file = path.join(project.dir, `Pulumi.${stack}.yaml`);
    const doc = parse(fs.readFileSync(file, "utf8")) as { config: Record<string, Record<string, unknown>> };
    change(doc.config);
    fs.writeFileSync(file, stringify(doc));
}

beforeAll(() => {
    hosts = labHosts().slice(0, 3);
    // The last node's worker reads a paced copy of its dataset.
    fs.cpSync(labDataDir(hosts[2]), slowData, { recursive: true });
    fs.writeFileSync(path.join(slowData, ".standin-pace"), String(paceSeconds));
    agent = new LabAgent();
    const files = labStackFiles(hosts, (h) => (h === hosts[2] ? slowData : labDataDir(h)));
    project = new EngineProject(stack, files, { SSH_AUTH_SOCK: agent.socket });
    editStackConfig((c) => (c["parwop:healthGate"].maxHeartbeatAgeSeconds = lostWorkerSeconds));
    project.ok(["config", "set", "--secret", "parwop:brokerAdminPassword", adminPassword]);
});

afterAll(() => {
    for (const cut of [...cuts]) cut.heal();
    project.pulumi(["destroy", "--yes"]);
    agent.stop(hosts);
    project.remove();
    fs.rmSync(slowData, { recursive: true, force: true });
    console.log(`cut links (s): ${JSON.stringify(took)}`);
});

describe("a link cut mid-run, through the real engine", () => {
    test("the runner node's link cut as its run starts: up fails in seconds naming the node, the run finishes on the node, and the next up records it once", async () => {
        const runner = hosts[0];
        // Only the machine running Pulumi loses the node: the cluster's own traffic goes on.
        const r = await project.upActing(
            () => runStarted(stack),
            () =>
                new Cut(
                    runner,
                    [
                        ["INPUT", "-s", labHostAddress, "-p", "tcp", "--dport", "22", "-j", "DROP"],
                        ["OUTPUT", "-d", labHostAddress, "-p", "tcp", "--sport", "22", "-j", "DROP"],
                    ],
                    180,
                ),
        );
        took["link cut until up failed"] = r.afterAct;
        if (r.code === 0) console.log(r.out);
        expect(r.acted).toBe(true);
        expect(r.code).not.toBe(0);
        expect(r.out).toContain(
            `node ${nodeName(runner)} (root@${runner.address}:22): ssh exited 255: the connection to the node failed or was lost`,
        );
        expect(r.out).not.toMatch(/^\s+at /m);
        // ServerAliveInterval 5 × ServerAliveCountMax 3, with slack for this machine.
        expect(r.afterAct).toBeLessThan(40);
        expect(records()).toEqual([]);

        // The run goes on without the link and ends with its result, which stays on the node.
        const [dir] = spooledRuns(stack);
        await waitFor("the cut-off run ends on its node", 120_000, async () => fs.existsSync(path.join(dir, "rc")) || undefined);
        expect(fs.readFileSync(path.join(dir, "rc"), "utf8").trim()).toBe("0");
        expect(JSON.parse(fs.readFileSync(path.join(dir, "out"), "utf8"))).toMatchObject({ query: "SQ1", repetition: 1 });
        cuts[0].heal();
        expect(dropRulesIn(runner)).toEqual([]);

        const again = project.ok(["up", "--yes"]);
        took["up recovering the cut-off run"] = again.seconds;
        expect(again.out).toContain("run sq1-r1: attempt 1 left no record");
        expect(again.out).toContain("run-query: attempt 1 finished on this node after its pulumi lost it: its result stands for attempt 2");
        expect(records()).toHaveLength(1);
        expect(records()[0]).toMatchObject({ query: "SQ1", repetition: 1, attempt: 2, recovered_attempt: 1 });
        expect(summary(project.ok(["up", "--yes"]).out)).toEqual({ unchanged: expect.any(Number) });
        expect(records()).toHaveLength(1);
    });

    test("a worker's node cut off while its peers wait for it: the run fails within the lost-worker bound naming the worker, and the next up measures it once", async () => {
        const lost = hosts[2];
        const workerId = `worker-${lost.index}`;
        const coordinator = String(project.outputs().coordinatorUrl);
        const known = new Set(Object.keys((await (await fetch(`${coordinator}/coordinator/query/`)).json()) as object));
        editStackConfig((c) => ((c["parwop:experiment"] as { repetitions: number }).repetitions = 2));
        // Its peers have loaded and sent it their part; it is still loading (paced) and will answer no one.
        const waitedFor = async () => {
            const queries = (await (await fetch(`${coordinator}/coordinator/query/`)).json()) as Record<
                string,
                { workers: Record<string, { state: string }> }
            >;
            const fresh = Object.entries(queries).filter(([id]) => !known.has(id));
            lastSeen = JSON.stringify(fresh.map(([, q]) => q.workers));
            return fresh.some(
                ([, q]) =>
                    q.workers[workerId]?.state === "Loading" &&
                    Object.entries(q.workers).every(([w, s]) => w === workerId || s.state === "Running"),
            );
        };
        const everything = ["!", "-i", "lo", "-j", "DROP"];
        const r = await project.upActing(
            waitedFor,
            () =>
                new Cut(
                    lost,
                    [
                        ["INPUT", ...everything],
                        ["OUTPUT", "!", "-o", "lo", "-j", "DROP"],
                    ],
                    180,
                ),
        );
        took["worker cut until up failed"] = r.afterAct;
        if (!r.acted) console.log(`never cut: the coordinator showed ${lastSeen} (${r.whenError ?? "no error"})\n${r.out}`);
        expect(r.acted).toBe(true);
        expect(r.code).not.toBe(0);
        expect(r.out).toContain(`run SQ1 rep 2 failed: `);
        expect(r.out).toContain(`worker lost mid-query, no heartbeat for over ${lostWorkerSeconds}s: ${workerId}`);
        expect(r.out).not.toMatch(/^\s+at /m);
        // Its last heartbeat came at most one beat (20 s) before the cut; the driver looks every few seconds.
        expect(r.afterAct).toBeLessThan(lostWorkerSeconds + 20 + 15);
        expect(records()).toHaveLength(1);
        cuts[0].heal();
        expect(dropRulesIn(lost)).toEqual([]);

        const again = project.ok(["up", "--yes"]);
        took["up re-measuring the lost run"] = again.seconds;
        expect(again.out).toContain("run sq1-r2: attempt 1 left no record");
        expect(again.out).toContain("run-query: attempt 1's output on this node is not used (it did not finish with a result)");
        expect(records().map((x) => [x.repetition, x.attempt])).toEqual([
            [1, 2],
            [2, 2],
        ]);
        expect(records()[1].recovered_attempt).toBeUndefined();
        expect(project.attempts().map((a) => `${a.run}#${a.attempt}`)).toEqual(["sq1-r1#1", "sq1-r1#2", "sq1-r2#1", "sq1-r2#2"]);
        expect(summary(project.ok(["up", "--yes"]).out)).toEqual({ unchanged: expect.any(Number) });
    });
});
