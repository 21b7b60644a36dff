import { Cluster } from "../../components/cluster";
import { sshOptions } from "../../lib/nodeProvider";
import { nodeNames, serviceNames } from "../../model/names";
import { fixtureDeclaration, fixtureSettings } from "../helpers/fixture";
import { mockStack, named, providerName, Recorder, waitsFor } from "../helpers/mocks";

const stack = "three-small";
const settings = fixtureSettings(stack);
const declared = fixtureDeclaration(stack, settings);
const where = declared.placement;
const cluster = "parwop";
const n = (node: string) => nodeNames(cluster, node);
const svc = serviceNames(cluster);
const parwopContainers = () => [`${svc.coordinator}-container`, ...where.nodes.map((node) => `${n(node.name).worker}-container`)];

let rec: Recorder;
beforeAll(async () => {
    rec = await mockStack(stack, (type, name) =>
        type.includes("RemoteImage")
            ? { imageId: `sha256:${name}` }
            : type.includes("RandomPassword")
              ? { result: "generated" }
              : { stdout: "" },
    );
    new Cluster(cluster, { declaration: declared });
    await rec.settle();
});

describe("Cluster", () => {
    test("one docker provider per node, over ssh with the node's options", () => {
        for (const node of where.nodes) {
            expect(named(rec, n(node.name).docker).inputs).toEqual({
                host: `ssh://root@${node.host}:22`,
                sshOpts: JSON.stringify(sshOptions(settings.ssh, node.hostKey)),
            });
        }
    });

    test("each worker and image on its own node's engine; coordinator and broker on the broker's and coordinator's node", () => {
        for (const node of where.nodes) {
            expect(providerName(named(rec, `${n(node.name).worker}-container`))).toBe(n(node.name).docker);
            expect(providerName(named(rec, `${n(node.name).image}-image`))).toBe(n(node.name).docker);
        }
        expect(providerName(named(rec, `${svc.coordinator}-container`))).toBe(n(where.coordinator.node.name).docker);
        expect(providerName(named(rec, `${svc.broker}-container`))).toBe(n(where.broker.node.name).docker);
    });

    test(`every PARWOP container gets the tier's ${settings.tier.memoryMiB} MiB, no swap, cpus "${settings.tier.cpusString}"`, () => {
        for (const name of parwopContainers()) {
            expect(named(rec, name).inputs).toMatchObject({
                memory: settings.tier.memoryMiB,
                memorySwap: settings.tier.memoryMiB,
                cpus: settings.tier.cpusString,
            });
        }
    });

    test("the coordinator has exactly the contract's environment", () => {
        expect(named(rec, `${svc.coordinator}-container`).inputs.envs).toEqual([
            "NODE_ID=coordinator",
            "IS_COORDINATOR=True",
            "COORDINATOR_ADDRESS=http://n1.test:8000",
            "RABBITMQ_HOST=n1.test",
            "RABBITMQ_PORT=5672",
            `MAX_CPU=${settings.tier.cpus}`,
        ]);
    });

    test("a worker has the contract's environment, and no MAX_CPU or HEARTBEAT_*", () => {
        expect(named(rec, `${n("n3").worker}-container`).inputs.envs).toEqual([
            "NODE_ID=worker-3",
            "IS_WORKER=True",
            "COORDINATOR_ADDRESS=http://n1.test:8000",
            "WORKER_ADDRESS=http://n3.test:8001",
            "WORKER_EXTERNAL_ADDRESS=http://n3.test:8001",
            "DUMPS_PATH=/dumps",
        ]);
    });

    test("PARWOP containers: host network, seccomp unconfined, root, uvicorn on their port, code and data read-only", () => {
        for (const name of parwopContainers()) {
            expect(named(rec, name).inputs).toMatchObject({
                networkMode: "host",
                securityOpts: ["seccomp=unconfined"],
                user: "root",
                restart: "unless-stopped",
                destroyGraceSeconds: 10,
            });
            expect(named(rec, name).inputs.ports).toBeUndefined();
        }
        expect(named(rec, `${svc.coordinator}-container`).inputs.command).toEqual([
            "bash",
            "-c",
            "cd /code && python -u -m uvicorn parwop.server.main:app --host=0.0.0.0 --port=8000",
        ]);
        expect(named(rec, `${n("n2").worker}-container`).inputs.volumes).toEqual([
            { hostPath: "/srv/parwop", containerPath: "/code", readOnly: true },
            { hostPath: "/srv/data", containerPath: "/data", readOnly: true },
            { hostPath: "/srv/dumps", containerPath: "/dumps", readOnly: false },
        ]);
    });

    test("every container has a fixed name, so each is deleted before its replacement is created", () => {
        // Found by the first real replace: the engine creates first by default, and docker refuses
        // a second container of the same name (test/engine/devstack.test.ts replaces them for real).
        const containers = rec.resources.filter((r) => r.type === "docker:index/container:Container");
        expect(containers).toHaveLength(where.nodes.length + 2);
        for (const c of containers)
            expect({ name: c.name, fixedName: typeof c.inputs.name, deleteBeforeReplace: c.deleteBeforeReplace }).toEqual({
                name: c.name,
                fixedName: "string",
                deleteBeforeReplace: true,
            });
    });

    test("containers use the image ID of their own node's image, which stays on the node", () => {
        expect(named(rec, `${n("n2").worker}-container`).inputs.image).toBe(`sha256:${n("n2").image}-image`);
        expect(named(rec, `${svc.coordinator}-container`).inputs.image).toBe(`sha256:${n("n1").image}-image`);
        expect(named(rec, `${n("n2").image}-image`).inputs).toEqual({ name: "parwop:test", keepLocally: true });
    });

    test("the broker publishes AMQP and management, is waited for, and its files are secret", () => {
        const broker = named(rec, `${svc.broker}-container`).inputs;
        expect(broker.ports).toEqual([
            { internal: 5672, external: 5672 },
            { internal: 15672, external: 15672 },
        ]);
        expect(broker).toMatchObject({ uploads: "[secret]", destroyGraceSeconds: 2 });
        expect(broker.healthcheck).toMatchObject({ tests: ["CMD", "rabbitmq-diagnostics", "-q", "ping"] });
        // Not the provider's wait for the health check (its first tick is 10 s after start):
        // the readiness command below ends when RabbitMQ listens.
        expect(broker.wait).toBeUndefined();
    });

    test("the broker is ready when it accepts AMQP in its container, checked on its node; the coordinator waits for that", () => {
        const ready = named(rec, `${svc.broker}-ready`);
        expect(String(ready.inputs.create)).toContain(
            `root@${where.broker.host} 'timeout -k 10 210 bash -s -- --container parwop-rabbitmq --port 5672 --timeout 180'`,
        );
        expect(String(ready.inputs.stdin)).toMatch(/^#!\/usr\/bin\/env bash\n# Waits on the broker's node/);
        expect(waitsFor(ready, `${svc.broker}-container`)).toBe(true);
        expect(ready.inputs.triggers).toEqual([{ container: `${svc.broker}-container-id` }]);
        // The coordinator component waits for it, and its container for the component (as the real up showed).
        expect(waitsFor(named(rec, svc.coordinator), `${svc.broker}-ready`)).toBe(true);
    });

    test("order: preflight before anything on its node; broker, then coordinator, then workers, then the health gate", () => {
        for (const node of where.nodes) {
            expect(waitsFor(named(rec, n(node.name).image), `${n(node.name).preflight}-check`)).toBe(true);
            expect(waitsFor(named(rec, n(node.name).worker), `${n(node.name).preflight}-check`)).toBe(true);
            expect(waitsFor(named(rec, n(node.name).worker), `${svc.coordinator}-container`)).toBe(true);
            expect(waitsFor(named(rec, svc.health), `${n(node.name).worker}-container`)).toBe(true);
        }
        expect(waitsFor(named(rec, svc.coordinator), `${svc.broker}-container`)).toBe(true);
    });

    test("preflight and health gate command lines, as run on the machine running Pulumi", () => {
        const lines = Object.fromEntries(
            [`${n("n1").preflight}-check`, `${n("n2").preflight}-check`, `${svc.health}-wait`].map((name) => [
                name,
                named(rec, name).inputs.create,
            ]),
        );
        expect(lines).toMatchSnapshot();
    });

    test("every command is bounded (customTimeouts) and uses the explicit command provider", () => {
        for (const r of rec.resources.filter((x) => x.type === "command:local:Command")) {
            expect(r.customTimeouts).toEqual({
                create: expect.stringMatching(/^\d+s$/),
                update: expect.any(String),
                delete: expect.any(String),
            });
            expect(providerName(r)).toBe(svc.command);
        }
    });

    test("a redeployed cluster re-runs the health gate: its trigger is the cluster's identity", () => {
        expect(named(rec, `${svc.health}-wait`).inputs.triggers).toEqual([{ cluster: expect.stringMatching(/^[0-9a-f]{16}$/) }]);
    });
});
