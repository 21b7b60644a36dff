import fc from "fast-check";
import { ConfigError } from "../../config/validate";
import { containersOf, declare, Declaration } from "../../model/declare";
import { loadSettings } from "../../model/load";
import { childNames, nodeNames, runNames, serviceNames } from "../../model/names";
import { brokerContainerPorts } from "../../model/ports";
import { brokerReadyStep, dropStep, healthGateStep, preflightStep, runStep, settleStep } from "../../model/steps";
import { budget, customTimeouts, marginSeconds, sshSlackSeconds } from "../../model/timeouts";
import { amqpUrl, dockerHostUrl, httpUrl, loopbackHost } from "../../model/urls";
import { fileReader, fixtureDeclaration, fixtureRoot, fixtureSettings } from "../helpers/fixture";

// declare()'s invariants over generated inventories and experiments: pure, in milliseconds. A
// generated config either fails with a ConfigError (one line per problem) or gives a
// declaration for which every invariant holds.

const runs = 80;
// A fixed seed keeps the unit loop's outcome the same from run to run; change it to explore further.
const seed = 19;
const hosts = ["a.lab", "b.lab", "c.lab", "A.lab"];
const node = (i: number) =>
    fc.record(
        {
            name: fc.constant(`n${i}`),
            // Mostly a host of its own; now and then one another node may share (by case, too).
            host: fc.oneof({ weight: 3, arbitrary: fc.constant(`h${i}.lab`) }, { weight: 1, arbitrary: fc.constantFrom(...hosts) }),
            workerId: fc.constant(`worker-${i}`),
            workerPort: fc.constantFrom(8001, 8002, 8000, 5672),
            containerName: fc.constantFrom("parwop-worker", "parwop-worker-b", "parwop-coordinator"),
        },
        { requiredKeys: ["name", "host", "workerId"] },
    );
const inventory = fc.integer({ min: 1, max: 6 }).chain((count) =>
    fc.record({
        nodes: fc.tuple(...Array.from({ length: count }, (_, i) => node(i + 1))),
        coordinator: fc.nat({ max: count - 1 }),
        broker: fc.option(fc.nat({ max: count - 1 }), { nil: undefined }),
        ports: fc.option(fc.record({ amqp: fc.constantFrom(5672, 8001), management: fc.constantFrom(15672, 8002) }), { nil: undefined }),
    }),
);
const experiment = fc.record({
    mode: fc.constantFrom("local", "distributed"),
    dropCaches: fc.boolean(),
    warmups: fc.nat({ max: 2 }),
    repetitions: fc.integer({ min: 1, max: 3 }),
    queries: fc.constantFrom(
        [{ name: "Q1", partitionBy: ["A"], orderBy: ["B"] }],
        [
            { name: "Q1", partitionBy: ["A"], orderBy: ["B"] },
            { name: "Q2", partitionBy: ["B", "C"], orderBy: ["A"] },
        ],
    ),
    runTimeoutSeconds: fc.integer({ min: 10, max: 7200 }),
});

type Inventory = typeof inventory extends fc.Arbitrary<infer T> ? T : never;
type Experiment = typeof experiment extends fc.Arbitrary<infer T> ? T : never;

const seen = new Map<string, Declaration | string[]>();

/** The declaration of a generated config, or the ConfigError's problems; each config is loaded once for all the properties. */
function declared(inv: Inventory, exp: Experiment): Declaration | string[] {
    const key = JSON.stringify([inv, exp]);
    if (!seen.has(key)) seen.set(key, load(inv, exp));
    return seen.get(key)!;
}

function load(inv: Inventory, exp: Experiment): Declaration | string[] {
    const env = {
        coordinatorNode: inv.nodes[inv.coordinator].name,
        ...(inv.broker === undefined ? {} : { brokerNode: inv.nodes[inv.broker].name }),
        ...(inv.ports === undefined ? {} : { ports: inv.ports }),
        ssh: { hostKeyChecking: "off" },
        codeDir: "/srv/parwop",
        dataDir: "/srv/data",
        nodes: inv.nodes,
    };
    // JSON is YAML, and much faster to write than the yaml package writes it.
    const { read, list } = fileReader(fixtureRoot, { "envs/gen.yaml": JSON.stringify(env) });
    try {
        const settings = loadSettings({ environment: "gen", tier: "small", experiment: exp }, read, list);
        return declare(settings, { stack: "gen", scripts: { driver: "d", dropCaches: "c" } });
    } catch (e) {
        if (e instanceof ConfigError) return e.problems;
        throw e;
    }
}

