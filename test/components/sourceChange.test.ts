/**
 * A PARWOP source change, end to end under mocks: the same stack deployed twice from one build
 * context, the second time after a source file changed. The image rebuilds, its new ID replaces
 * the containers, every run runs again, and the new runs are recorded beside the old ones by the
 * record commands themselves (scripts/record-result.js run as the command provider runs them),
 * each line naming the source it measured.
 */
import { spawnSync } from "child_process";
import { createHash, randomUUID } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { scriptDigests } from "../../lib/scripts";
import { sourceHash } from "../../lib/sourceHash";
import { clusterName, experimentName, nodeNames, runNames, serviceNames } from "../../model/names";
import { waitForRegistrations } from "../../tools/mock/sdk";
import { fixtureDeclaration, fixtureRoot, fixtureSettings, repoRoot } from "../helpers/fixture";

const stack = "three-small";
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** A resource as the mock monitor was asked to create it. */
interface Made {
    type: string;
    name: string;
    id: string;
    inputs: Record<string, unknown>;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "parwop-source-change-"));
const context = path.join(tmp, "parwop");
const resultsDir = path.join(tmp, "results", stack);
fs.mkdirSync(path.join(context, "parwop"), { recursive: true });
fs.writeFileSync(path.join(context, "Dockerfile"), "FROM python:3.11-slim\nCOPY . /code\n");
fs.writeFileSync(path.join(context, "parwop", "engine.py"), "BATCH = 1000\n");

const env = parse(fs.readFileSync(path.join(fixtureRoot, "envs", "three.yaml"), "utf8")) as { image: Record<string, unknown> };
const settings = fixtureSettings(
    stack,
    {},
    { "envs/three.yaml": stringify({ ...env, image: { ...env.image, build: { context, dockerfile: "Dockerfile" } } }) },
);
const scripts = scriptDigests();
const declared = fixtureDeclaration(stack, settings, { scripts });
const where = declared.placement;
const runs = declared.runs;
const names = (id: string) => runNames(experimentName, id);
const svc = serviceNames(clusterName);
const runsByName = new Map(runs.map((r) => [names(r.id).run, r]));

/**
 * What the engines would answer, derived from the inputs as docker derives it: a build's image ID
 * follows its context, a container's ID follows its image (a new image means a new container), and
 * a run prints one driver line of a new execution.
 */
function fake(type: string, name: string, inputs: Record<string, unknown>): { id: string; outputs: Record<string, unknown> } {
    if (type === "docker:index/remoteImage:RemoteImage") {
        // Pulled (the broker's): its ID follows its name.
        const built = (inputs.triggers as { sourceHash?: string } | undefined)?.sourceHash ?? String(inputs.name);
        return { id: `${name}-id`, outputs: { imageId: `sha256:${sha256(built)}` } };
    }
    if (type === "docker:index/container:Container") return { id: sha256(`${name}\n${String(inputs.image)}`), outputs: {} };
    if (type === "random:index/randomPassword:RandomPassword") return { id: `${name}-id`, outputs: { result: "generated" } };
    const run = runsByName.get(name);
    const drop = /-drop-(\w+)$/.exec(name)?.[1];
    const stdout = run
        ? JSON.stringify({
              query: run.query.name,
              repetition: run.repetition,
              warmup: run.warmup,
              execution_id: randomUUID(),
              workers: run.trigger.workers,
              memory_limit_records: run.trigger.memoryLimitRecords,
              wall_seconds: 12.5,
              batches: 0,
              rows: 0,
              started_at: "2025-01-01T00:00:00.000Z",
              ended_at: "2025-01-01T00:00:12.500Z",
              records: 40000,
          })
        : drop
          ? `drop-caches ${drop}: Cached 2 -> 1 kB at 1700000000.000000000`
          : "";
    return { id: `${name}-id`, outputs: { stdout } };
}

