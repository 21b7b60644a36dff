/**
 * The user's verbs on the dev stack, through the real CLI and the real docker and command
 * plugins, on this machine's Docker engine: preview, up, a second up with no changes, a change
 * that updates in place and one that replaces (preview --diff, then up), destroy. What runs is
 * asserted with docker's own view (docker inspect) and the results file, not the program's.
 */
import * as fs from "fs";
import * as path from "path";
import { nodeNames, runNames, serviceNames } from "../../model/names";
import { changes, EngineProject, Run, summary } from "./engine";
import { containersOf, devStackFiles, DockerContainer, inspect, removeContainersOf } from "./devstack";

const stack = "dev";
const cluster = "parwop";
const svc = serviceNames(cluster);
const nodes = ["dev-1", "dev-2"];
const run = runNames("experiment", "sq1-r1");
// The dev environment's container names (envs/dev.yaml).
const broker = "parwop-rabbitmq";
const parwop = ["parwop-coordinator", "parwop-worker-1", "parwop-worker-2"];
const mib = 2 ** 20;
const adminPassword = "engine-tests-admin-4d2e";

let project: EngineProject;
/** How long each verb took, for the closing figures (printed at the end). */
const took: Record<string, number> = {};
const timed = (verb: string, r: Run) => ((took[verb] = r.seconds), r);
let total = 0;

/** Outputs of one resource in the stack's state (pulumi stack export), by its name. */
function stateOutputs(name: string): Record<string, unknown> {
    const state = JSON.parse(project.ok(["stack", "export", "--show-secrets"]).out) as {
        deployment: { resources: { urn: string; outputs?: Record<string, unknown> }[] };
    };
    const found = state.deployment.resources.filter((r) => r.urn.endsWith(`::${name}`));
    if (found.length !== 1) throw new Error(`${found.length} resources named ${name} in the state`);
    return found[0].outputs ?? {};
}
const ids = (names: string[]) => Object.fromEntries(inspect(...names).map((c) => [c.Name.slice(1), c.Id]));

beforeAll(() => {
    removeContainersOf(stack);
    project = new EngineProject(stack, devStackFiles());
    // The random provider cannot be built here (test/engine/README.md); with the password set the engine never asks for it.
    project.ok(["config", "set", "--secret", "parwop:brokerAdminPassword", adminPassword]);
});

afterAll(() => {
    if (containersOf(stack).length > 0) project.pulumi(["destroy", "--yes"]);
    removeContainersOf(stack);
    project.remove();
    console.log(`dev stack through the real engine (s): ${JSON.stringify(took)}`);
});

