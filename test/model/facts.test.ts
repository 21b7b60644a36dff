import { configKey, knownKeys, objectKeys, secretKeys } from "../../config/keys";
import { environmentSchema, restartPolicies } from "../../config/schema";
import { rawStackConfig } from "../../config/stack";
import { childNames, nodeNames, runNames, serviceNames } from "../../model/names";
import { brokerContainerPorts } from "../../model/ports";
import { brokerReadyStep, dropStep, healthGateStep, preflightStep, runStep, settleStep } from "../../model/steps";
import { budget, customTimeouts, marginSeconds, sshSlackSeconds } from "../../model/timeouts";
import { amqpUrl, dockerHostUrl, httpUrl, loopbackHost } from "../../model/urls";
import { fixtureDeclaration, fixtureSettings } from "../helpers/fixture";

// One place per fact, one test per place: what each says, and that the declaration takes it from there.

const declared = fixtureDeclaration("three-small");

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
    expect(declared.nodes[0].names).toEqual(nodeNames("parwop", "n1"));
});

test("URLs: http, amqp, the engine's host (ssh or the local socket) and the gate's loopback", () => {
    expect(httpUrl("n1.test", 8000)).toBe("http://n1.test:8000");
    expect(amqpUrl("n1.test", 5672)).toBe("amqp://n1.test:5672");
    expect(dockerHostUrl({ local: false, host: "n1.test" }, { user: "me", port: 2222 })).toBe("ssh://me@n1.test:2222");
    expect(dockerHostUrl({ local: true, host: "localhost" }, { user: "me", port: 2222 })).toBe("unix:///var/run/docker.sock");
    expect(declared.nodes[1].provider.host).toBe("ssh://root@n2.test:22");
    expect(declared.healthGate.step.flags["--url"]).toBe(httpUrl(loopbackHost, 8000));
    expect(declared.outputs).toMatchObject({ brokerAmqpUrl: "amqp://n1.test:5672", brokerManagementUrl: "http://n1.test:15672" });
});

test("ports: RabbitMQ's own inside its container, published on the config's", () => {
    expect(brokerContainerPorts).toEqual({ amqp: 5672, management: 15672 });
    expect(declared.broker.container.ports).toEqual([
        { internal: brokerContainerPorts.amqp, external: 5672 },
        { internal: brokerContainerPorts.management, external: 15672 },
    ]);
    expect(declared.broker.ready.flags["--port"]).toBe(brokerContainerPorts.amqp);
});

test("timeouts: each node-side bound, and the resource timeout derived from it alone (the README's table)", () => {
    const s = fixtureSettings("three-small");
    const node = declared.nodes[0].node;
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
        brokerReady: [210, 220, 220],
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

test("schema defaults: written once, on the fields; an omitted object takes its fields' defaults", () => {
    const env = environmentSchema.parse({
        coordinatorNode: "n1",
        codeDir: "/c",
        dataDir: "/d",
        nodes: [{ name: "n1", host: "h", workerId: "w" }],
    });
    expect(env).toMatchObject({
        ssh: { user: "root", port: 22, hostKeyChecking: "strict" },
        ports: { coordinator: 8000, worker: 8001, amqp: 5672, management: 15672 },
        containerNames: { coordinator: "parwop-coordinator", worker: "parwop-worker", broker: "parwop-rabbitmq" },
        image: { name: "parwop:0.1" },
        dumpsDir: "/tmp/parwop_dumps",
    });
    // One field given: the others still take their defaults.
    expect(environmentSchema.parse({ ...env, ports: { worker: 9001 } }).ports).toEqual({
        coordinator: 8000,
        worker: 9001,
        amqp: 5672,
        management: 15672,
    });
    expect(fixtureSettings("three-small").healthGate).toEqual({ timeoutSeconds: 300, maxHeartbeatAgeSeconds: 60 });
});

test("config keys: listed once, with the namespace written once", () => {
    expect(knownKeys).toEqual([
        "environment",
        "tier",
        "restartGeneration",
        "restartPolicy",
        "brokerAdminUser",
        "brokerAdminPassword",
        "experiment",
        "healthGate",
    ]);
    expect(secretKeys).toEqual(["brokerAdminPassword"]);
    expect(objectKeys).toEqual(["experiment", "healthGate"]);
    expect(configKey("tier")).toBe("parwop:tier");
    const raw = rawStackConfig({
        [configKey("tier")]: "small",
        [configKey("experiment")]: '{"runId":2}',
        [configKey("brokerAdminPassword")]: "x",
        "other:tier": "y",
    });
    expect(raw).toEqual({ tier: "small", experiment: { runId: 2 } });
});

test("restart policies: one list, the stack's values and every container's", () => {
    expect(restartPolicies).toEqual(["no", "on-failure", "always", "unless-stopped"]);
    const always = fixtureSettings("three-small", { "parwop:restartPolicy": "always" });
    const d = fixtureDeclaration("three-small", always);
    expect([d.broker.container.restart, d.coordinator.container.restart, ...d.nodes.map((n) => n.worker.container.restart)]).toEqual(
        Array(5).fill("always"),
    );
});