/** The program's Cluster and Experiment on the build context as it is now, in a runtime of their own. */
async function deploy(): Promise<Made[]> {
    const made: Made[] = [];
    await jest.isolateModulesAsync(async () => {
        const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
        await pulumi.runtime.setMocks(
            {
                newResource: ({ type, name, inputs }) => {
                    const { id, outputs } = fake(type, name, inputs);
                    made.push({ type, name, id, inputs });
                    return { id, state: { ...inputs, ...outputs } };
                },
                call: (args) => args.inputs,
            },
            "parwop",
            stack,
            false,
        );
        const { Cluster, Experiment } = require("../../components") as typeof import("../../components");
        const cluster = new Cluster(clusterName, { declaration: declared });
        new Experiment(experimentName, {
            cluster,
            runs,
            runnerNode: declared.runnerNode,
            provenance: declared.provenance,
            rerunOnRedeploy: settings.experiment.rerunOnRedeploy,
            resultsDir,
            projectRoot: repoRoot,
        });
        // Registrations chain on each other's outputs: wait for the last of them.
        await waitForRegistrations();
    });
    return made;
}

const one = (made: Made[], name: string) => {
    const found = made.filter((m) => m.name === name);
    if (found.length !== 1) throw new Error(`expected one resource named ${name}, found ${found.length}`);
    return found[0];
};
const ofType = (made: Made[], type: string) => made.filter((m) => m.type === type).sort((a, b) => a.name.localeCompare(b.name));
/** The PARWOP images, one per node (the broker's image is pulled, not built). */
const parwopImages = (made: Made[]) => ofType(made, "docker:index/remoteImage:RemoteImage").filter((i) => i.inputs.build !== undefined);
const provenanceOf = (record: Made) =>
    JSON.parse((record.inputs.environment as Record<string, string>).PARWOP_PROVENANCE) as Record<string, unknown>;

/** A record command run as the command provider runs it: /bin/sh -c, in its dir, its environment added, its stdin. */
function runRecord(record: Made) {
    const { create, dir, environment, stdin } = record.inputs as {
        create: string;
        dir: string;
        environment: Record<string, string>;
        stdin: string;
    };
    return spawnSync("/bin/sh", ["-c", create], { cwd: dir, env: { ...process.env, ...environment }, input: stdin, encoding: "utf8" });
}

