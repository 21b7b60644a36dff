import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { configKey, knownKeys, objectKeys, secretKeys } from "../../config/keys";
import { environmentSchema, restartPolicies } from "../../config/schema";
import { rawStackConfig } from "../../config/stack";
import { ConfigError, RawStackConfig } from "../../config/validate";
import { checkedPlacement } from "../../model/declare";
import { loadSettings } from "../../model/load";
import { fileReader, fixtureDeclaration, fixtureRoot, fixtureSettings } from "../helpers/fixture";

const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBAnVDLms8eARLgTX9NG0Pl198sE2kErGja3MITS28kV";

function env(overrides: Record<string, unknown> = {}, nodes?: Record<string, unknown>[]) {
    return {
        coordinatorNode: "n1",
        codeDir: "/code-dir",
        dataDir: "/data-dir",
        nodes: nodes ?? [
            { name: "n1", host: "n1.lab", workerId: "worker-1", hostKey: key },
            { name: "n2", host: "n2.lab", workerId: "worker-2", hostKey: key },
        ],
        ...overrides,
    };
}

/** The problems loadSettings reports for a stack config and an environment file "t". */
function problems(environment: unknown, raw: RawStackConfig = {}): string[] {
    const files: Record<string, string> = { "envs/t.yaml": typeof environment === "string" ? environment : stringify(environment) };
    // The test's own files (test/fixtures/project) and this environment "t": never the shipped ones.
    const { read, list } = fileReader(fixtureRoot, files);
    try {
        // As the program runs them: the config, then the clashes on its placement.
        checkedPlacement(loadSettings({ environment: "t", tier: "small", ...raw }, read, list));
    } catch (e) {
        if (e instanceof ConfigError) return e.problems;
        throw e;
    }
    return [];
}

