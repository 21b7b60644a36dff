/**
 * A lab stack through the real CLI and plugins, over SSH, on the SSH test hosts' own Docker
 * engines (test/lab/hosts.sh), with strict host-key checking: up, up again, refresh, adding and
 * removing a node, switching tiers, destroy. What runs on a node is asserted with that node's
 * own `docker inspect` over its SSH, never with the program's view.
 */
import * as amqp from "amqplib";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { nodeNames, runNames, serviceNames } from "../../model/names";
import { repoRoot } from "../helpers/fixture";
import { changes, EngineProject, Run, summary } from "./engine";
import {
    closeMaster,
    containersOn,
    dockerOn,
    inspectOn,
    LabAgent,
    labEnv,
    labEnvironment,
    LabHost,
    labHosts,
    labStack,
    labStackFiles,
    nodeName,
} from "./labstack";

const small = labStack("small");
const big = labStack("big");
const cluster = "parwop";
const svc = serviceNames(cluster);
const run = runNames("experiment", "sq1-r1");
const mib = 2 ** 20;
const adminPassword = "engine-lab-admin-7c1f";

let hosts: LabHost[];
let agent: LabAgent;
let project: EngineProject;
let total = 0;
let addedHost = false;
const took: Record<string, number> = {};
const timed = (verb: string, r: Run) => ((took[verb] = r.seconds), r);

const lab = (...args: string[]) => execFileSync("bash", args, { cwd: repoRoot, stdio: "ignore", env: { ...process.env } });
const writeEnvironment = (these: LabHost[]) => fs.writeFileSync(path.join(project.dir, "envs", `${labEnv}.yaml`), labEnvironment(these));
/** Container IDs on each node's engine, by host and name. */
const idsOn = (these: LabHost[]) =>
    Object.fromEntries(
        these.flatMap((h) => containersOn(h.address, project.stack).map((n) => [`${h.address}/${n}`, inspectOn(h.address, n)[0].Id])),
    );
function stateOutputs(name: string): Record<string, unknown> {
    const state = JSON.parse(project.ok(["stack", "export", "--show-secrets"]).out) as {
        deployment: { resources: { urn: string; outputs?: Record<string, unknown> }[] };
    };
    const [found] = state.deployment.resources.filter((r) => r.urn.endsWith(`::${name}`));
    return found?.outputs ?? {};
}
const ofNode = (h: LabHost) => nodeNames(cluster, nodeName(h));

beforeAll(() => {
    hosts = labHosts().slice(0, 4);
    if (hosts.length < 4) throw new Error("the lab needs 4 SSH test hosts: bash test/lab/up.sh");
    agent = new LabAgent();
    project = new EngineProject(small, labStackFiles(hosts), { SSH_AUTH_SOCK: agent.socket });
    project.ok(["config", "set", "--secret", "parwop:brokerAdminPassword", adminPassword]);
});

afterAll(() => {
    for (const stack of [small, big]) {
        if (hosts.some((h) => containersOn(h.address, stack).length > 0)) project.pulumi(["destroy", "--yes", "--stack", stack]);
    }
    if (addedHost) lab("test/lab/hosts.sh", "shrink", "4");
    agent.stop(labHosts());
    project.remove();
    console.log(`lab stack through the real engine (s): ${JSON.stringify(took)}`);
});