describe("the dev stack through the real engine", () => {
    test("preview lists every resource to create and touches nothing", () => {
        const r = timed("preview", project.ok(["preview"]));
        total = summary(r.out)["to create"];
        expect(total).toBeGreaterThan(20);
        expect(containersOf(stack)).toEqual([]);
    });

    test("up: broker, coordinator and two workers run with the declared limits, the gate passes, one run is recorded", () => {
        const r = timed("up", project.ok(["up", "--yes"]));
        expect(summary(r.out)).toEqual({ created: total });
        // The admin password (and the broker files that hold its hash) never reach the output or the state in clear.
        expect(r.out).not.toContain(adminPassword);
        expect(project.ok(["stack", "export"]).out).not.toContain(adminPassword);

        const [rabbit, ...roles] = inspect(broker, ...parwop);
        // The deploy waited for RabbitMQ to listen, not for docker's health check.
        expect(rabbit.State.Running).toBe(true);
        expect(String(stateOutputs(`${svc.broker}-ready`).stdout)).toMatch(/^broker parwop-rabbitmq: accepting AMQP after \d+\.\d s$/);
        expect(rabbit.Config.Labels["parwop.stack"]).toBe(stack);
        for (const c of roles) {
            expect({ name: c.Name, running: c.State.Running, ...limits(c) }).toEqual({
                name: c.Name,
                running: true,
                memory: 1127 * mib,
                memorySwap: 1127 * mib,
                nanoCpus: 1e9,
                network: "host",
                seccomp: ["seccomp=unconfined"],
                user: "root",
                stack,
            });
        }
        expect(roles[1].Config.Env).toEqual(
            expect.arrayContaining(["NODE_ID=worker-1", "IS_WORKER=True", "COORDINATOR_ADDRESS=http://localhost:8000"]),
        );
        expect(roles[2].HostConfig.Binds).toEqual(expect.arrayContaining([expect.stringMatching(/\/data\/worker-2:\/data:ro$/)]));

        const gate = JSON.parse(String(stateOutputs(`${svc.health}-wait`).stdout)) as { ok: boolean; workers: Record<string, number> };
        expect(gate.ok).toBe(true);
        expect(Object.keys(gate.workers).sort()).toEqual(["worker-1", "worker-2"]);
        for (const node of nodes)
            expect(String(stateOutputs(run.drop(node)).stdout)).toMatch(
                new RegExp(`^drop-caches ${node}: Cached \\d+ -> \\d+ kB at \\d+\\.\\d+$`),
            );

        const lines = project.results();
        expect(lines).toHaveLength(1);
        const record = JSON.parse(lines[0]) as Record<string, unknown>;
        expect(record).toMatchObject({
            stack,
            tier: "dev",
            mode: "distributed",
            query: "SQ1",
            repetition: 1,
            workers: ["worker-1", "worker-2"],
        });
        expect(record.records).toBeGreaterThan(0);
        expect(record.image_id).toBe(roles[0].Image);
        expect(project.outputs().results).toEqual([expect.objectContaining({ execution_id: record.execution_id })]);
    });

    test("up again: no changes at all", () => {
        const r = timed("up again", project.ok(["up", "--yes"]));
        expect(summary(r.out)).toEqual({ unchanged: total });
        expect(project.results()).toHaveLength(1);
    });

    test("a restart policy change updates the four containers in place: preview --diff says so, up keeps their IDs", () => {
        const before = ids([broker, ...parwop]);
        project.ok(["config", "set", "parwop:restartPolicy", "always"]);
        const diff = project.ok(["preview", "--diff"]);
        // The engine lists them in the order its steps finish: compare as a set.
        const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
        expect(
            changes(diff.out)
                .filter((c) => c.op !== "same")
                .sort(byName),
        ).toEqual(
            [svc.broker, svc.coordinator, ...nodes.map((n) => nodeNames(cluster, n).worker)]
                .map((c) => ({
                    op: "update",
                    type: "docker:index/container:Container",
                    name: `${c}-container`,
                }))
                .sort(byName),
        );
        expect(diff.out.match(/~ restart: "unless-stopped" => "always"/g)).toHaveLength(4);
        expect(summary(diff.out)).toEqual({ "to update": 4, unchanged: total - 4 });

        timed("up (update)", project.ok(["up", "--yes"]));
        expect(ids([broker, ...parwop])).toEqual(before);
        expect(inspect(...parwop).map((c) => c.HostConfig.RestartPolicy.Name)).toEqual(["always", "always", "always"]);
        expect(project.results()).toHaveLength(1);
    });

    test("a restartGeneration bump replaces the PARWOP containers and re-runs, keeping the earlier record", () => {
        const before = ids([broker, ...parwop]);
        const [first] = project.results();
        project.ok(["config", "set", "parwop:restartGeneration", "1"]);
        const diff = project.ok(["preview", "--diff"]);
        const replaced = changes(diff.out)
            .filter((c) => c.op === "replace")
            .map((c) => c.name)
            .sort();
        expect(replaced).toEqual(
            [
                `${svc.coordinator}-container`,
                ...nodes.map((n) => `${nodeNames(cluster, n).worker}-container`),
                `${svc.health}-wait`,
                run.attempt,
                ...nodes.map((n) => run.settle(n)),
                ...nodes.map((n) => run.drop(n)),
                run.run,
                run.record,
            ].sort(),
        );
        expect(changes(diff.out).filter((c) => !["same", "replace"].includes(c.op))).toEqual([]);

        timed("up (replace)", project.ok(["up", "--yes"]));
        const after = ids([broker, ...parwop]);
        expect(after[broker]).toBe(before[broker]);
        for (const name of parwop) expect(after[name]).not.toBe(before[name]);
        const lines = project.results();
        expect(lines).toHaveLength(2);
        expect(lines[0]).toBe(first);
        expect(JSON.parse(lines[1]).cluster_identity).not.toBe(JSON.parse(first).cluster_identity);
    });

    test("another stack on the same engine is refused by preflight, naming dev's containers, and deploys nothing", () => {
        const before = ids([broker, ...parwop]);
        const other = "dev-other";
        fs.copyFileSync(path.join(project.dir, "Pulumi.dev.yaml"), path.join(project.dir, `Pulumi.${other}.yaml`));
        project.ok(["stack", "init", other]);
        project.ok(["config", "set", "--secret", "parwop:brokerAdminPassword", adminPassword, "--stack", other]);
        try {
            const r = project.pulumi(["up", "--yes", "--stack", other]);
            expect(r.code).not.toBe(0);
            for (const name of [...parwop, broker].filter((n) => n !== "parwop-worker-2")) {
                expect(r.out).toContain(
                    `preflight dev-1: container ${name} belongs to stack dev: run pulumi destroy -s dev before deploying ${other}`,
                );
            }
            expect(r.out).toContain(`preflight dev-2: container parwop-worker-2 belongs to stack dev`);
            expect(r.out).not.toMatch(/^\s+at /m);
            expect(ids([broker, ...parwop])).toEqual(before);
        } finally {
            project.ok(["destroy", "--yes", "--stack", other]);
            project.ok(["stack", "select", stack]);
        }
    });

    test("destroy: none of the stack's containers remain", () => {
        const r = timed("destroy", project.ok(["destroy", "--yes"]));
        expect(summary(r.out)).toEqual({ deleted: total });
        expect(containersOf(stack)).toEqual([]);
        expect(project.results()).toHaveLength(2);
    });
});

function limits(c: DockerContainer) {
    return {
        memory: c.HostConfig.Memory,
        memorySwap: c.HostConfig.MemorySwap,
        nanoCpus: c.HostConfig.NanoCpus,
        network: c.HostConfig.NetworkMode,
        seccomp: c.HostConfig.SecurityOpt,
        user: c.Config.User,
        stack: c.Config.Labels["parwop.stack"],
    };
}
