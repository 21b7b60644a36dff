import * as fs from "fs";
import * as path from "path";
import { Evaluation, Registered } from "../../tools/mockrun";
import { evaluateStack, one } from "./harness";

const driver = fs.readFileSync(path.resolve(__dirname, "../../scripts/driver.py"), "utf8");
const workers8 = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => `worker-${i}`).join(",");
const named = (ev: Evaluation, re: RegExp) => ev.resources.filter((r) => re.test(r.name));
const dependsOn = (r: Registered, name: string) => r.dependencies.some((d) => d.endsWith(`::${name}`));

describe("lab-32_2 experiment (distributed, SQ1-SQ4 x 3)", () => {
    let ev: Evaluation;
    beforeAll(async () => {
        ev = await evaluateStack("lab-32_2");
    });

    test("12 runs, each after a cache drop on all 8 nodes, each recorded", () => {
        expect(named(ev, /-run$/)).toHaveLength(12);
        expect(named(ev, /-drop-node\d$/)).toHaveLength(96);
        expect(named(ev, /-record$/)).toHaveLength(12);
    });

    test("runs never overlap: drop(i) waits for run(i-1), run(i) waits for every drop(i)", () => {
        const order = ["sq1", "sq2", "sq3", "sq4"].flatMap((q) => [1, 2, 3].map((r) => `experiment-${q}-r${r}`));
        order.forEach((id, i) => {
            const run = one(ev, `${id}-run`);
            for (let n = 1; n <= 8; n++) {
                const drop = one(ev, `${id}-drop-node${n}`);
                expect(dependsOn(run, drop.name)).toBe(true);
                expect(dependsOn(drop, i === 0 ? "parwop-health-wait" : `${order[i - 1]}-run`)).toBe(true);
                expect(drop.inputs.create).toBe(`timeout -k 10 120 bash -s -- --node node${n}`);
            }
        });
    });

    test("the first run's command, rendered in full", () => {
        const run = one(ev, "experiment-sq1-r1-run");
        expect(run.inputs.create).toBe(
            "timeout -k 30 3660 docker exec -i -w /code parwop-coordinator timeout -k 30 3600 python -u - " +
                "--query SQ1 --partition-by SOURCE_POINT_NUMBER --order-by SENSOR_NUMBER --repetition 1 " +
                `--mode distributed --tier 32_2 --nodes ${workers8} --memory-limit 5000000 ` +
                "--coordinator http://node1.lab:8000 --max-threads 1 --read-only --cache-dropped-at 1700000001.000000000",
        );
        expect(run.inputs.stdin).toBe(driver);
        // --cache-dropped-at is node1's drop (the runner's own clock), from that drop's output.
        // The command SDK makes the whole connection a secret (it may hold a key).
        expect(run.inputs.connection).toBe("[secret]");
        expect(one(ev, "experiment-sq3-r2-run").inputs.create).toContain(
            "--partition-by CROSSLINE --order-by INLINE,DISTANCE --repetition 2",
        );
    });

    test("a run is recorded on this machine from its stdout, with provenance", () => {
        const record = one(ev, "experiment-sq2-r3-record");
        expect(record.type).toBe("command:local:Command");
        expect(record.inputs.create).toBe("node scripts/record-result.js results/lab-32_2");
        expect(dependsOn(record, "experiment-sq2-r3-run")).toBe(true);
        const provenance = JSON.parse((record.inputs.environment as Record<string, string>).PARWOP_PROVENANCE);
        expect(provenance).toMatchObject({ stack: "lab-32_2", tier: "32_2", environment: "lab", run_id: "1", nodes: workers8.split(",") });
        expect(provenance.config_hash).toMatch(/^[0-9a-f]{16}$/);
        // No commit in the inputs: a new commit must not re-record an old run under itself.
        expect(provenance.git_commit).toBeUndefined();
    });

    test("runs re-execute when the cluster, the experiment config or the run id change", () => {
        const triggers = one(ev, "experiment-sq1-r1-run").inputs.triggers as string[];
        expect(triggers).toContain("parwop-coordinator-container-id");
        expect(triggers).toContain("parwop-node8-worker-container-id");
        expect(triggers.some((t) => t.includes('"runId":1'))).toBe(true);
    });

    test("preflight on every node before anything is deployed there", () => {
        for (let n = 1; n <= 8; n++) {
            const check = one(ev, `parwop-node${n}-preflight-check`);
            expect(check.inputs.create).toBe(
                `timeout -k 10 120 bash -s -- --node node${n} --data-dir /data/hdd/experiments-parwop/parwop/data --code-dir /mnt/nfs/parwop --min-memory-bytes 32641751449 --min-cpus 2 --docker-host-check --stack lab-32_2 --containers ${n === 1 ? "parwop-worker,parwop-coordinator,parwop-rabbitmq" : "parwop-worker"}`,
            );
            expect(dependsOn(one(ev, `parwop-node${n}-worker`), check.name)).toBe(true);
            expect(dependsOn(one(ev, `parwop-node${n}-parwop`), check.name)).toBe(true);
        }
    });

    test("the health gate runs in the coordinator after every container, and names every worker", () => {
        const gate = one(ev, "parwop-health");
        expect(dependsOn(gate, "parwop-coordinator-container")).toBe(true);
        for (let n = 1; n <= 8; n++) expect(dependsOn(gate, `parwop-node${n}-worker-container`)).toBe(true);
        expect(one(ev, "parwop-health-wait").inputs.create).toBe(
            `timeout -k 30 390 docker exec -i -w /code parwop-coordinator timeout -k 30 330 python -u - --url http://127.0.0.1:8000 --workers ${workers8} --timeout 300 --max-age 60 --interval 2 --since-start`,
        );
    });
});

