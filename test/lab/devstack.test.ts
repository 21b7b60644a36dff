/**
 * The dev stack as the program declares it, on the real Docker engine: its broker, coordinator
 * and workers are created from the container inputs index.ts registers (read through mocks, not
 * re-typed), and its command resources' create lines and stdin run as the command provider
 * would run them locally. Only what cannot exist here is mapped: the PARWOP image and code
 * (the stand-in's), the dataset dirs (the lab's fixture data) and the broker image (the lab's).
 */
import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, symlinkSync } from "fs";
import { createServer } from "net";
import { tmpdir } from "os";
import { join } from "path";
import { dropTime } from "../../lib/stepOutputs";
import { Evaluation, Registered } from "../../tools/mockrun";
import { evaluateStack, one } from "./program";
import { DeclaredContainer } from "./declared";
import { adminPassword, docker, images, labDir, logsOf, removeContainers, repoRoot, requireLab, startDeclared, waitFor } from "./lab";
import { standinCode } from "./standin";

// The dev environment's paths (envs/dev.yaml) and what stands for them in the lab; longest first.
const pathMap: [string, string][] = [
    ["/opt/parwop-data/worker-1", join(labDir, "data", "worker-1")],
    ["/opt/parwop-data/worker-2", join(labDir, "data", "worker-2")],
    ["/opt/parwop", standinCode],
];
const mapPaths = (text: string) => pathMap.reduce((t, [from, to]) => t.split(from).join(to), text);

function asDeclared(r: Registered): DeclaredContainer {
    const c = JSON.parse(mapPaths(JSON.stringify(r.inputs))) as DeclaredContainer;
    c.image = r.name.includes("broker") ? images.rabbitmq : images.standin;
    return c;
}

