import type { Plan } from "../../tools/planModel";
import { problems, runPlan } from "./project";

/** The lines of one resource's block in the text plan (its header to the next header). */
function block(text: string, name: string): string[] {
    const lines = text.split("\n");
    const start = lines.findIndex((l) => / \S+ (\S+)$/.exec(l)?.[1] === name && l.startsWith("  ") && !l.startsWith("   "));
    if (start === -1) throw new Error(`no block for ${name}`);
    const end = lines.findIndex((l, i) => i > start && (/^  \S/.test(l) || l.startsWith("==") || l === ""));
    return lines.slice(start, end === -1 ? undefined : end);
}

describe("npm run plan -- dev", () => {
    const text = runPlan(["dev"]);
    const json = runPlan(["dev", "--json"]);

    it("succeeds with nothing but Pulumi warnings on stderr", () => {
        expect(text.code).toBe(0);
        expect(problems(text.stderr)).toEqual([]);
        expect(text.stdout.split("\n")[0]).toBe("stack dev: 29 resources on 2 nodes, dependency depth 15");
    });

    it("puts each worker container under its node, on that node's docker provider, with the dev tier's limits", () => {
        for (const [node, worker] of [
            ["dev-1", "1"],
            ["dev-2", "2"],
        ]) {
            const section = text.stdout.slice(text.stdout.indexOf(`== node ${node} (`));
            const lines = block(section, `parwop-${node}-worker-container`);
            expect(lines[0]).toBe(`  docker:index/container:Container parwop-${node}-worker-container`);
            expect(lines[1]).toBe(`      provider parwop-${node}-docker, parent parwop-${node}-worker, depth 10`);
            expect(lines).toEqual(
                expect.arrayContaining([
                    `      after: parwop-${node}-parwop-image`,
                    `      image: "[imageId of parwop-${node}-parwop-image]"`,
                    "      memory: 1127 MiB",
                    "      memorySwap: 1127 MiB",
                    '      cpus: "1.0"',
                    `      envs[0]: "NODE_ID=worker-${worker}"`,
                    `      volumes[1].hostPath: "/opt/parwop-data/worker-${worker}"`,
                    '      networkMode: "host"',
                    '      labels[2].value: "dev"',
                    '      restart: "unless-stopped"',
                ]),
            );
        }
    });

    it("summarises a command's script and names the output another command's stdin comes from", () => {
        const run = block(text.stdout, "experiment-sq1-r1-run");
        expect(run.find((l) => l.includes("stdin:"))).toMatch(/^      stdin: "scripts\/driver\.py \(\d+ lines, sha256 [0-9a-f]{12}\)"$/);
        expect(run).toContain(
            '      create: "timeout -k 30 3660 docker exec -i -w /code parwop-coordinator timeout -k 30 3600 python -u - --query SQ1 --partition-by SOURCE_POINT_NUMBER --order-by SENSOR_NUMBER --repetition 1 --mode distributed --tier dev --nodes worker-1,worker-2 --memory-limit 100000 --coordinator http://localhost:8000 --max-threads 1 --read-only --cache-dropped-at 1700000001.000000000"',
        );
        expect(block(text.stdout, "experiment-sq1-r1-record")).toContain('      stdin: "[output of experiment-sq1-r1-run]"');
    });

    it("prints the same model as JSON", () => {
        expect(json.code).toBe(0);
        const plan = JSON.parse(json.stdout) as Plan;
        expect(plan.nodes).toEqual(["dev-1", "dev-2", "cluster"]);
        const worker = plan.resources.find((r) => r.name === "parwop-dev-2-worker-container")!;
        expect(worker).toMatchObject({ node: "dev-2", provider: "parwop-dev-2-docker", parent: "parwop-dev-2-worker" });
        expect(worker.inputs).toMatchObject({ memory: 1127, memorySwap: 1127, cpus: "1.0" });
        // Explicit dependsOn on a component reaches its children: the coordinator waits for the broker and the preflight.
        expect(plan.resources.find((r) => r.name === "parwop-coordinator")!.dependencies).toEqual(
            expect.arrayContaining(["parwop-broker-container", "parwop-dev-1-preflight-check"]),
        );
    });

    it("is byte-identical from one run to the next", () => {
        const again = runPlan(["dev"]);
        expect(again.stdout).toBe(text.stdout);
        expect(runPlan(["dev", "--json"]).stdout).toBe(json.stdout);
    });
});
