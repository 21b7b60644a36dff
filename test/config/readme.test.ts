import * as fs from "fs";
import * as path from "path";
import { experimentSchema, healthGateSchema } from "../../config/experiment";
import { listProjectDir, readProjectFile } from "../../config/stack";
import { loadFile } from "../../config/issues";
import { tierLimits, tierSchema } from "../../config/tiers";
import { repoRoot } from "../helpers/fixture";

// What the README states as figures, checked against what the program does with the shipped files.
const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
/** The rows of the markdown table that follows a heading, as arrays of cell texts. */
function table(heading: string): string[][] {
    const start = readme.indexOf(heading);
    if (start === -1) throw new Error(`README has no "${heading}"`);
    const lines = readme.slice(start).split("\n");
    const first = lines.findIndex((l) => l.startsWith("|"));
    const rows: string[][] = [];
    for (const l of lines.slice(first + 2)) {
        if (!l.startsWith("|")) break;
        rows.push(
            l
                .split("|")
                .slice(1, -1)
                .map((c) => c.trim()),
        );
    }
    return rows;
}

test("the tier table gives each shipped tier's bytes, MiB, CPUs and records limit", () => {
    const tiers = listProjectDir("stacks")
        .filter((f) => f.endsWith(".yaml"))
        .map((f) => f.slice(0, -5));
    const rows = table("### Tiers");
    expect(rows.map((r) => r[0].replace(/`/g, "")).sort()).toEqual([...tiers].sort());
    for (const [name, , cpus, memory, records] of rows) {
        const file = loadFile(`stacks/${name.replace(/`/g, "")}.yaml`, readProjectFile, tierSchema, "missing");
        if (Array.isArray(file)) throw new Error(file.join("; "));
        const tier = tierLimits(name.replace(/`/g, ""), file);
        if (typeof tier === "string") throw new Error(tier);
        expect(Number(cpus)).toBe(tier.cpus);
        expect(memory).toContain(`${tier.memoryMiB} MiB`);
        if (file.memoryLimitBytes !== undefined) expect(memory).toContain(`${tier.memoryLimitBytes} B`);
        expect(Number(records.replace(/,/g, ""))).toBe(tier.queryMemoryRecords);
    }
});

test("the stack config table names every key the program accepts, with its default", () => {
    const rows = new Map(table("### Stack config").map((r) => [r[0].replace(/`/g, ""), r[1].replace(/`/g, "")]));
    const e = experimentSchema.parse({});
    const scalars: Record<string, unknown> = {
        "experiment.enabled": e.enabled,
        "experiment.runId": e.runId,
        "experiment.mode": e.mode,
        "experiment.repetitions": e.repetitions,
        "experiment.warmups": e.warmups,
        "experiment.readOnly": e.readOnly,
        "experiment.maxThreads": e.maxThreads,
        "experiment.dropCaches": e.dropCaches,
        "experiment.rerunOnRedeploy": e.rerunOnRedeploy,
        "experiment.runTimeoutSeconds": e.runTimeoutSeconds,
        "healthGate.timeoutSeconds": healthGateSchema.parse({}).timeoutSeconds,
        "healthGate.maxHeartbeatAgeSeconds": healthGateSchema.parse({}).maxHeartbeatAgeSeconds,
    };
    for (const [key, value] of Object.entries(scalars)) expect([key, rows.get(key)]).toEqual([key, String(value)]);
    for (const key of Object.keys(experimentSchema.shape)) expect(rows.has(`experiment.${key}`)).toBe(true);
    for (const key of ["environment", "tier", "restartGeneration", "restartPolicy", "brokerAdminUser", "brokerAdminPassword"]) {
        expect(rows.has(key)).toBe(true);
    }
});
