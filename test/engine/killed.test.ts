/**
 * `kill -9` of `pulumi up` while the run executes, through the real CLI and its plugins, on the
 * lab over SSH (3 nodes, each with its own Docker engine, one query): what the next commands say, the
 * recovery the README gives (`pulumi cancel`, then `up`), that the `up` after it is a retry with
 * fresh drops on every node which hands on the result the killed attempt finished with on the
 * node (scripts/run-query.sh's spool) rather than measuring again, and that runs.jsonl then
 * holds the run once.
 */
import * as fs from "fs";
import * as path from "path";
import { runSpoolDir } from "../../lib/scripts";
import { EngineProject, runStarted, summary } from "./engine";
import { containersOn, LabAgent, LabHost, labHosts, labStack, labStackFiles, nodeName } from "./labstack";
import { processesIn } from "./studyProject";

const stack = labStack("small");
let hosts: LabHost[];
let agent: LabAgent;
let project: EngineProject;
const took: Record<string, number> = {};
/** A process may end before its signal: a plugin's ssh ends with the plugin. */
const signal = (pid: number, name: NodeJS.Signals) => {
    try {
        process.kill(pid, name);
    } catch {
        // gone already
    }
};
/** The stack's containers on every node's own engine. */
const containers = () => hosts.flatMap((h) => containersOn(h.address, stack));

beforeAll(() => {
    hosts = labHosts().slice(0, 3);
    agent = new LabAgent();
    project = new EngineProject(stack, labStackFiles(hosts), { SSH_AUTH_SOCK: agent.socket });
    project.ok(["config", "set", "--secret", "parwop:brokerAdminPassword", "engine-killed-admin-5e2a"]);
});

afterAll(() => {
    if (fs.existsSync(project.dir)) {
        for (const pid of processesIn(project.dir)) signal(pid, "SIGKILL");
        if (containers().length > 0) {
            project.pulumi(["cancel", "--yes"]);
            project.pulumi(["destroy", "--yes"]);
        }
        project.remove();
    }
    agent.stop(hosts);
    console.log(`killed pulumi (s): ${JSON.stringify(took)}`);
});

/** The processes the killed CLI left (language host, plugins), by name. */
const leftRunning = () =>
    processesIn(project.dir)
        .map((p) => fs.readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0")[0])
        .map((c) => path.basename(c))
        .join(", ") || "nothing";

describe("a pulumi up killed while its run executes", () => {
    test("the next up says the stack is locked and names pulumi cancel; nothing is recorded", async () => {
        const start = Date.now();
        // The run has started on its node: its spool names the driver's pid.
        // SIGKILL to the CLI alone, as `kill -9 PID` does.
        const r = await project.upActing(
            () => runStarted(stack),
            (cli) => cli.kill("SIGKILL"),
        );
        took["up until killed"] = (Date.now() - start) / 1000;
        expect(r.acted).toBe(true);
        expect(project.results()).toEqual([]);
        expect(project.attempts().map((a) => a.attempt)).toEqual([1]);
        // What the killed CLI left behind (its language host and plugins, now children of init): the README says what to do.
        await new Promise((r) => setTimeout(r, 3000));
        console.log(`left running 3 s after the kill: ${leftRunning()}`);
        const spool = runSpoolDir(stack);
        const listing = fs.existsSync(spool)
            ? fs.readdirSync(spool).map((d) => `${d}: ${fs.readdirSync(path.join(spool, d)).join(" ")}`)
            : [];
        console.log(`spool 3 s after the kill: ${listing.join("; ") || "none"}`);

        const locked = project.pulumi(["up", "--yes"]);
        expect(locked.code).not.toBe(0);
        expect(locked.out).toContain("the stack is currently locked by 1 lock(s)");
        expect(locked.out).toContain("pulumi cancel");
    });

    test("after pulumi cancel, one up is attempt 2: the drops run again, the killed attempt's finished result is recorded, once", () => {
        project.ok(["cancel", "--yes"]);
        const r = project.ok(["up", "--yes", "--diff"]);
        took["recovering up"] = r.seconds;
        expect(r.out).toContain("run sq1-r1: attempt 1 left no record");
        expect(r.out).toContain("this up makes attempt 2, with fresh cache drops on every node");
        // the drops before attempt 1 succeeded and are in the state: the retry replaces them, and the attempt note;
        // the run and its record, never created, are created
        for (const node of hosts.map(nodeName))
            expect(r.out).toMatch(new RegExp(`\\+-command:local:Command: \\(replace\\)\n\\s+\\[id=experiment-sq1-r1-drop-${node}`));
        // replaced: the attempt note, a settle and a drop per node
        expect(summary(r.out)).toMatchObject({ created: 2, replaced: 1 + 2 * hosts.length });
        const records = project.results().map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(records).toHaveLength(1);
        // The killed attempt's run went on (the CLI's plugins outlived it) and ended before attempt 2's drops.
        expect(records[0]).toMatchObject({
            query: "SQ1",
            repetition: 1,
            attempt: 2,
            recovered_attempt: 1,
            run_key: project.attempts()[0].run_key,
        });
        expect(r.out).toContain("run-query: attempt 1 finished on this node after its pulumi lost it: its result stands for attempt 2");
        expect(project.attempts().map((a) => a.attempt)).toEqual([1, 2]);
    });

    test("an up after that changes nothing, and destroy leaves no container", async () => {
        // They stay until killed (README, "After a killed pulumi"): the recovering up started its own.
        console.log(`left running after the recovering up: ${leftRunning()}`);
        // On the lab they include ssh: the docker plugins' sessions and the multiplexed masters (ControlPersist 120 s).
        for (const pid of processesIn(project.dir)) signal(pid, "SIGTERM");
        for (let i = 0; i < 50 && leftRunning() !== "nothing"; i++) await new Promise((r) => setTimeout(r, 100));
        expect(leftRunning()).toBe("nothing");
        const again = project.ok(["up", "--yes"]);
        expect(Object.keys(summary(again.out))).toEqual(["unchanged"]);
        expect(project.results()).toHaveLength(1);
        expect(project.attempts().map((a) => a.attempt)).toEqual([1, 2]);
        project.ok(["destroy", "--yes"]);
        expect(containers()).toEqual([]);
        // The spool keeps the result on the node; the test's project removes it (engine.ts).
        expect(fs.existsSync(path.join(runSpoolDir(stack)))).toBe(true);
        project.remove();
        expect(fs.existsSync(path.join(runSpoolDir(stack)))).toBe(false);
    });
});
