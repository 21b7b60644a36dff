import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The repository root: the plan runs the real program from here. */
export const root = path.resolve(__dirname, "../..");

export interface PlanRun {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** `npm run plan -- ARGS` as the user runs it (tools/run-ts.js: Pulumi's own ts-node), in `dir`. */
export function runPlan(args: string[], dir = root): PlanRun {
    const r = spawnSync(process.execPath, [path.join(dir, "tools", "run-ts.js"), path.join(dir, "tools", "plan.ts"), ...args], {
        cwd: dir,
        encoding: "utf8",
        maxBuffer: 1 << 28,
        timeout: 120_000,
    });
    if (r.error) throw r.error;
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Only the stderr lines that are not Pulumi's warnings (a lab build context missing on this machine). */
export function problems(stderr: string): string[] {
    return stderr.split("\n").filter((l) => l !== "" && !l.startsWith("warning: "));
}

const copied = [
    "index.ts",
    "Pulumi.yaml",
    "tsconfig.json",
    "package.json",
    "components",
    "config",
    "envs",
    "lib",
    "scripts",
    "stacks",
    "tools",
];

/**
 * A throwaway copy of the project with extra files (a generated inventory, a broken stack), since
 * config/stack.ts reads stacks/ and envs/ from the project root. node_modules is a symlink.
 */
export function tempProject(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "parwop-plan-"));
    const stackFiles = fs.readdirSync(root).filter((f) => /^Pulumi\..+\.yaml$/.test(f));
    for (const name of [...copied, ...stackFiles]) fs.cpSync(path.join(root, name), path.join(dir, name), { recursive: true });
    fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
}

/** An inventory of `count` nodes shaped like envs/lab.yaml (host keys off: they are placeholders anyway). */
export function inventory(count: number): string {
    const nodes = Array.from(
        { length: count },
        (_, i) => `  - name: node${i + 1}\n    host: node${i + 1}.lab\n    workerId: worker-${i + 1}\n`,
    );
    return [
        "coordinatorNode: node1",
        "ssh:",
        '  hostKeyChecking: "off"',
        "codeDir: /mnt/nfs/parwop",
        "dataDir: /data/hdd/experiments-parwop/parwop/data",
        "image:",
        "  name: parwop:0.1",
        "nodes:",
        nodes.join(""),
    ].join("\n");
}