let before: Made[];
let after: Made[];
/** The context's digest (lib/sourceHash.ts) before and after the edit. */
const digests = { before: "", after: "" };
beforeAll(async () => {
    digests.before = sourceHash(context)!;
    before = await deploy();
    fs.writeFileSync(path.join(context, "parwop", "engine.py"), "BATCH = 2000\n");
    digests.after = sourceHash(context)!;
    after = await deploy();
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("a PARWOP source change", () => {
    test("every node's image is built from the new source: its triggers.sourceHash is the context's new digest", () => {
        expect(digests.before).toMatch(/^[0-9a-f]{64}$/);
        expect(digests.after).toMatch(/^[0-9a-f]{64}$/);
        expect(digests.after).not.toBe(digests.before);
        const images = parwopImages;
        expect(images(after).map((i) => i.name)).toEqual(images(before).map((i) => i.name));
        expect(images(after)).toHaveLength(where.nodes.length);
        for (const [made, digest] of [
            [before, digests.before],
            [after, digests.after],
        ] as const) {
            for (const image of images(made)) {
                // The classic builder: the provider's buildx path builds nothing over ssh:// (seen on the lab through the real engine).
                expect(image.inputs).toMatchObject({
                    build: { context, dockerfile: "Dockerfile", useLegacyBuilder: true },
                    triggers: { sourceHash: digest },
                });
            }
        }
    });

    test("every PARWOP container gets the rebuilt image, so a new container ID; the broker keeps its own", () => {
        const containers = (made: Made[]) => new Map(ofType(made, "docker:index/container:Container").map((c) => [c.name, c]));
        const [old, rebuilt] = [containers(before), containers(after)];
        expect([...rebuilt.keys()]).toEqual([...old.keys()]);
        const parwop = [svc.coordinator, ...where.nodes.map((n) => nodeNames(clusterName, n.name).worker)].map((c) => `${c}-container`);
        for (const name of parwop) {
            expect(rebuilt.get(name)!.inputs.image).toBe(`sha256:${sha256(digests.after)}`);
            expect(old.get(name)!.inputs.image).toBe(`sha256:${sha256(digests.before)}`);
            expect(rebuilt.get(name)!.id).not.toBe(old.get(name)!.id);
        }
        const broker = `${svc.broker}-container`;
        expect([...rebuilt.keys()].sort()).toEqual([...parwop, broker].sort());
        expect(rebuilt.get(broker)!.id).toBe(old.get(broker)!.id);
    });

    test("every run runs again, for that reason only: its trigger's cluster identity changed, nothing else", () => {
        expect(runs.length).toBeGreaterThan(0);
        for (const run of runs) {
            const [was] = one(before, names(run.id).run).inputs.triggers as Record<string, unknown>[];
            const [now] = one(after, names(run.id).run).inputs.triggers as Record<string, unknown>[];
            expect(now.cluster).toMatch(/^[0-9a-f]{16}$/);
            expect(now.cluster).not.toBe(was.cluster);
            expect({ ...now, cluster: undefined }).toEqual({ ...was, cluster: undefined });
            // Its drops and its record go with it.
            for (const node of run.drops) {
                expect(one(after, names(run.id).drop(node.name)).inputs.triggers).not.toEqual(
                    one(before, names(run.id).drop(node.name)).inputs.triggers,
                );
            }
            if (!run.warmup) expect(one(after, names(run.id).record).inputs.triggers).toEqual([now]);
        }
    });

    test("each record command's provenance names the source digest and image it measured", () => {
        for (const run of runs.filter((r) => !r.warmup)) {
            const was = provenanceOf(one(before, names(run.id).record));
            const now = provenanceOf(one(after, names(run.id).record));
            expect(was).toMatchObject({ source_digest: digests.before, image_id: `sha256:${sha256(digests.before)}` });
            expect(now).toMatchObject({ source_digest: digests.after, image_id: `sha256:${sha256(digests.after)}` });
            expect(now.cluster_identity).not.toBe(was.cluster_identity);
            // What the config says is the same: only the deployed facts moved.
            const deployed = { cluster_identity: undefined, source_digest: undefined, image_id: undefined };
            expect({ ...now, ...deployed }).toEqual({ ...was, ...deployed });
        }
    });

    test("recorded through scripts/record-result.js, the new run is a second line and the old one stays as it was", () => {
        const run = runs.find((r) => !r.warmup)!;
        const jsonl = path.join(resultsDir, "runs.jsonl");
        const first = runRecord(one(before, names(run.id).record));
        expect({ status: first.status, stderr: first.stderr }).toEqual({ status: 0, stderr: "" });
        const old = fs.readFileSync(jsonl, "utf8");
        const second = runRecord(one(after, names(run.id).record));
        expect({ status: second.status, stderr: second.stderr }).toEqual({ status: 0, stderr: "" });

        const text = fs.readFileSync(jsonl, "utf8");
        expect(text.startsWith(old)).toBe(true);
        const lines = text
            .trimEnd()
            .split("\n")
            .map((l) => JSON.parse(l) as Record<string, unknown>);
        const executions = [before, after].map(
            (m) => (JSON.parse(one(m, names(run.id).record).inputs.stdin as string) as { execution_id: string }).execution_id,
        );
        expect(executions[0]).not.toBe(executions[1]);
        expect(lines).toEqual([
            expect.objectContaining({
                query: run.query.name,
                repetition: run.repetition,
                execution_id: executions[0],
                source_digest: digests.before,
            }),
            expect.objectContaining({
                query: run.query.name,
                repetition: run.repetition,
                execution_id: executions[1],
                source_digest: digests.after,
            }),
        ]);
    });
});