/** Properties over the declarations that load; a config that does not load must say why. */
function forAll(check: (d: Declaration) => void): void {
    fc.assert(
        fc.property(inventory, experiment, (inv, exp) => {
            const d = declared(inv, exp);
            if (Array.isArray(d)) expect(d.length).toBeGreaterThan(0);
            else check(d);
        }),
        // One seed for every property: they check the same configs, loaded once (about 1 ms each).
        { numRuns: runs, seed },
    );
}

const stepsOf = (d: Declaration) => [
    ...d.nodes.map((n) => ({ kind: "preflight", step: n.preflight })),
    { kind: "brokerReady", step: d.broker.ready },
    { kind: "healthGate", step: d.healthGate.step },
    ...d.runs.flatMap((r) => [
        ...r.settleSteps.map((s) => ({ kind: "settle", step: s.step })),
        ...r.dropSteps.map((s) => ({ kind: "drop", step: s.step })),
        { kind: "run", step: r.runStep.step },
    ]),
];

describe("declare(), for any inventory and experiment that load", () => {
    test("the generator gives both kinds: configs that load and configs that clash", () => {
        const samples = fc.sample(fc.tuple(inventory, experiment), { numRuns: runs, seed });
        const loaded = samples.filter(([inv, exp]) => !Array.isArray(declared(inv, exp))).length;
        expect(loaded).toBeGreaterThan(20);
        expect(loaded).toBeLessThan(samples.length);
    });

    test("exactly one broker and one coordinator, one worker per node", () => {
        forAll((d) => {
            const roles = containersOf(d).map((c) => c.role);
            expect(roles.filter((r) => r === "broker")).toHaveLength(1);
            expect(roles.filter((r) => r === "coordinator")).toHaveLength(1);
            expect(roles.filter((r) => r === "worker")).toHaveLength(d.nodes.length);
        });
    });

    test("container names and host ports are unique on every host", () => {
        forAll((d) => {
            const hostOf = new Map(d.nodes.map((n) => [n.node.name, n.node.host.toLowerCase()]));
            const containers = containersOf(d);
            const names = containers.map((c) => `${hostOf.get(c.node)} ${c.name}`);
            const ports = containers.flatMap((c) => c.ports.map((p) => `${hostOf.get(c.node)} ${p}`));
            expect(new Set(names).size).toBe(names.length);
            expect(new Set(ports).size).toBe(ports.length);
        });
    });

    test("every measured run is preceded by a drop on every node, the runner's among them", () => {
        forAll((d) => {
            if (!d.settings.experiment.dropCaches) return;
            for (const run of d.runs.filter((r) => !r.warmup)) {
                expect(run.dropSteps.map((s) => s.node).sort()).toEqual(d.nodes.map((n) => n.node.name).sort());
                expect(run.dropSteps[run.runnerDrop!].node).toBe(run.runStep.node);
            }
        });
    });

    test("every node-side bound is below its resource timeout", () => {
        forAll((d) => {
            for (const { step } of stepsOf(d)) {
                expect(step.budget.nodeSeconds).toBeGreaterThan(step.seconds);
                expect(step.budget.timeoutSeconds).toBeGreaterThan(step.budget.nodeSeconds);
            }
        });
    });

    test("every resource name it gives is unique", () => {
        forAll((d) => {
            const names = [
                ...d.nodes.flatMap((n) => Object.values(n.names)),
                ...Object.values(d.names),
                ...d.nodes.map((n) => n.provider.name),
            ];
            expect(new Set(names).size).toBe(names.length - d.nodes.length);
        });
    });
});

