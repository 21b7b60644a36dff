import type { ChangedResource, PlanDiff } from "../../tools/diff";
import { effectOf } from "../../tools/replaceRules";
import { wordChanges } from "../../tools/renderDiff";
import { problems, runPlan } from "./project";

/** What kind of resource a name is: the diff is checked per kind, then each kind's count. */
function kind(name: string): string {
    if (/^parwop-node\d+-worker-container$/.test(name)) return "worker container";
    if (/^parwop-node\d+-preflight-check$/.test(name)) return "preflight";
    if (/^experiment-sq\d-r\d-drop-node\d+$/.test(name)) return "drop caches";
    if (/^experiment-sq\d-r\d-run$/.test(name)) return "run";
    if (/^experiment-sq\d-r\d-record$/.test(name)) return "record";
    return name;
}

/** A change as "path effect"; the nine container-ID triggers collapse to one entry (they follow the replacements). */
function shape(r: ChangedResource): string {
    const paths = r.changes.map((c) =>
        typeof c.new === "string" && c.new.endsWith("is replaced)") ? `${c.path.replace(/\[\d+\]$/, "")}[container ids]` : c.path,
    );
    const effects = r.changes.map((c, i) => `${paths[i]} ${c.effect}`);
    return `${r.action}: ${[...new Set(effects)].join(", ")}`;
}

describe("npm run plan -- lab-32_2 --diff lab-64_4", () => {
    const run = runPlan(["lab-32_2", "--diff", "lab-64_4", "--json"]);
    const diff = JSON.parse(run.stdout) as PlanDiff;

    it("adds and removes nothing", () => {
        expect(run.code).toBe(0);
        expect(problems(run.stderr)).toEqual([]);
        expect(diff.added).toEqual([]);
        expect(diff.removed).toEqual([]);
    });

    // Each stack owns its containers (label parwop.stack), so the broker is a new one too.
    it("changes exactly the PARWOP containers' limits, the runs' records limit, the owning stack, and what follows", () => {
        const byKind = new Map<string, Set<string>>();
        const counts = new Map<string, number>();
        for (const r of diff.changed) {
            byKind.set(kind(r.name), (byKind.get(kind(r.name)) ?? new Set()).add(shape(r)));
            counts.set(kind(r.name), (counts.get(kind(r.name)) ?? 0) + 1);
        }
        const limits = "cpus replace, labels[0].value replace, labels[2].value replace, memory update, memorySwap update";
        const triggers = "triggers[container ids] replace, triggers[9] replace, triggers[10] replace";
        expect(Object.fromEntries([...byKind].map(([k, v]) => [k, [...v]]))).toEqual({
            // cpus and the tier label are ForceNew: memory alone would be a `docker update`.
            "worker container": [`replace: ${limits}`],
            "parwop-coordinator-container": [
                "replace: cpus replace, envs[5] replace, labels[0].value replace, labels[2].value replace, memory update, memorySwap update",
            ],
            "parwop-broker-container": ["replace: labels[0].value replace"],
            preflight: ["update: create update"],
            "parwop-health-wait": ["replace: triggers[container ids] replace"],
            "drop caches": [`replace: ${triggers}`],
            run: [`replace: create update, ${triggers}`],
            record: [`replace: create update, environment.PARWOP_PROVENANCE update, ${triggers}`],
        });
        expect(Object.fromEntries(counts)).toEqual({
            "worker container": 8,
            "parwop-coordinator-container": 1,
            "parwop-broker-container": 1,
            preflight: 8,
            "parwop-health-wait": 1,
            "drop caches": 96,
            run: 12,
            record: 12,
        });
    });

    it("shows the changed values", () => {
        const one = (name: string) => diff.changed.find((r) => r.name === name)!.changes;
        expect(one("parwop-node8-worker-container")).toEqual([
            { path: "cpus", old: "2.0", new: "4.0", effect: "replace" },
            { path: "labels[0].value", old: "lab-32_2", new: "lab-64_4", effect: "replace" },
            { path: "labels[2].value", old: "32_2", new: "64_4", effect: "replace" },
            { path: "memory", old: 36045, new: 72090, effect: "update" },
            { path: "memorySwap", old: 36045, new: 72090, effect: "update" },
        ]);
        const create = one("experiment-sq4-r3-run").find((c) => c.path === "create")!;
        expect(wordChanges(String(create.old), String(create.new))).toBe("--tier 32_2 -> 64_4; --memory-limit 5000000 -> 10000000");
        expect(one("experiment-sq1-r1-drop-node3").find((c) => c.path === "triggers[10]")).toEqual({
            path: "triggers[10]",
            old: "32_2",
            new: "64_4",
            effect: "replace",
        });
    });

    it("reads as text with each change's effect", () => {
        const text = runPlan(["lab-32_2", "--diff", "lab-64_4"]).stdout;
        expect(text.split("\n")[0]).toBe("lab-32_2 -> lab-64_4: 0 added, 0 removed, 139 changed (131 replaced)");
        expect(text).toContain(
            [
                "  +- docker:index/container:Container parwop-node2-worker-container: replace",
                '      cpus: "2.0" -> "4.0"   [replace]',
                '      labels[0].value: "lab-32_2" -> "lab-64_4"   [replace]',
                '      labels[2].value: "32_2" -> "64_4"   [replace]',
                "      memory: 36045 MiB -> 72090 MiB   [update in place]",
                "      memorySwap: 36045 MiB -> 72090 MiB   [update in place]",
            ].join("\n"),
        );
        expect(text).toContain("      create: --tier 32_2 -> 64_4; --memory-limit 5000000 -> 10000000   [update: runs create again]");
    });
});

describe("replace rules (provider schemas cited in tools/replaceRules.ts)", () => {
    const container = "docker:index/container:Container";
    it.each(["cpus", "envs", "image", "labels", "volumes", "networkMode", "uploads", "name"])("container %s replaces", (p) => {
        expect(effectOf(container, p)).toBe("replace");
    });
    it.each(["memory", "memorySwap", "restart", "cpuShares"])("container %s is a docker update", (p) => {
        expect(effectOf(container, p)).toBe("update");
    });
    it("container healthcheck and wait only change state; unknown properties say so", () => {
        expect(effectOf(container, "healthcheck")).toBe("state");
        expect(effectOf(container, "wait")).toBe("state");
        expect(effectOf(container, "deviceCgroupRules")).toBe("unknown");
    });
    it("image triggers and build replace the image; keepLocally does not", () => {
        expect(effectOf("docker:index/remoteImage:RemoteImage", "triggers")).toBe("replace");
        expect(effectOf("docker:index/remoteImage:RemoteImage", "build")).toBe("replace");
        expect(effectOf("docker:index/remoteImage:RemoteImage", "keepLocally")).toBe("state");
    });
    it("a command's triggers replace it; its create or stdin update it (both run create again)", () => {
        for (const t of ["command:local:Command", "command:remote:Command"]) {
            expect(effectOf(t, "triggers")).toBe("replace");
            expect(effectOf(t, "create")).toBe("update");
            expect(effectOf(t, "stdin")).toBe("update");
        }
    });
});
