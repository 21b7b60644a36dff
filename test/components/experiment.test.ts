import { Cluster } from "../../components/cluster";
import { Experiment } from "../../components/experiment";
import { digestOf } from "../../model/digest";
import { dropCachesStep, runStep } from "../../lib/scripts";
import { runNames, serviceNames } from "../../model/names";
import { settleStep } from "../../model/steps";
import { fixtureDeclaration, fixtureSettings } from "../helpers/fixture";
import { mockStack, named, providerName, Recorder, waitsFor } from "../helpers/mocks";

const stack = "three-small";
const settings = fixtureSettings(stack, {
    "parwop:experiment": JSON.stringify({
        mode: "distributed",
        repetitions: 2,
        warmups: 1,
        queries: [
            { name: "Q1", partitionBy: ["A"], orderBy: ["B"] },
            { name: "Q2", partitionBy: ["B", "C"], orderBy: ["A"] },
        ],
        runTimeoutSeconds: 600,
    }),
});
const declared = fixtureDeclaration(stack, settings);
const where = declared.placement;
const runs = declared.runs;
const names = (id: string) => runNames("experiment", id);
/** The same runs after an up whose q1-r1 attempt 1 left no record (model/attempts.ts). */
const retried = fixtureDeclaration(stack, settings, { attempts: { started: [{ run_key: runs[1].key, attempt: 1 }], recorded: [] } }).runs;
const retryNames = (id: string) => runNames("retry", id);
/** A JSON environment variable of a recorded command, parsed. */
const envJson = (r: ReturnType<typeof named>, key: string) => JSON.parse((r.inputs.environment as Record<string, string>)[key]) as unknown;
/** What the attempt note of q1-r1 says (PARWOP_ATTEMPT). */
const noteOf = (attempt: number) => ({ stack, run: "q1-r1", run_id: "1", run_key: runs[1].key, attempt });
const health = `${serviceNames("parwop").health}-wait`;
/** A drop's output names its node's clock: node i dropped at 1700000000 + i. */
const dropAt = (node: string) => 1700000000 + where.nodes.findIndex((n) => n.name === node) + 1;

let rec: Recorder;
beforeAll(async () => {
    const drops = new Map(runs.flatMap((r) => r.drops.map((n) => [names(r.id).drop(n.name), n.name] as const)));
    rec = await mockStack(stack, (type, name) => {
        if (type.includes("RemoteImage")) return { imageId: `sha256:${name}` };
        if (type.includes("RandomPassword")) return { result: "generated" };
        const node = drops.get(name);
        return { stdout: node ? `drop-caches ${node}: Cached 2 -> 1 kB at ${dropAt(node)}.000000000` : `{"name":"${name}"}` };
    });
    const cluster = new Cluster("parwop", { declaration: declared });
    new Experiment("experiment", {
        cluster,
        runs,
        runnerNode: declared.runnerNode,
        provenance: { stack, run_id: "1" },
        rerunOnRedeploy: true,
        resultsDir: "results/three-small",
        projectRoot: "/project",
    });
    new Experiment("retry", {
        cluster,
        runs: retried,
        runnerNode: declared.runnerNode,
        provenance: { stack, run_id: "1" },
        rerunOnRedeploy: true,
        resultsDir: "results/three-small",
        projectRoot: "/project",
    });
    await rec.settle();
});

