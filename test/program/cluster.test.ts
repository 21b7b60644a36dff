import { byType, containerType, evaluateStack, one, providerType } from "./harness";
import { Evaluation } from "../../tools/mockrun";

const labTiers: [string, number, string][] = [
    ["32_2", 36045, "2.0"],
    ["64_4", 72090, "4.0"],
    ["128_8", 144180, "8.0"],
    ["128_16", 144180, "16.0"],
];

const parwopContainers = (ev: Evaluation) => byType(ev, containerType).filter((c) => !c.name.includes("broker"));
const nodeOf = (providerRef: string) =>
    providerRef
        .split("::")
        .pop()!
        .replace(/^parwop-/, "")
        .replace(/-docker-id$/, "");

describe.each(labTiers)("lab-%s", (tier, mib, cpus) => {
    let ev: Evaluation;
    beforeAll(async () => {
        ev = await evaluateStack(`lab-${tier}`);
    });

    test(`every PARWOP container gets ${mib} MiB, no swap, cpus "${cpus}"`, () => {
        const containers = parwopContainers(ev);
        expect(containers).toHaveLength(9); // 8 workers + the coordinator
        for (const c of containers) {
            expect(c.inputs).toMatchObject({ memory: mib, memorySwap: mib, cpus });
        }
    });

    test("the tier is an output", () => {
        expect(ev.outputs.tier).toMatchObject({ name: tier, memoryMiB: mib });
    });
});

