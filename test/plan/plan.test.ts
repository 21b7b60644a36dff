import { parseArgs } from "../../tools/plan/plan";
import { renderPlan, renderSummary } from "../../tools/plan/render";
import { stackModel } from "../../tools/plan/planModel";
import { summariseInputs } from "../../tools/plan/summarise";
import { nodeSteps } from "../../model/declare";
import { commandOf } from "../../lib/scripts";
import { stackConfig } from "../../tools/mock/stackConfig";
import { evaluated } from "../helpers/evaluations";
import { fixtureRoot, repoRoot } from "../helpers/fixture";

const model = () => stackModel("three-small", stackConfig("three-small", fixtureRoot, repoRoot), fixtureRoot);

describe("the plan of a stack", () => {
    test("groups every resource by the node the model puts it on", () => {
        const { plan } = evaluated("three-small");
        expect(plan.nodes).toEqual(["n1", "n2", "n3", "cluster"]);
        const node = (name: string) => plan.resources.find((r) => r.name === name)?.node;
        expect([node("parwop-n2-worker-container"), node("parwop-broker-container"), node("parwop-health-wait")]).toEqual([
            "n2",
            "n1",
            "n1",
        ]);
        expect([node("experiment-q1-r1-drop-n3"), node("experiment-q1-r1-run"), node("experiment-q1-r1-record")]).toEqual([
            "n3",
            "n1",
            "cluster",
        ]);
    });

    test("prints what is unknown before a deployment as unknown, not as made-up values", () => {
        const { plan } = evaluated("three-small");
        const worker = plan.resources.find((r) => r.name === "parwop-n2-worker-container")!;
        expect(worker.inputs.image).toBe("[unknown: output of parwop-n2-parwop-image]");
        const run = plan.resources.find((r) => r.name === "experiment-q1-r1-run")!;
        // the runner's drop time, and the run's identity (its trigger holds the cluster's identity)
        expect(run.inputs.create).toMatch(/^\[unknown: output of [^\]]*experiment-q1-r1-drop-n1[^\]]*\]$/);
        expect(run.inputs.create).toContain("parwop-coordinator-container");
        expect(run.inputs.stdin).toMatch(/^scripts\/run-query\.sh \+ scripts\/driver\.py \(\d+ lines, sha256 [0-9a-f]{12}\)$/);
    });

    test("shows a command as run on its node; the ssh options are the node's", () => {
        const { plan } = evaluated("three-small");
        expect(plan.resources.find((r) => r.name === "parwop-n2-preflight-check")!.inputs.create).toMatch(
            /^\[over ssh\] timeout -k 10 120 bash -s -- --node n2 /,
        );
    });

    test("names a command line and a stdin by the declared step only when they are what the program renders for it", () => {
        const r = evaluated("three-small").evaluation.resources.find((x) => x.name === "parwop-n2-preflight-check")!;
        const step = nodeSteps(model()).get(r.name)!;
        const shown = (inputs: Record<string, unknown>) =>
            summariseInputs({ ...r, inputs }, { projectRoot: repoRoot, refOf: (u) => u, step });
        expect(shown(r.inputs)).toMatchObject({
            create: `[over ssh] ${commandOf(step.step)}`,
            stdin: expect.stringMatching(/^scripts\/preflight\.sh \(\d+ lines, sha256 [0-9a-f]{12}\)$/),
        });
        // Another revision's line or script (plan --diff REV) shows as it is, never as this declaration's.
        expect(shown({ create: "ssh n2 true", stdin: "true\n" })).toEqual({
            create: "ssh n2 true",
            stdin: "text (1 lines, sha256 a17fcf0a2f50)",
        });
    });

    test("the summary is a page: a line per node and container, then the runs", () => {
        const { plan } = evaluated("three-small");
        const lines = renderSummary(plan, model()).trimEnd().split("\n");
        expect(lines[0]).toBe(`stack three-small: ${plan.resources.length} resources on 3 nodes, dependency depth ${plan.depth}`);
        expect(lines).toContain("  node n2: engine ssh://root@n2.test:22, 5 commands");
        expect(lines).toContain("    parwop-worker (image [unknown: output of parwop-n2-parwop-image], 2253 MiB, cpus 2.0, host network)");
        expect(lines).toContain(
            "  experiment: 2 runs on n1 (parwop-coordinator), a settle of 3 workers and a cache drop on 3 nodes before each:",
        );
        expect(lines.length).toBeLessThan(20);
    });

    test("the full plan lists every resource under its node", () => {
        const text = renderPlan(evaluated("three-small").plan);
        expect(text).toContain("== node n3 (");
        expect(text).toContain("  docker:index/container:Container parwop-n3-worker-container");
    });
});

describe("the command line", () => {
    test.each<[string[], object]>([
        [["s"], { stack: "s", view: "summary" }],
        [["s", "--json"], { stack: "s", view: "json" }],
        [["s", "--diff"], { stack: "s", diff: "HEAD" }],
        [["s", "--diff", "main~2", "--json"], { stack: "s", diff: "main~2", view: "json" }],
        [["s", "--against", "t", "--out", "f.json"], { stack: "s", against: "t", out: "f.json" }],
    ])("%j", (argv, expected) => {
        expect(parseArgs(argv, {})).toMatchObject(expected);
    });

    test.each<[string[], Record<string, string>, string]>([
        [["s", "--dif"], {}, "unknown option --dif"],
        [["s", "t"], {}, "one stack, not s t"],
        [[], {}, "name one stack"],
        [["s", "--against"], {}, "--against needs a stack name"],
        [["s", "--diff", "--against", "t"], {}, "--diff and --against do not go together"],
        // `npm run plan s --diff` without `--`: npm keeps the flag and sets npm_config_diff.
        [["s"], { npm_config_diff: "true" }, "--diff reached npm, not the tool: put -- before the tool's arguments"],
    ])("%j is an error", (argv, env, message) => {
        expect(() => parseArgs(argv, env)).toThrow(message);
    });
});
