import { parse, stringify } from "yaml";
import { ConfigError } from "../../config/validate";
import { checkedPlacement } from "../../model/declare";
import { containerNamesOn, placement } from "../../model/placement";
import { fixtureRoot, fixtureSettings, fileReader } from "../helpers/fixture";

const three = () => placement(fixtureSettings("three-small"));
/** envs/three.yaml with some keys replaced. */
const threeWith = (changes: Record<string, unknown>) => ({
    "envs/three.yaml": stringify({ ...parse(fileReader(fixtureRoot).read("envs/three.yaml")!), ...changes }),
});

describe("placement", () => {
    test("one worker per node, coordinator and broker on the coordinator's node", () => {
        const p = three();
        expect(p.workers.map((w) => [w.node.name, w.node.workerId, w.url])).toEqual([
            ["n1", "worker-1", "http://n1.test:8001"],
            ["n2", "worker-2", "http://n2.test:8001"],
            ["n3", "worker-3", "http://n3.test:8001"],
        ]);
        expect(p.coordinator).toMatchObject({ node: { name: "n1" }, url: "http://n1.test:8000" });
        expect(p.broker).toMatchObject({ node: { name: "n1" }, host: "n1.test", amqpPort: 5672 });
        expect(containerNamesOn(p, "n1")).toEqual(["parwop-worker", "parwop-coordinator", "parwop-rabbitmq"]);
        expect(containerNamesOn(p, "n2")).toEqual(["parwop-worker"]);
    });

    test("moving the broker to its own node is the brokerNode key alone", () => {
        const p = placement(fixtureSettings("three-small", {}, threeWith({ brokerNode: "n3" })));
        expect(p.broker).toMatchObject({ node: { name: "n3" }, host: "n3.test" });
        expect(p.coordinator.node.name).toBe("n1");
        expect(containerNamesOn(p, "n1")).toEqual(["parwop-worker", "parwop-coordinator"]);
        expect(containerNamesOn(p, "n3")).toEqual(["parwop-worker", "parwop-rabbitmq"]);
    });

    test("a clash with the broker is checked on the broker's host, wherever it is", () => {
        const files = threeWith({ brokerNode: "n2", ports: { amqp: 8001 } });
        expect(() => checkedPlacement(fixtureSettings("three-small", {}, files))).toThrow(
            new ConfigError([
                "envs/three.yaml: nodes[1].workerPort 8001 clashes with ports.amqp on host n2.test (containers share the host network)",
            ]),
        );
    });

    test("the runner: the coordinator in distributed mode, the chosen worker in local mode", () => {
        expect(three().runner).toMatchObject({ node: { name: "n1" }, container: "parwop-coordinator" });
        const local = placement(
            fixtureSettings("three-small", { "parwop:experiment": JSON.stringify({ mode: "local", localWorker: "worker-2" }) }),
        );
        expect(local.runner).toMatchObject({ node: { name: "n2" }, container: "parwop-worker" });
    });

    test("two workers on one host: the dev-like environment", () => {
        const p = placement(fixtureSettings("local-small"));
        expect(p.workers.map((w) => w.url)).toEqual(["http://localhost:8001", "http://localhost:8002"]);
        expect(containerNamesOn(p, "l1")).toEqual(["parwop-worker-1", "parwop-coordinator", "parwop-rabbitmq"]);
    });
});
