import * as fs from "fs";
import { chainDepths } from "../../tools/depth";
import type { Plan } from "../../tools/planModel";
import { inventory, problems, runPlan, tempProject } from "./project";

describe("chainDepths", () => {
    it("counts the longest chain through dependencies, not the number of them", () => {
        const d = chainDepths([
            { id: "gate", after: ["w1", "w2", "w3"] },
            { id: "w1", after: ["p1"] },
            { id: "w2", after: ["p2"] },
            { id: "w3", after: [] },
            { id: "p1", after: [] },
            { id: "p2", after: [] },
        ]);
        expect(Object.fromEntries(d)).toEqual({ gate: 3, w1: 2, w2: 2, w3: 1, p1: 1, p2: 1 });
    });

    it("names a cycle instead of looping", () => {
        expect(() =>
            chainDepths([
                { id: "a", after: ["b"] },
                { id: "b", after: ["a"] },
            ]),
        ).toThrow("dependency cycle through");
    });
});

describe("dependency depth does not grow with the number of nodes", () => {
    const lab = runPlan(["lab-32_2", "--json"]);
    const dir = tempProject({
        "envs/big.yaml": inventory(64),
        "Pulumi.big-32_2.yaml":
            'config:\n  parwop:environment: big\n  parwop:tier: "32_2"\n  parwop:experiment:\n    mode: distributed\n    repetitions: 3\n',
    });
    const big = runPlan(["big-32_2", "--json"], dir);
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("is the same for the 8-node lab and a generated 64-node inventory", () => {
        expect(problems(lab.stderr)).toEqual([]);
        expect(problems(big.stderr)).toEqual([]);
        const eight = JSON.parse(lab.stdout) as Plan;
        const sixtyFour = JSON.parse(big.stdout) as Plan;
        expect(eight.nodes.filter((n) => n !== "cluster")).toHaveLength(8);
        expect(sixtyFour.nodes.filter((n) => n !== "cluster")).toHaveLength(64);
        expect(sixtyFour.resources.length).toBeGreaterThan(eight.resources.length * 6);
        // 12 levels to a healthy cluster (workers wait for the coordinator, which waits for the
        // broker), then 4 queries x 3 repetitions of (drop on every node in parallel, then the run)
        // = 24, then the last record: 37, whatever the number of nodes.
        expect([eight.depth, sixtyFour.depth]).toEqual([37, 37]);
    });

    it("places node64's worker on node64's engine", () => {
        const plan = JSON.parse(big.stdout) as Plan;
        expect(plan.resources.find((r) => r.name === "parwop-node64-worker-container")).toMatchObject({
            node: "node64",
            provider: "parwop-node64-docker",
        });
        expect(plan.nodes.slice(0, 3)).toEqual(["node1", "node2", "node3"]);
        expect(plan.nodes[9]).toBe("node10");
    });
});
