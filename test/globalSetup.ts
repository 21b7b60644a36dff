// Evaluates every case of test/helpers/evaluations.ts once per jest run, in parallel child
// processes, through Pulumi's own TypeScript path (tools/run-ts.js); results are cached by the
// content of the code and the fixtures, so an unchanged tree costs nothing the next time.
import { execFile } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { cases, CaseName, evaluationsEnv } from "./helpers/evaluations";
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
    const evaluateCase = async (name: CaseName) => {
        const c: { stack: string; files?: Record<string, string> } = cases[name];
        const dir = c.files ? fixtureProject(c.files) : base;
        const { stdout } = await run(
            process.execPath,
            [path.join(repoRoot, "tools/run-ts.js"), path.join(repoRoot, "test/helpers/evaluateChild.ts"), dir, c.stack],
            {
                cwd: dir,
                maxBuffer: 1 << 28,
            },
        );
        fs.writeFileSync(path.join(out, `${name}.json`), stdout);
        if (c.files) fs.rmSync(dir, { recursive: true, force: true });
    };
    try {
        await Promise.all((Object.keys(cases) as CaseName[]).map(evaluateCase));
    } finally {
        fs.rmSync(base, { recursive: true, force: true });
    }
    fs.writeFileSync(path.join(out, "done"), "");
}
