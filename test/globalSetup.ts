// Evaluates every case of test/helpers/evaluations.ts once per jest run, in parallel child
// processes, through Pulumi's own TypeScript path (tools/run-ts.js); results are cached by the
// content of the code and the fixtures, so an unchanged tree costs nothing the next time.
import { execFile } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { Case, cases, CaseName, evaluationsEnv } from "./helpers/evaluations";
import { fixtureRoot, repoRoot } from "./helpers/fixture";
import { fixtureProject } from "./helpers/project";

const run = promisify(execFile);
const inputs = [
    "index.ts",
    "Pulumi.yaml",
    "tsconfig.json",
    "components",
    "config",
    "lib",
    "model",
    "scripts",
    "tools",
    "test/helpers",
    fixtureRoot,
];

function digest(): string {
    const hash = createHash("sha256").update(JSON.stringify(cases));
    const walk = (p: string) => {
        const full = path.resolve(repoRoot, p);
        if (fs.statSync(full).isDirectory()) for (const e of fs.readdirSync(full).sort()) walk(path.join(full, e));
        else hash.update(full).update(fs.readFileSync(full));
    };
    inputs.forEach(walk);
    return hash.digest("hex").slice(0, 16);
}

export default async function globalSetup(): Promise<void> {
    const out = path.join(os.tmpdir(), `parwop-evaluations-${digest()}`);
    process.env[evaluationsEnv] = out;
    if (fs.existsSync(path.join(out, "done"))) return;
    fs.mkdirSync(out, { recursive: true });
    const base = fixtureProject();
    const names = Object.keys(cases) as CaseName[];
    const dirs = new Map(names.map((name) => [name, (cases[name] as Case).files ? fixtureProject((cases[name] as Case).files) : base]));
    // Two children (two cores), each evaluating its share of the cases one after another in one process.
    const shares = [names.filter((_, i) => i % 2 === 0), names.filter((_, i) => i % 2 === 1)];
    const evaluateShare = async (share: CaseName[]) => {
        const args = share.flatMap((name) => [dirs.get(name)!, cases[name].stack]);
        const { stdout } = await run(
            process.execPath,
            [path.join(repoRoot, "tools/run-ts.js"), path.join(repoRoot, "test/helpers/evaluateChild.ts"), ...args],
            { cwd: repoRoot, maxBuffer: 1 << 28 },
        );
        (JSON.parse(stdout) as unknown[]).forEach((result, i) =>
            fs.writeFileSync(path.join(out, `${share[i]}.json`), JSON.stringify(result)),
        );
    };
    try {
        await Promise.all(shares.map(evaluateShare));
    } finally {
        for (const dir of new Set(dirs.values())) fs.rmSync(dir, { recursive: true, force: true });
    }
    fs.writeFileSync(path.join(out, "done"), "");
}