describe("experiment settings", () => {
    test.each([
        ["32_2", 5000000],
        ["64_4", 10000000],
        ["128_8", 20000000],
        ["128_16", 20000000],
    ])("tier %s: every run carries its records limit", async (tier, records) => {
        const ev = await evaluateStack(`lab-${tier}`);
        for (const run of named(ev, /-run$/)) {
            expect(run.inputs.create).toContain(`--tier ${tier} --nodes ${workers8} --memory-limit ${records} `);
        }
    });

    test("local mode runs on the chosen worker's node, in its container, on its own data", async () => {
        const ev = await evaluateStack("lab-64_4", {
            "parwop:experiment": JSON.stringify({ mode: "local", localWorker: "worker-3", repetitions: 1 }),
        });
        const run = one(ev, "experiment-sq4-r1-run");
        expect(run.inputs.create).toBe(
            "timeout -k 30 3660 docker exec -i -w /code parwop-worker timeout -k 30 3600 python -u - --query SQ4 --partition-by INLINE,CROSSLINE " +
                "--order-by DISTANCE --repetition 1 --mode local --tier 64_4 --nodes worker-3 --memory-limit 10000000 " +
                "--coordinator http://node1.lab:8000 --max-threads 1 --read-only --cache-dropped-at 1700000003.000000000",
        );
    });

    test("warm-ups run first and are not recorded; without cache drops runs chain directly", async () => {
        const ev = await evaluateStack("lab-32_2", {
            "parwop:experiment": JSON.stringify({
                warmups: 1,
                repetitions: 1,
                dropCaches: false,
                queries: [{ name: "Q", partitionBy: ["A"], orderBy: ["B"] }],
            }),
        });
        expect(named(ev, /-drop-/)).toEqual([]);
        expect(one(ev, "experiment-q-w1-run").inputs.create).toContain("--repetition 1 --warmup --mode");
        expect(named(ev, /-record$/).map((r) => r.name)).toEqual(["experiment-q-r1-record"]);
        expect(dependsOn(one(ev, "experiment-q-r1-run"), "experiment-q-w1-run")).toBe(true);
        expect(dependsOn(one(ev, "experiment-q-w1-run"), "parwop-health-wait")).toBe(true);
    });

    test("enabled: false provisions the cluster and runs nothing", async () => {
        const ev = await evaluateStack("lab-32_2", { "parwop:experiment": JSON.stringify({ enabled: false }) });
        expect(named(ev, /^experiment-/)).toEqual([]);
        expect(named(ev, /-preflight-check$/)).toHaveLength(8);
        expect(ev.outputs.results).toEqual([]);
    });

    test("an SSH key from config never shows in what is registered", async () => {
        const ev = await evaluateStack("lab-32_2", { "parwop:sshPrivateKey": "-----BEGIN OPENSSH PRIVATE KEY-----xyz" });
        expect(one(ev, "parwop-node2-preflight-check").inputs.connection).toBe("[secret]");
        expect(JSON.stringify(ev)).not.toContain("BEGIN OPENSSH");
    });
});