describe("config validation", () => {
    test("a good environment passes", () => {
        expect(problems(env())).toEqual([]);
    });

    test.each<[string, unknown, RawStackConfig, string]>([
        ["unknown tier", env(), { tier: "16_128" }, 'parwop:tier: unknown tier "16_128" (known: large, small)'],
        [
            "unknown environment",
            env(),
            { environment: "nowhere" },
            'parwop:environment: unknown environment "nowhere" (known: local, t, three)',
        ],
        ["missing tier", env(), { tier: undefined }, "parwop:tier: is required"],
        [
            "unknown config key",
            env(),
            { teir: "small" },
            "parwop:teir: unknown config key (known: environment, tier, restartGeneration, restartPolicy, brokerAdminUser, brokerAdminPassword, experiment, healthGate)",
        ],
        [
            "a retired key says what to do instead",
            env(),
            { sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----" },
            "parwop:sshPrivateKey: is no longer used: node commands and Docker both go through your ssh client; load the key into your agent (ssh-add KEY) and remove this key",
        ],
        ["brokerNode must name a node", env({ brokerNode: "n7" }), {}, 'envs/t.yaml: brokerNode "n7" is not a node name (nodes: n1, n2)'],
        [
            "bad restart policy",
            env(),
            { restartPolicy: "sometimes" },
            'parwop:restartPolicy: expected one of "no"|"on-failure"|"always"|"unless-stopped" (got "sometimes")',
        ],
        [
            "restart generation not a number",
            env(),
            { restartGeneration: "x" },
            'parwop:restartGeneration: expected number, received NaN (got "x")',
        ],
        ["experiment not an object", env(), { experiment: "fast" }, 'parwop:experiment: expected object, received string (got "fast")'],
        [
            "bad mode",
            env(),
            { experiment: { mode: "remote" } },
            'parwop:experiment.mode: expected one of "local"|"distributed" (got "remote")',
        ],
        ["zero repetitions", env(), { experiment: { repetitions: 0 } }, "parwop:experiment.repetitions: expected number to be >=1 (got 0)"],
        [
            "local worker unknown",
            env(),
            { experiment: { localWorker: "worker-9" } },
            'parwop:experiment.localWorker: "worker-9" is not a workerId (workers: worker-1, worker-2)',
        ],
        [
            "duplicate query",
            env(),
            {
                experiment: {
                    queries: [
                        { name: "Q", partitionBy: ["A"], orderBy: ["B"] },
                        { name: "q", partitionBy: ["A"], orderBy: ["B"] },
                    ],
                },
            },
            'parwop:experiment.queries[1].name "q" is already queries[0]\'s',
        ],
        ["empty inventory", env({}, []), {}, "envs/t.yaml: nodes: must list at least one node (got [])"],
        ["relative path", env({ dataDir: "data" }), {}, 'envs/t.yaml: dataDir: must be an absolute path (got "data")'],
        [
            "host with a scheme",
            env({}, [{ name: "n1", host: "ssh://n1", workerId: "worker-1", hostKey: key }]),
            {},
            'envs/t.yaml: nodes[0].host: must be a host name or IPv4 address (no scheme, port or user) (got "ssh://n1")',
        ],
        [
            "empty host",
            env({}, [{ name: "n1", host: "", workerId: "worker-1", hostKey: key }]),
            {},
            'envs/t.yaml: nodes[0].host: must be a host name or IPv4 address (no scheme, port or user) (got "")',
        ],
        [
            "port out of range",
            env({ ports: { worker: 70000 } }),
            {},
            "envs/t.yaml: ports.worker: must be a port from 1 to 65535 (got 70000)",
        ],
        [
            "unknown node key",
            env({}, [{ name: "n1", host: "n1", workerId: "worker-1", hostKey: key, ram: 3 }]),
            {},
            'envs/t.yaml: nodes[0]: unknown key "ram"',
        ],
        [
            "coordinator not a node",
            env({ coordinatorNode: "n9" }),
            {},
            'envs/t.yaml: coordinatorNode "n9" is not a node name (nodes: n1, n2)',
        ],
        [
            "duplicate worker id",
            env({}, [
                { name: "n1", host: "a", workerId: "worker-1", hostKey: key },
                { name: "n2", host: "b", workerId: "worker-1", hostKey: key },
            ]),
            {},
            'envs/t.yaml: nodes[1].workerId "worker-1" is already nodes[0]\'s',
        ],
        [
            "duplicate host",
            env({}, [
                { name: "n1", host: "a", workerId: "worker-1", hostKey: key },
                { name: "n2", host: "a", workerId: "worker-2", hostKey: key },
            ]),
            {},
            'envs/t.yaml: nodes[1].host "a" with worker port 8001 is already nodes[0]\'s',
        ],
        [
            "coordinator/worker port clash",
            env({ ports: { coordinator: 8001 } }),
            {},
            "envs/t.yaml: nodes[0].workerPort 8001 clashes with ports.coordinator on host n1.lab (containers share the host network)",
        ],
        [
            "missing host key",
            env({}, [{ name: "n1", host: "n1.lab", workerId: "worker-1" }]),
            {},
            'envs/t.yaml: nodes[0].hostKey is required when ssh.hostKeyChecking is "strict" (get it with: ssh-keyscan -t ed25519 n1.lab)',
        ],
        [
            "malformed host key",
            env({}, [{ name: "n1", host: "n1.lab", workerId: "worker-1", hostKey: "n1.lab ssh-ed25519 AAAA" }]),
            {},
            'envs/t.yaml: nodes[0].hostKey: must be a public host key line: TYPE BASE64 (ssh-keyscan output without the host) (got "n1.lab ssh-ed25519 AAAA")',
        ],
        [
            "admin user guest",
            env(),
            { brokerAdminUser: "guest" },
            'parwop:brokerAdminUser: must not be guest: PARWOP logs in as guest/guest, which must stay a plain AMQP user (got "guest")',
        ],
        [
            "records limit given in bytes",
            env(),
            { experiment: { memoryLimitRecords: 37795712204 } },
            "parwop:experiment.memoryLimitRecords: looks like bytes: memory_limit is in records (the study used 5,000,000 for 32 GiB) (got 37795712204)",
        ],
        [
            "heartbeat age below PARWOP's interval",
            env(),
            { healthGate: { maxHeartbeatAgeSeconds: 5 } },
            "parwop:healthGate.maxHeartbeatAgeSeconds: must be at least 30: PARWOP beats every 20 s (got 5)",
        ],
        [
            "path with ..",
            env({ dataDir: "/data/../etc" }),
            {},
            'envs/t.yaml: dataDir: must not contain . or .. segments (got "/data/../etc")',
        ],
        [
            "image name with a space",
            env({ image: { name: "Parwop: 0.1" } }),
            {},
            'envs/t.yaml: image.name: must be a docker image reference such as parwop:0.1 (got "Parwop: 0.1")',
        ],
        [
            "absolute dockerfile",
            env({ image: { build: { context: "/src", dockerfile: "/src/Dockerfile" } } }),
            {},
            'envs/t.yaml: image.build.dockerfile: must be a path relative to build.context (got "/src/Dockerfile")',
        ],
        ["empty environment file", "", {}, "envs/t.yaml: expected object, received null (got null)"],
        [
            "same host in other case",
            env({}, [
                { name: "n1", host: "n1.lab", workerId: "worker-1", hostKey: key },
                { name: "n2", host: "N1.lab", workerId: "worker-2", hostKey: key },
            ]),
            {},
            'envs/t.yaml: nodes[1].host "N1.lab" with worker port 8001 is already nodes[0]\'s',
        ],
        [
            "two nodes with one worker URL",
            env({}, [
                { name: "n1", host: "a", workerId: "worker-1", hostKey: key },
                { name: "n2", host: "b", address: "a", workerId: "worker-2", hostKey: key },
            ]),
            {},
            "envs/t.yaml: nodes[1].worker URL http://a:8001 is already nodes[0]'s",
        ],
        [
            "coordinator named like the worker",
            env({ containerNames: { coordinator: "parwop-worker" } }),
            {},
            'envs/t.yaml: nodes[0] worker container "parwop-worker" is also containerNames.coordinator\'s name on host n1.lab',
        ],
        [
            "broken YAML",
            "nodes: [",
            {},
            "envs/t.yaml: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 1, column 9:",
        ],
    ])("%s", (_, environment, raw, expected) => {
        expect(problems(environment, raw)).toContain(expected);
    });

    test("every problem is reported, one line each", () => {
        const found = problems(env({ dataDir: "rel", coordinatorNode: "X" }), { restartPolicy: "never" });
        expect(found).toEqual(['parwop:restartPolicy: expected one of "no"|"on-failure"|"always"|"unless-stopped" (got "never")']);
        const fileProblems = problems(env({ dataDir: "rel", codeDir: "also-rel" }));
        expect(fileProblems).toHaveLength(2);
        expect(fileProblems.every((p) => !p.includes("\n"))).toBe(true);
    });

    test("secret values never appear in an error", () => {
        const found = problems(env(), { brokerAdminPassword: "hunter2" } as RawStackConfig);
        expect(found.join("\n")).not.toContain("hunter2");
    });

    test("a ConfigError is a Pulumi RunError, which `pulumi up` prints without a stack trace", () => {
        const error = new ConfigError(["a: b", "c: d"]);
        expect(pulumi.RunError.isInstance(error)).toBe(true);
        expect(error.message).toBe("a: b\nc: d");
    });
});

describe("one place per fact of the config, one test each", () => {
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
});