describe("Experiment", () => {
    test("per run: (unless a warm-up) its attempt noted, a drop on every node, the run, (unless a warm-up) its record", () => {
        const commands = rec.resources.filter((r) => r.name.startsWith("experiment-") && r.type.startsWith("command:")).map((r) => r.name);
        const expected = runs.flatMap((r) => [
            ...(r.warmup ? [] : [names(r.id).attempt]),
            ...where.nodes.map((n) => names(r.id).settle(n.name)),
            ...where.nodes.map((n) => names(r.id).drop(n.name)),
            names(r.id).run,
            ...(r.warmup ? [] : [names(r.id).record]),
        ]);
        expect(commands.sort()).toEqual(expected.sort());
    });

    test("runs never overlap: a run waits for its drops, the drops for every settle, those for its attempt, the next attempt for the run", () => {
        runs.forEach((r, i) => {
            const before = i === 0 ? health : names(runs[i - 1].id).run;
            if (!r.warmup) expect(waitsFor(named(rec, names(r.id).attempt), before)).toBe(true);
            for (const node of where.nodes) {
                expect(waitsFor(named(rec, names(r.id).settle(node.name)), r.warmup ? before : names(r.id).attempt)).toBe(true);
                for (const other of where.nodes)
                    expect(waitsFor(named(rec, names(r.id).drop(node.name)), names(r.id).settle(other.name))).toBe(true);
                expect(waitsFor(named(rec, names(r.id).run), names(r.id).drop(node.name))).toBe(true);
            }
        });
    });

    test("a run goes to the runner's node and carries that node's drop time (its own clock)", () => {
        const run = named(rec, names("q2-r2").run);
        expect(String(run.inputs.create)).toContain(`root@${where.runner.node.host} `);
        expect(String(run.inputs.create)).toContain(`--cache-dropped-at ${dropAt(where.runner.node.name)}.000000000`);
        // A warm-up measures nothing: it may follow an earlier attempt without fresh drops.
        expect(String(named(rec, names("q2-w1").run).inputs.create)).not.toContain("--cache-dropped-at");
    });

    test("run, settle, drop and record command lines", () => {
        const first = runs[1];
        expect({
            settle: named(rec, names(first.id).settle("n2")).inputs.create,
            drop: named(rec, names(first.id).drop("n2")).inputs.create,
            run: named(rec, names(first.id).run).inputs.create,
            record: named(rec, names(first.id).record).inputs.create,
        }).toMatchSnapshot();
    });

    test("each run's triggers are its own named fields plus the cluster's identity", () => {
        const [trigger] = named(rec, names("q1-r2").run).inputs.triggers as Record<string, unknown>[];
        expect(trigger).toEqual({ ...runs.find((r) => r.id === "q1-r2")!.trigger, cluster: expect.stringMatching(/^[0-9a-f]{16}$/) });
        // Drops carry the run trigger's digest (N drops per run must not carry N worker ids each).
        for (const node of where.nodes) {
            expect(named(rec, names("q1-r2").drop(node.name)).inputs.triggers).toEqual([
                { run: "q1-r2", runId: "1", runTrigger: digestOf(trigger) },
            ]);
        }
        expect(named(rec, names("q1-r2").record).inputs.triggers).toEqual([trigger]);
    });

    test("a run is recorded on this machine from its output, with the cluster's facts in its provenance", () => {
        const record = named(rec, names("q2-r1").record);
        expect(record.inputs).toMatchObject({ dir: "/project", stdin: `{"name":"${names("q2-r1").run}"}` });
        expect(envJson(record, "PARWOP_PROVENANCE")).toEqual({
            stack,
            run_id: "1",
            cluster_identity: expect.stringMatching(/^[0-9a-f]{16}$/),
            source_digest: "prebuilt:parwop:test",
            image_id: `sha256:parwop-${where.runner.node.name}-parwop-image`,
            config_hash: runs.find((r) => r.id === "q2-r1")!.configHash,
            run_key: runs.find((r) => r.id === "q2-r1")!.key,
            attempt: 1,
        });
        expect(providerName(record)).toBe("parwop-command");
    });

    test("an attempt is noted on this machine before its drops, naming the run's key", () => {
        const attempt = named(rec, names("q1-r1").attempt);
        expect(attempt.inputs).toMatchObject({ create: "node scripts/record-attempt.js results/three-small", dir: "/project" });
        expect(envJson(attempt, "PARWOP_ATTEMPT")).toEqual(noteOf(1));
    });

    test("a retry of an attempt that left no record carries attempt 2 in its triggers: its drops on every node run again", () => {
        const first = (n: (id: string) => ReturnType<typeof names>, id: string) => ({
            run: (named(rec, n(id).run).inputs.triggers as Record<string, unknown>[])[0],
            drops: where.nodes.map((node) => named(rec, n(id).drop(node.name)).inputs.triggers),
        });
        const before = first(names, "q1-r1");
        const after = first(retryNames, "q1-r1");
        expect(after.run).toEqual({ ...before.run, attempt: 2 });
        after.drops.forEach((t, i) => expect(t).not.toEqual(before.drops[i]));
        expect(envJson(named(rec, retryNames("q1-r1").attempt), "PARWOP_ATTEMPT")).toEqual(noteOf(2));
        expect(envJson(named(rec, retryNames("q1-r1").record), "PARWOP_PROVENANCE")).toMatchObject({ attempt: 2 });
        // the other runs are untouched
        expect(first(retryNames, "q1-r2")).toEqual(first(names, "q1-r2"));
    });

    test("every command has a bound longer than its node-side timeout", () => {
        // The node step's own bound (the scripts' timeouts) plus 30 s for the ssh session around it.
        const run = `${runStep({ container: "c", seconds: 600, query: "Q1", repetition: 1, driver: {} }).nodeSeconds + 30}s`;
        expect(named(rec, names("q1-r1").run).customTimeouts).toEqual({ create: run, update: run, delete: run });
        expect(named(rec, names("q1-r1").drop("n1")).customTimeouts?.create).toBe(`${dropCachesStep("n1").nodeSeconds + 30}s`);
        const settle = settleStep(where.nodes[0], where.coordinator.url, stack);
        expect(named(rec, names("q1-r1").settle("n1")).customTimeouts?.create).toBe(`${settle.budget.nodeSeconds + 30}s`);
        expect(named(rec, names("q1-r1").record).customTimeouts?.create).toBe("2m");
    });
});
