/**
 * Faults on a real lab, through the real CLI and plugins over SSH: a node's Docker engine dead
 * and a node's host key changed in the environment file. What the user sees, how long it takes,
 * and what is left on every node's own engine. The faults stay within the lab's own hosts and
 * end with the test (the engine is started again, the key put back).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "../helpers/fixture";
import { EngineProject, summary } from "./engine";
import { containersOn, inspectOn, LabAgent, labEnv, labEnvironment, LabHost, labHosts, labStack, labStackFiles } from "./labstack";

const stack = labStack("small");
const adminPassword = "engine-faults-admin-2b9d";
let hosts: LabHost[];
let agent: LabAgent;
let project: EngineProject;
let total = 0;

const engines = (verb: "stop" | "start", h: LabHost) =>
    execFileSync("bash", ["test/lab/engines.sh", verb, String(h.index)], { cwd: repoRoot, stdio: "ignore" });
const writeEnvironment = (these: LabHost[]) => fs.writeFileSync(path.join(project.dir, "envs", `${labEnv}.yaml`), labEnvironment(these));
/** Every container of the stack on every node, with its ID: what a failed update must leave as it was. */
const everything = (these: LabHost[]) =>
    these.flatMap((h) => containersOn(h.address, stack).map((n) => `${h.address}/${n}/${inspectOn(h.address, n)[0].Id}`)).sort();

beforeAll(() => {
    hosts = labHosts().slice(0, 4);
    agent = new LabAgent();
    project = new EngineProject(stack, labStackFiles(hosts), { SSH_AUTH_SOCK: agent.socket });
    project.ok(["config", "set", "--secret", "parwop:brokerAdminPassword", adminPassword]);
    total = summary(project.ok(["up", "--yes"]).out).created;
});

afterAll(() => {
    engines("start", hosts[3]);
    writeEnvironment(hosts);
    project.pulumi(["destroy", "--yes"]);
    agent.stop(hosts);
    project.remove();
});

describe("faults on the lab, through the real engine", () => {
    test("a dead engine: a change that replaces containers on every node fails in seconds naming that node, and no container on any node is touched", () => {
        const dead = hosts[3];
        const before = everything(hosts.slice(0, 3));
        engines("stop", dead);
        project.ok(["config", "set", "parwop:restartGeneration", "1"]);
        const r = project.pulumi(["up", "--yes"]);
        expect(r.code).not.toBe(0);
        expect(r.out).toContain(
            `error: node node${dead.index} (ssh://root@${dead.address}:22): its Docker engine does not answer, so nothing was changed on any node: `,
        );
        expect(r.out).not.toMatch(/^\s+at /m);
        expect(r.seconds).toBeLessThan(45);
        // The three healthy nodes' containers are the same containers; nothing was deleted or replaced.
        expect(everything(hosts.slice(0, 3))).toEqual(before);
        console.log(`dead engine: up failed in ${r.seconds.toFixed(1)} s`);

        // Once the node's engine is back, one up finishes the change.
        engines("start", dead);
        const again = project.ok(["up", "--yes"]);
        expect(summary(again.out).replaced).toBeGreaterThan(0);
        expect(everything(hosts.slice(0, 3))).not.toEqual(before);
    });

    test("a changed host key is checked even while a connection to that node is open, and the error says which key in which file and how to check it", () => {
        const before = everything(hosts);
        // The last up left a multiplexed connection to every node open (ControlPersist).
        const changed = hosts.map((h, i) => (i === 1 ? { ...h, hostKey: h.hostKey.replace(/.$/, (c) => (c === "A" ? "B" : "A")) } : h));
        writeEnvironment(changed);
        const r = project.pulumi(["up", "--yes"]);
        expect(r.code).not.toBe(0);
        expect(r.out).toContain(
            `error: envs/${labEnv}.yaml: nodes[1].hostKey of node node${hosts[1].index} is not the key ${hosts[1].address} presents (ssh refused it): check it with ssh-keyscan -t ed25519 ${hosts[1].address} and put the key, without the host name, there`,
        );
        expect(everything(hosts)).toEqual(before);
        console.log(`changed host key: up failed in ${r.seconds.toFixed(1)} s`);

        writeEnvironment(hosts);
        expect(summary(project.ok(["up", "--yes"]).out)).toEqual({ unchanged: total });
    });
});