describe("lab-32_2 cluster", () => {
    let ev: Evaluation;
    beforeAll(async () => {
        ev = await evaluateStack("lab-32_2");
    });

    test("one docker provider per node, over ssh, with multiplexing and strict host keys", () => {
        const providers = byType(ev, providerType);
        expect(providers.map((p) => p.inputs.host)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((i) => `ssh://root@node${i}.lab:22`));
        for (const p of providers) {
            const opts = JSON.parse(String(p.inputs.sshOpts)) as string[];
            expect(opts).toEqual(
                expect.arrayContaining(["ControlMaster=auto", "ControlPersist=120", "StrictHostKeyChecking=yes", "BatchMode=yes"]),
            );
        }
    });

    test("each worker lands on its own node's provider, coordinator and broker on node1's", () => {
        for (let i = 1; i <= 8; i++) {
            expect(nodeOf(one(ev, `parwop-node${i}-worker-container`).provider)).toBe(`node${i}`);
            expect(nodeOf(one(ev, `parwop-node${i}-parwop-image`).provider)).toBe(`node${i}`);
        }
        expect(nodeOf(one(ev, "parwop-coordinator-container").provider)).toBe("node1");
        expect(nodeOf(one(ev, "parwop-broker-container").provider)).toBe("node1");
    });

    test("no docker or command resource uses a default provider", () => {
        for (const r of ev.resources.filter((r) => r.custom && /^(docker|command):/.test(r.type))) {
            expect(r.provider).toMatch(/::parwop-(node\d-docker|command)-id$/);
        }
    });

    test("the coordinator has exactly the contract's environment", () => {
        expect(one(ev, "parwop-coordinator-container").inputs.envs).toEqual([
            "NODE_ID=coordinator",
            "IS_COORDINATOR=True",
            "COORDINATOR_ADDRESS=http://node1.lab:8000",
            "RABBITMQ_HOST=node1.lab",
            "RABBITMQ_PORT=5672",
            "MAX_CPU=2",
        ]);
    });

    test("a worker has the contract's environment, and no MAX_CPU or HEARTBEAT_*", () => {
        expect(one(ev, "parwop-node3-worker-container").inputs.envs).toEqual([
            "NODE_ID=worker-3",
            "IS_WORKER=True",
            "COORDINATOR_ADDRESS=http://node1.lab:8000",
            "WORKER_ADDRESS=http://node3.lab:8001",
            "WORKER_EXTERNAL_ADDRESS=http://node3.lab:8001",
            "DUMPS_PATH=/dumps",
        ]);
    });

    test("PARWOP containers: host network, no ports or hostname, seccomp unconfined, root, uvicorn on their port", () => {
        for (const c of parwopContainers(ev)) {
            expect(c.inputs).toMatchObject({
                networkMode: "host",
                securityOpts: ["seccomp=unconfined"],
                user: "root",
                restart: "unless-stopped",
                destroyGraceSeconds: 30,
            });
            expect(c.inputs.ports).toBeUndefined();
            expect(c.inputs.hostname).toBeUndefined();
        }
        const port = (name: string) => (one(ev, name).inputs.command as string[])[2];
        expect(port("parwop-coordinator-container")).toBe(
            "cd /code && python -u -m uvicorn parwop.server.main:app --host=0.0.0.0 --port=8000",
        );
        expect(port("parwop-node2-worker-container")).toBe(
            "cd /code && python -u -m uvicorn parwop.server.main:app --host=0.0.0.0 --port=8001",
        );
    });

    test("code and data are mounted read-only, dumps read-write on the node's disk", () => {
        expect(one(ev, "parwop-node2-worker-container").inputs.volumes).toEqual([
            { hostPath: "/mnt/nfs/parwop", containerPath: "/code", readOnly: true },
            { hostPath: "/data/hdd/experiments-parwop/parwop/data", containerPath: "/data", readOnly: true },
            { hostPath: "/data/hdd/parwop-dumps", containerPath: "/dumps", readOnly: false },
        ]);
        expect(one(ev, "parwop-coordinator-container").inputs.volumes).toEqual([
            { hostPath: "/mnt/nfs/parwop", containerPath: "/code", readOnly: true },
        ]);
    });

    test("containers use the image ID built on their own node, so a rebuild replaces them", () => {
        expect(one(ev, "parwop-node5-worker-container").inputs.image).toBe("sha256:parwop-node5-parwop-image");
        expect(one(ev, "parwop-coordinator-container").inputs.image).toBe("sha256:parwop-node1-parwop-image");
        const image = one(ev, "parwop-node5-parwop-image").inputs;
        expect(image).toMatchObject({ name: "parwop:0.1", keepLocally: true, build: { context: "/mnt/nfs/parwop", tags: ["parwop:0.1"] } });
        // Longer than the provider's 20-minute build default.
        expect(one(ev, "parwop-node5-parwop-image").customTimeouts).toEqual({ create: "60m", update: "60m", delete: "" });
    });

    test("explicit container names", () => {
        expect(one(ev, "parwop-coordinator-container").inputs.name).toBe("parwop-coordinator");
        expect(one(ev, "parwop-node4-worker-container").inputs.name).toBe("parwop-worker");
        expect(one(ev, "parwop-broker-container").inputs.name).toBe("parwop-rabbitmq");
    });

    test("the broker publishes AMQP and management, is health-checked and waited for, and its config is secret", () => {
        const broker = one(ev, "parwop-broker-container").inputs;
        expect(broker.ports).toEqual([
            { internal: 5672, external: 5672 },
            { internal: 15672, external: 15672 },
        ]);
        expect(broker.healthcheck).toMatchObject({ tests: ["CMD", "rabbitmq-diagnostics", "-q", "ping"] });
        expect(broker).toMatchObject({ wait: true, waitTimeout: 180 });
        // The uploads carry the admin's password hash: the whole input is a secret in state.
        expect(broker.uploads).toBe("[secret]");
        expect(one(ev, "parwop-broker-image").inputs).toMatchObject({ name: "rabbitmq:3.10.7-management", keepLocally: true });
    });

    test("the coordinator starts after the broker answers", () => {
        // dependsOn a component means its children; the coordinator's children register only
        // after the component itself, which waits for the broker container (and so its healthcheck).
        const coordinator = one(ev, "parwop-coordinator");
        expect(coordinator.dependencies).toEqual(
            expect.arrayContaining([
                expect.stringMatching(/::parwop-broker-container$/),
                expect.stringMatching(/::parwop-node1-preflight-check$/),
            ]),
        );
    });

    test("outputs: URLs, workers, and the admin password as a secret", () => {
        expect(ev.outputs).toMatchObject({
            coordinatorUrl: "http://node1.lab:8000",
            brokerAmqpUrl: "amqp://node1.lab:5672",
            brokerManagementUrl: "http://node1.lab:15672",
            brokerAdminPassword: "[secret]",
        });
        expect(ev.outputs.workers).toEqual(
            Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8].map((i) => [`worker-${i}`, `http://node${i}.lab:8001`])),
        );
    });
});

describe("stack config choices", () => {
    test("a configured admin password stays a secret and replaces the generated one", async () => {
        const ev = await evaluateStack("lab-32_2", { "parwop:brokerAdminPassword": "s3cret-pass" });
        expect(ev.outputs.brokerAdminPassword).toBe("[secret]");
        expect(byType(ev, "random:index/randomPassword:RandomPassword")).toHaveLength(0);
        expect(JSON.stringify(ev)).not.toContain("s3cret-pass");
    });

    test("restartGeneration relabels (and so replaces) every PARWOP container, not the broker", async () => {
        const ev = await evaluateStack("lab-32_2", { "parwop:restartGeneration": "3" });
        for (const c of parwopContainers(ev)) {
            expect(c.inputs.labels).toContainEqual({ label: "parwop.restart-generation", value: "3" });
        }
        expect(one(ev, "parwop-broker-container").inputs.labels).toEqual([{ label: "parwop.stack", value: "lab-32_2" }]);
    });

    test("restartPolicy reaches every container", async () => {
        const ev = await evaluateStack("lab-32_2", { "parwop:restartPolicy": "no" });
        expect(byType(ev, containerType).every((c) => c.inputs.restart === "no")).toBe(true);
    });
});