describe("a 4-node lab stack through the real engine over SSH", () => {
    test("preview, then up: the image built on every node's own engine, each container on its node with the tier's limits, the gate, a drop on every node, one record", () => {
        total = summary(timed("preview", project.ok(["preview"])).out)["to create"];
        expect(hosts.flatMap((h) => containersOn(h.address, small))).toEqual([]);

        const r = timed("up", project.ok(["up", "--yes"]));
        expect(summary(r.out)).toEqual({ created: total });
        expect(r.out).not.toContain(adminPassword);

        const [first, ...rest] = hosts;
        expect(containersOn(first.address, small)).toEqual(["parwop-coordinator", "parwop-rabbitmq", "parwop-worker"]);
        for (const h of rest) expect(containersOn(h.address, small)).toEqual(["parwop-worker"]);
        for (const h of hosts) {
            const [worker] = inspectOn(h.address, "parwop-worker");
            // Built by the program's RemoteImage on this node's own engine, and used by ID.
            expect(dockerOn(h.address, "image", "inspect", "-f", "{{.Id}}", "parwop-standin:labstack").trim()).toBe(worker.Image);
            expect({
                running: worker.State.Running,
                memory: worker.HostConfig.Memory,
                memorySwap: worker.HostConfig.MemorySwap,
                nanoCpus: worker.HostConfig.NanoCpus,
                network: worker.HostConfig.NetworkMode,
            }).toEqual({ running: true, memory: 1127 * mib, memorySwap: 1127 * mib, nanoCpus: 1e9, network: "host" });
            expect(worker.Config.Env).toEqual(
                expect.arrayContaining([
                    `NODE_ID=worker-${h.index}`,
                    `WORKER_ADDRESS=http://${h.address}:8001`,
                    `COORDINATOR_ADDRESS=http://${first.address}:8000`,
                ]),
            );
        }
        const [broker] = inspectOn(first.address, "parwop-rabbitmq");
        expect(broker.State.Running).toBe(true);
        expect(String(stateOutputs(`${svc.broker}-ready`).stdout)).toMatch(/^broker parwop-rabbitmq: accepting AMQP after \d+\.\d s$/);
        expect(Object.keys(broker.HostConfig.PortBindings ?? {}).sort()).toEqual(["15672/tcp", "5672/tcp"]);

        const gate = JSON.parse(String(stateOutputs(`${svc.health}-wait`).stdout)) as { ok: boolean; workers: Record<string, number> };
        expect(gate.ok).toBe(true);
        expect(Object.keys(gate.workers).sort()).toEqual(hosts.map((h) => `worker-${h.index}`));
        for (const h of hosts)
            expect(String(stateOutputs(run.drop(nodeName(h))).stdout)).toMatch(
                new RegExp(`^drop-caches ${nodeName(h)}: Cached \\d+ -> \\d+ kB at `),
            );

        const lines = project.results();
        expect(lines).toHaveLength(1);
        const record = JSON.parse(lines[0]) as Record<string, unknown>;
        expect(record).toMatchObject({
            stack: small,
            tier: "small",
            environment: labEnv,
            node_count: 4,
            nodes: hosts.map((h) => `worker-${h.index}`),
            mode: "distributed",
        });
        for (const key of [
            "run_id",
            "config_hash",
            "cluster_identity",
            "source_digest",
            "image_id",
            "driver_digest",
            "drop_digest",
            "git_commit",
            "recorded_at",
            "execution_id",
        ]) {
            expect(record[key]).toEqual(expect.any(String));
        }
        expect(record.records).toBeGreaterThan(0);
    });

    test("the deployed broker lets guest in over AMQP from another host, and its management API only to the admin", async () => {
        const node1 = hosts[0].address;
        // The uploaded conf.d file is the one RabbitMQ loaded (broker.test.ts shows the image alone refuses guest from afar).
        expect(dockerOn(node1, "exec", "parwop-rabbitmq", "rabbitmq-diagnostics", "-q", "environment")).toMatch(
            /\{loopback_users,\s*\[\]\}/,
        );
        // This machine is 10.231.0.1 on the lab network: not the broker's loopback.
        const conn = await amqp.connect(`amqp://guest:guest@${node1}:5672`);
        try {
            const ch = await conn.createChannel();
            const q = await ch.assertQueue("", { exclusive: true });
            ch.sendToQueue(q.queue, Buffer.from("from another host"));
            await new Promise((r) => setTimeout(r, 200));
            expect(((await ch.get(q.queue, { noAck: true })) || undefined)?.content.toString()).toBe("from another host");
        } finally {
            await conn.close();
        }
        const whoami = (user: string, password: string) =>
            fetch(`http://${node1}:15672/api/whoami`, {
                headers: { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` },
            });
        expect((await whoami("guest", "guest")).status).toBe(401);
        expect((await whoami("admin", "wrong")).status).toBe(401);
        const admin = await whoami("admin", adminPassword);
        expect(admin.status).toBe(200);
        expect(([] as string[]).concat(((await admin.json()) as { tags: string[] | string }).tags)).toContain("administrator");
    });

    test("up again: no changes; refresh, then preview --diff: no diff", () => {
        expect(summary(timed("up again", project.ok(["up", "--yes"])).out)).toEqual({ unchanged: total });
        expect(summary(timed("refresh", project.ok(["refresh", "--yes"])).out)).toEqual({ unchanged: total });
        const diff = project.ok(["preview", "--diff"]);
        expect(changes(diff.out).filter((c) => c.op !== "same")).toEqual([]);
        expect(summary(diff.out)).toEqual({ unchanged: total });
    });

    test("a 5th node: preview --diff adds exactly its resources and re-runs the runs, nothing else on the other nodes; up brings it in; removing it again the same way", () => {
        // A new SSH host with its own engine, as a new lab node would be.
        execFileSync("bash", ["test/lab/up.sh"], { cwd: repoRoot, stdio: "ignore", env: { ...process.env, LAB_HOSTS: "5" } });
        addedHost = true;
        const five = labHosts().slice(0, 5);
        const added = five[4];
        const before = idsOn(hosts);
        writeEnvironment(five);

        const n5 = ofNode(added);
        /** What the program declares for the 5th node: its engine, preflight, image, worker, and its settle and drop before the run. */
        const node5 = [
            n5.docker,
            n5.preflight,
            `${n5.preflight}-check`,
            n5.image,
            `${n5.image}-image`,
            n5.worker,
            `${n5.worker}-container`,
            run.settle(nodeName(added)),
            run.drop(nodeName(added)),
        ].sort();
        const ops = (out: string, op: string) =>
            changes(out)
                .filter((c) => c.op === op)
                .map((c) => c.name)
                .sort();
        const diff = project.ok(["preview", "--diff"]).out;
        expect(ops(diff, "create")).toEqual(node5);
        // The gate waits for one more worker, and the run reads one more: they, and the attempt note, settles and drops
        // before it, run again.
        expect(ops(diff, "replace")).toEqual(
            [
                `${svc.health}-wait`,
                run.attempt,
                ...hosts.flatMap((h) => [run.settle(nodeName(h)), run.drop(nodeName(h))]),
                run.run,
                run.record,
            ].sort(),
        );
        expect(ops(diff, "update")).toEqual([]);
        expect(ops(diff, "delete")).toEqual([]);

        timed("up (5th node)", project.ok(["up", "--yes"]));
        expect(idsOn(hosts)).toEqual(before);
        const [worker5] = inspectOn(added.address, "parwop-worker");
        expect(worker5.Config.Env).toContain(`NODE_ID=worker-${added.index}`);
        expect(JSON.parse(project.results()[1]).node_count).toBe(5);

        writeEnvironment(hosts);
        const back = project.ok(["preview", "--diff"]).out;
        expect(ops(back, "delete")).toEqual(node5);
        timed("up (node removed)", project.ok(["up", "--yes"]));
        expect(containersOn(added.address, small)).toEqual([]);
        expect(idsOn(hosts)).toEqual(before);
        closeMaster(added);
        lab("test/lab/hosts.sh", "shrink", "4");
        addedHost = false;
        expect(project.results()).toHaveLength(3);
    });

    test("tier switch: another tier's up is refused by preflight naming the stack to destroy; after its destroy the other tier comes up", () => {
        const before = idsOn(hosts);
        project.ok(["stack", "init", big]);
        project.ok(["config", "set", "--secret", "parwop:brokerAdminPassword", adminPassword, "--stack", big]);
        const refused = project.pulumi(["up", "--yes", "--stack", big]);
        expect(refused.code).not.toBe(0);
        for (const name of ["parwop-coordinator", "parwop-rabbitmq", "parwop-worker"]) {
            expect(refused.out).toContain(
                `preflight node1: container ${name} belongs to stack ${small}: run pulumi destroy -s ${small} before deploying ${big}`,
            );
        }
        expect(idsOn(hosts)).toEqual(before);

        timed("destroy", project.ok(["destroy", "--yes", "--stack", small]));
        for (const h of hosts) expect(containersOn(h.address, small)).toEqual([]);
        timed("up (other tier)", project.ok(["up", "--yes", "--stack", big]));
        for (const h of hosts) {
            const [worker] = inspectOn(h.address, "parwop-worker");
            expect([worker.HostConfig.Memory, worker.HostConfig.NanoCpus, worker.Config.Labels["parwop.stack"]]).toEqual([
                2253 * mib,
                2e9,
                big,
            ]);
        }
    });

    test("destroy leaves no container of either stack on any node", () => {
        project.ok(["stack", "select", big]);
        timed("destroy (other tier)", project.ok(["destroy", "--yes"]));
        for (const h of hosts) expect([...containersOn(h.address, small), ...containersOn(h.address, big)]).toEqual([]);
    });
});
