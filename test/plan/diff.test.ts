import { diffPlans } from "../../tools/plan/diff";
import { renderDiff, wordChanges } from "../../tools/plan/renderDiff";
import { runNames } from "../../model/names";
import { evaluated } from "../helpers/evaluations";

const plan = (name: Parameters<typeof evaluated>[0]) => evaluated(name).plan;
const base = () => plan("three-small");
const brief = (rs: { name: string; node: string }[]) => rs.map((r) => `${r.node} ${r.name}`);

describe("a same-stack diff reads as the edit", () => {
    test("adding a node: its own resources, its drops, and the workers list where a run reads every worker", () => {
        const d = diffPlans(base(), plan("three-small+node"));
        expect(brief(d.added)).toEqual([
            "n4 parwop-n4-docker",
            "n4 parwop-n4-preflight",
            "n4 parwop-n4-preflight-check",
            "n4 parwop-n4-parwop",
            "n4 parwop-n4-parwop-image",
            "n4 parwop-n4-worker",
            "n4 parwop-n4-worker-container",
            "n4 experiment-q1-r1-settle-n4",
            "n4 experiment-q1-r1-drop-n4",
            "n4 experiment-q2-r1-settle-n4",
            "n4 experiment-q2-r1-drop-n4",
        ]);
        expect(d.removed).toEqual([]);
        // Distributed runs read every worker: each run, with its attempt note, drops and record, runs again for
        // the new cluster (the attempt note names the run's new key); the health gate waits for the new worker too.
        // Nothing else changes.
        const changes = d.changed.flatMap((c) => c.changes.map((x) => ({ name: c.name, path: x.path, old: x.old, new: x.new })));
        expect([...new Set(changes.map((c) => c.path))].sort()).toEqual(["create", "environment.PARWOP_ATTEMPT", "triggers[0].workers[3]"]);
        for (const c of changes.filter((x) => x.path === "triggers[0].workers[3]"))
            expect(c).toMatchObject({ old: undefined, new: "worker-4" });
        const creates = changes.filter((x) => x.path === "create");
        // A run's command line holds its identity (its spool on the node), made from the cluster's identity: unknown in a
        // plan, so the plan shows it changed as the cluster does (the new worker's container joins what it waits for).
        for (const c of creates.filter((x) => x.name.endsWith("-run"))) {
            expect(String(c.new)).toMatch(/^\[unknown: output of .*parwop-n4-worker-container/);
            expect(String(c.old)).not.toContain("parwop-n4-worker-container");
        }
        const gate = creates.filter((x) => !x.name.endsWith("-run"));
        expect(gate.map((c) => c.name)).toEqual(["parwop-health-wait"]);
        expect(wordChanges(String(gate[0].old), String(gate[0].new))).toBe(
            "--workers worker-1,worker-2,worker-3 -> worker-1,worker-2,worker-3,worker-4",
        );
    });

    test("adding a query adds only its runs", () => {
        const d = diffPlans(base(), plan("three-small+query"));
        const q3 = runNames("experiment", "q3-r1");
        expect(brief(d.added).sort()).toEqual(
            [
                "cluster " + q3.attempt,
                "n1 " + q3.settle("n1"),
                "n2 " + q3.settle("n2"),
                "n3 " + q3.settle("n3"),
                "n1 " + q3.drop("n1"),
                "n2 " + q3.drop("n2"),
                "n3 " + q3.drop("n3"),
                "n1 " + q3.run,
                "cluster " + q3.record,
            ].sort(),
        );
        expect(d.changed).toEqual([]);
        expect(d.removed).toEqual([]);
    });

    test("the text starts with the counts, then per node each resource and field", () => {
        const text = renderDiff({
            ...diffPlans(base(), plan("three-small+node")),
            from: "three-small at HEAD",
            to: "three-small in the working tree",
        });
        expect(text.split("\n").slice(0, 3)).toEqual([
            "three-small at HEAD -> three-small in the working tree: 11 added, 0 removed, 7 changed",
            "  + added: 11 on n4",
            "  ~ changed: 3 on n1, 4 on cluster",
        ]);
        expect(text).toContain(
            "  ~ command:local:Command parwop-health-wait\n      create: --workers worker-1,worker-2,worker-3 -> worker-1,worker-2,worker-3,worker-4\n",
        );
    });
});

describe("another stack", () => {
    test("declares other limits and labels, adds and removes nothing, and gives no update/replace verdicts", () => {
        const d = diffPlans(base(), plan("three-large"));
        expect([d.added, d.removed]).toEqual([[], []]);
        expect(d.changed.find((c) => c.name === "parwop-n2-worker-container")?.changes).toEqual([
            { path: "cpus", old: "2.0", new: "4.0" },
            { path: "labels[0].value", old: "three-small", new: "three-large" },
            { path: "labels[2].value", old: "small", new: "large" },
            { path: "memory", old: 2253, new: 4506 },
            { path: "memorySwap", old: 2253, new: 4506 },
        ]);
        expect(JSON.stringify(d)).not.toMatch(/replace|update/);
    });
});

test("long command lines show the words that differ", () => {
    expect(wordChanges("a --memory-limit 5 --tier x", "a --memory-limit 10 --tier y")).toBe("--memory-limit 5 -> 10; --tier x -> y");
    expect(wordChanges("a b", "a b c")).toBeUndefined();
});
