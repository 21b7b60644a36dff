import { configHash, provenance } from "../../model/provenance";
import { fixtureSettings } from "../helpers/fixture";

const experiment = (e: Record<string, unknown>) => ({ "parwop:experiment": JSON.stringify({ repetitions: 1, ...e }) });

describe("provenance", () => {
    test("names the stack, tier, environment, nodes, mode, run id and script digests", () => {
        const s = fixtureSettings("three-small", experiment({ runId: "b" }));
        expect(provenance("three-small", s, { driver: "d", dropCaches: "c" })).toEqual({
            stack: "three-small",
            tier: "small",
            environment: "three",
            node_count: 3,
            nodes: ["worker-1", "worker-2", "worker-3"],
            mode: "local",
            run_id: "b",
            config_hash: configHash(s),
            driver_digest: "d",
            drop_digest: "c",
        });
    });

    test("the config hash ignores the run id, and changes with anything that shapes a result", () => {
        const hash = (stack: string, e: Record<string, unknown>) => configHash(fixtureSettings(stack, experiment(e)));
        expect(hash("three-small", { runId: 1 })).toBe(hash("three-small", { runId: 2 }));
        expect(hash("three-small", { runId: 1 })).not.toBe(hash("three-small", { memoryLimitRecords: 5 }));
        expect(hash("three-small", {})).not.toBe(hash("three-large", {}));
    });
});