describe("one place per fact, one test per place: what each says, and that the declaration takes it from there", () => {
    const three = fixtureDeclaration("three-small");

    test("names: every child's suffix, every node's, service's and run's name", () => {
        expect(childNames("parwop-broker")).toEqual({
            container: "parwop-broker-container",
            image: "parwop-broker-image",
            ready: "parwop-broker-ready",
            adminPassword: "parwop-broker-admin-password",
            wait: "parwop-broker-wait",
            check: "parwop-broker-check",
        });
        expect(nodeNames("parwop", "n1")).toEqual({
            docker: "parwop-n1-docker",
            preflight: "parwop-n1-preflight",
            image: "parwop-n1-parwop",
            worker: "parwop-n1-worker",
        });
        expect(serviceNames("parwop")).toEqual({
            command: "parwop-command",
            broker: "parwop-broker",
            coordinator: "parwop-coordinator",
            health: "parwop-health",
        });
        const run = runNames("experiment", "q1-r1");
        expect([run.attempt, run.settle("n2"), run.drop("n2"), run.run, run.record]).toEqual([
            "experiment-q1-r1-attempt",
            "experiment-q1-r1-settle-n2",
            "experiment-q1-r1-drop-n2",
            "experiment-q1-r1-run",
            "experiment-q1-r1-record",
        ]);
        expect(three.nodes[0].names).toEqual(nodeNames("parwop", "n1"));
    });
    test("URLs: http, amqp, the engine's host (ssh or the local socket) and the gate's loopback", () => {
        expect(httpUrl("n1.test", 8000)).toBe("http://n1.test:8000");
        expect(amqpUrl("n1.test", 5672)).toBe("amqp://n1.test:5672");
        expect(dockerHostUrl({ local: false, host: "n1.test" }, { user: "me", port: 2222 })).toBe("ssh://me@n1.test:2222");
        expect(dockerHostUrl({ local: true, host: "localhost" }, { user: "me", port: 2222 })).toBe("unix:///var/run/docker.sock");
        expect(three.nodes[1].provider.host).toBe("ssh://root@n2.test:22");
        expect(three.healthGate.step.flags["--url"]).toBe(httpUrl(loopbackHost, 8000));
        expect(three.outputs).toMatchObject({ brokerAmqpUrl: "amqp://n1.test:5672", brokerManagementUrl: "http://n1.test:15672" });
    });
    test("ports: RabbitMQ's own inside its container, published on the config's", () => {
        expect(brokerContainerPorts).toEqual({ amqp: 5672, management: 15672 });
        expect(three.broker.container.ports).toEqual([
            { internal: brokerContainerPorts.amqp, external: 5672 },
            { internal: brokerContainerPorts.management, external: 15672 },
        ]);
        expect(three.broker.ready.flags["--port"]).toBe(brokerContainerPorts.amqp);
    });
    test("timeouts: each node-side bound, and the resource timeout derived from it alone (the README's table)", () => {
        const s = fixtureSettings("three-small");
        const node = three.nodes[0].node;
        const steps = {
            preflight: preflightStep(node, s.tier, "x", []),
            drop: dropStep("n1"),
            brokerReady: brokerReadyStep("b"),
            settle: settleStep(node, "http://c:1", "x"),
            healthGate: healthGateStep({ containerName: "c", port: 1 }, ["w"], { timeoutSeconds: 300, maxHeartbeatAgeSeconds: 60 }),
            run: runStep({ container: "c", seconds: 3600, query: "Q", repetition: 1, driver: {} }),
        };
        const figures = Object.fromEntries(
            Object.entries(steps).map(([k, step]) => [k, [step.seconds, step.budget.nodeSeconds, step.budget.timeoutSeconds]]),
        );
        expect(figures).toEqual({
            preflight: [120, 130, 180],
            drop: [180, 190, 220],
            brokerReady: [210, 220, 250],
            settle: [220, 230, 260],
            healthGate: [330, 420, 450],
            run: [3750, 3760, 3790],
        });
        for (const [kind, step] of Object.entries(steps)) {
            expect(step.budget).toEqual(budget(kind as keyof typeof marginSeconds, step.budget.nodeSeconds));
        }
        expect(marginSeconds.drop).toBe(sshSlackSeconds);
        expect(customTimeouts(220)).toEqual({ create: "220s", update: "220s", delete: "220s" });
    });
});