/** Runs a command resource's create line the way command:local:Command does: bash -c, stdin fed. */
function runCommand(r: Registered, cwd = repoRoot, env: Record<string, string> = {}) {
    const create = mapPaths(String(r.inputs.create));
    const result = spawnSync("/bin/bash", ["-c", create], {
        input: typeof r.inputs.stdin === "string" ? r.inputs.stdin : "",
        cwd,
        env: { ...process.env, ...env },
        encoding: "utf8",
        timeout: 300_000,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function portFree(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const s = createServer();
        s.once("error", () => resolve(false));
        s.listen(port, "0.0.0.0", () => s.close(() => resolve(true)));
    });
}

/**
 * The outputs providers would have returned in a deployment (a plain evaluation is a preview,
 * where the admin password, the image ID and each step's stdout are unknown): a drop's stdout
 * carries a placeholder time, which the test replaces with the time of its real drop.
 */
const deployed = (type: string, name: string): Record<string, unknown> => {
    if (type === "random:index/randomPassword:RandomPassword") return { result: adminPassword };
    if (type === "docker:index/remoteImage:RemoteImage") return { imageId: `sha256:${"0".repeat(64)}` };
    if (type.startsWith("command:"))
        return { stdout: name.includes("-drop-") ? "drop-caches node: Cached 2 -> 1 kB at 1.5" : "", stderr: "" };
    return {};
};

describe("dev stack, as declared, on the real engine", () => {
    let ev: Evaluation;
    let names: string[];
    const workerNames = ["parwop-dev-1-worker-container", "parwop-dev-2-worker-container"];

    beforeAll(async () => {
        requireLab();
        ev = await evaluateStack("dev", {}, { revealSecrets: true, fakeOutputs: deployed });
        for (const port of [5672, 15672, 8000, 8001, 8002]) {
            if (!(await portFree(port))) throw new Error(`port ${port} is busy: the dev stack's declared ports must be free for this test`);
        }
        names = ["parwop-broker-container", "parwop-coordinator-container", ...workerNames].map((n) => String(one(ev, n).inputs.name));
        await removeContainers(...names);
    });

    afterAll(async () => {
        if (names) await removeContainers(...names);
    });

    test("preflight passes on this machine for both dev nodes", () => {
        for (const node of ["dev-1", "dev-2"]) {
            const r = runCommand(one(ev, `parwop-${node}-preflight-check`));
            expect(r.stderr).toBe("");
            expect(r.stdout).toMatch(new RegExp(`^preflight ${node}: ok`));
            expect(r.code).toBe(0);
        }
    });

    test("the declared broker starts healthy with the program's files", async () => {
        const broker = asDeclared(one(ev, "parwop-broker-container"));
        expect(broker.uploads?.map((u) => u.file).sort()).toEqual([
            "/etc/rabbitmq/conf.d/20-parwop.conf",
            "/etc/rabbitmq/parwop-definitions.json",
        ]);
        await startDeclared(broker);
        // What the provider's `wait: true` does: the container's own healthcheck must pass.
        await waitFor("broker healthy", 120_000, async () => {
            const status = (await docker("inspect", "-f", "{{.State.Health.Status}}", broker.name)).trim();
            if (status === "unhealthy") throw new Error(await logsOf(broker.name));
            return status === "healthy" ? true : undefined;
        });
    });

    test("the declared coordinator and workers start, and the health gate passes", async () => {
        for (const name of ["parwop-coordinator-container", ...workerNames]) {
            const c = asDeclared(one(ev, name));
            expect(c).toMatchObject({ networkMode: "host", memory: 1127, memorySwap: 1127, cpus: "1.0", user: "root" });
            await startDeclared(c);
        }
        const gate = runCommand(one(ev, "parwop-health-wait"));
        expect(gate.code).toBe(0);
        const verdict = JSON.parse(gate.stdout.trim());
        expect(verdict.ok).toBe(true);
        expect(Object.keys(verdict.workers).sort()).toEqual(["worker-1", "worker-2"]);
    });

    test("another stack's preflight on the same node names the running dev containers as dev's", () => {
        const check = one(ev, "parwop-dev-1-preflight-check");
        const other = {
            ...check,
            inputs: { ...check.inputs, create: String(check.inputs.create).replace("--stack dev ", "--stack lab-32_2 ") },
        };
        const r = runCommand(other);
        expect(r.code).toBe(1);
        expect(r.stderr.trim().split("\n")).toEqual(
            ["parwop-worker-1", "parwop-coordinator", "parwop-rabbitmq"].map(
                (name) => `preflight dev-1: container ${name} belongs to stack dev: run pulumi destroy -s dev before deploying lab-32_2`,
            ),
        );
    });

    test("cache drops, then the distributed run prints its JSON line, and the record lands in results/dev", () => {
        const dropped: Record<string, string> = {};
        for (const node of ["dev-1", "dev-2"]) {
            const drop = runCommand(one(ev, `experiment-sq1-r1-drop-${node}`));
            expect(drop.code).toBe(0);
            expect(drop.stdout).toMatch(new RegExp(`^drop-caches ${node}: Cached \\d+ -> \\d+ kB at \\d+\\.\\d+`));
            dropped[node] = dropTime(drop.stdout);
        }
        // The program renders the run from the runner node's drop output: here the real one.
        const declared = one(ev, "experiment-sq1-r1-run");
        const mockTime = /--cache-dropped-at (\S+)/.exec(String(declared.inputs.create))![1];
        const runDecl = {
            ...declared,
            inputs: { ...declared.inputs, create: String(declared.inputs.create).replace(mockTime, dropped["dev-1"]) },
        };
        const run = runCommand(runDecl);
        expect(run.code).toBe(0);
        const line = JSON.parse(run.stdout.trim());
        // Only what the run measured: the program adds tier, mode and the rest when recording it.
        expect(line).toMatchObject({ query: "SQ1", repetition: 1, workers: ["worker-1", "worker-2"], memory_limit_records: 100000 });
        // read_only (the study's default) ships nothing back, as in PARWOP: the figure is the time.
        expect(line.rows).toBe(0);
        expect(line.wall_seconds).toBeGreaterThan(0);

        // The record command runs in the project dir; here a scratch one, so no real results are touched.
        const record = one(ev, "experiment-sq1-r1-record");
        const scratch = mkdtempSync(join(tmpdir(), "parwop-devstack-"));
        symlinkSync(join(repoRoot, "scripts"), join(scratch, "scripts"));
        const recorded = runCommand(
            { ...record, inputs: { ...record.inputs, stdin: run.stdout } },
            scratch,
            record.inputs.environment as Record<string, string>,
        );
        expect(recorded.stderr).toBe("");
        expect(recorded.code).toBe(0);
        const rows = readFileSync(join(scratch, "results", "dev", "runs.jsonl"), "utf8")
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l));
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ stack: "dev", tier: "dev", mode: "distributed", query: "SQ1", run_id: "1" });
        expect(existsSync(join(scratch, "results", "dev", "runs.csv"))).toBe(true);

        // What a retry after a failed run would do: the same run again, behind the same drops.
        const retry = runCommand(runDecl);
        expect(retry.code).toBe(1);
        expect(retry.stdout).toBe("");
        expect(retry.stderr).toMatch(
            /^run SQ1 rep 1 refused: the page cache was last dropped at [\d.]+, before the last attempt at [\d.]+/m,
        );
    });

    test("with a worker stopped, the health gate fails naming it", async () => {
        const quick = await evaluateStack(
            "dev",
            { "parwop:healthGate": JSON.stringify({ timeoutSeconds: 30, maxHeartbeatAgeSeconds: 30 }) },
            { fakeOutputs: deployed },
        );
        await docker("stop", "-t", "1", String(one(ev, "parwop-dev-2-worker-container").inputs.name));
        // Its last beat is recent, but the gate counts only beats stamped after it started.
        const gate = runCommand(one(quick, "parwop-health-wait"));
        expect(gate.code).not.toBe(0);
        expect(gate.stdout).toBe("");
        expect(gate.stderr).toMatch(
            /health gate: workers missing or stale after \d+s: worker-2 \(no heartbeat since the gate started; last \d+s ago\)/,
        );
        expect(gate.stderr).not.toMatch(/worker-1/);
    });
});
