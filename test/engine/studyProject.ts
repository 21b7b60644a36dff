/**
 * A study's project for the engine tests: the dev environment mapped to the lab's stand-in
 * (devstack.ts) and two small tiers of the test's own, t1 and t2, each its own stack dev-TIER,
 * one query and one repetition each. Both use the dev environment's container names on this
 * machine's one Docker engine, so they cannot be deployed at once: the lab's conflict.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { devStackFiles } from "./devstack";
import { EngineProject } from "./engine";

export const studyTiers = ["t1", "t2"];
export const studyStacks = studyTiers.map((t) => `dev-${t}`);

function tierFiles(): Record<string, string> {
    const files: Record<string, string> = {};
    studyTiers.forEach((t, i) => {
        // Two tiers that differ as the study's do, in CPUs and memory, small enough for this machine.
        files[`stacks/${t}.yaml`] = stringify({ ramGiB: i + 1, cpus: i + 1, memoryHeadroom: 1.1, queryMemoryRecords: 100000 * (i + 1) });
        files[`Pulumi.dev-${t}.yaml`] = stringify({
            config: {
                "parwop:environment": "dev",
                "parwop:tier": t,
                "parwop:experiment": {
                    mode: "distributed",
                    repetitions: 1,
                    queries: [{ name: "SQ1", partitionBy: ["SOURCE_POINT_NUMBER"], orderBy: ["SENSOR_NUMBER"] }],
                },
                "parwop:healthGate": { timeoutSeconds: 120, maxHeartbeatAgeSeconds: 60 },
            },
        });
    });
    return files;
}

/**
 * The project with both stacks created and their broker password set (no random provider here),
 * committed to a git repository of its own, so the results' commit and dirty flag are real.
 */
export function studyProject(): EngineProject {
    const dev = devStackFiles();
    const project = new EngineProject(studyStacks[0], {
        "envs/dev.yaml": dev["envs/dev.yaml"],
        ...tierFiles(),
        ".gitignore": "node_modules\n.pulumi-home/\n.state/\nresults/\n",
    });
    project.ok(["stack", "init", studyStacks[1]]);
    for (const stack of studyStacks)
        project.ok(["config", "set", "--secret", "-s", stack, "parwop:brokerAdminPassword", "engine-tests-admin"]);
    const git = (...args: string[]) => {
        const r = spawnSync("git", ["-c", "user.name=engine-tests", "-c", "user.email=engine-tests@localhost", ...args], {
            cwd: project.dir,
            encoding: "utf8",
        });
        if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
        return r.stdout.trim();
    };
    git("init", "-q");
    git("add", "-A");
    git("commit", "-q", "-m", "the study's project");
    return project;
}

/** Pids of the processes whose working directory is inside `dir` (the CLI, its language host, the program). */
export function processesIn(dir: string): number[] {
    const real = fs.realpathSync(dir);
    return fs
        .readdirSync("/proc")
        .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
        .filter((p) => {
            try {
                const cwd = fs.readlinkSync(path.join("/proc", p, "cwd"));
                return cwd === real || cwd.startsWith(`${real}/`);
            } catch {
                return false; // gone, or not ours to read
            }
        })
        .map(Number);
}

/** Lock files the file backend holds for a stack (a stack left locked has one). */
export function lockFiles(project: EngineProject, stack: string): string[] {
    const dir = path.join(project.dir, ".state", ".pulumi", "locks", "organization", "parwop", stack);
    return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
}
