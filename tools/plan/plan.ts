// Offline review of what a stack declares, without the Pulumi CLI or any node: evaluates the
// real index.ts under Pulumi's mock monitor as a preview (tools/mock/mockrun.ts). See `usage`.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { diffPlans } from "./diff";
import { evaluate } from "../mock/mockrun";
import { linkNodeModules, repoRoot } from "../mock/project";
import type { Declaration } from "../../model/declare";
import { buildPlan, Plan, stackModel } from "./planModel";
import { renderPlan, renderSummary } from "./render";
import { renderDiff } from "./renderDiff";
import { stackConfig } from "../mock/stackConfig";

const usage = [
    "usage: npm run -s plan -- STACK [--full | --json]           what STACK declares (default: a summary per node)",
    "       npm run -s plan -- STACK --diff [REV] [--json]       what your working tree changes in STACK against git REV (default HEAD)",
    "       npm run -s plan -- STACK --against OTHER [--json]    what stack OTHER declares differently from STACK",
    "       --out FILE writes the output to FILE instead of stdout (npm's own banner never lands in it)",
].join("\n");

class UsageError extends Error {}

interface Args {
    stack: string;
    view: "summary" | "full" | "json";
    diff?: string;
    against?: string;
    out?: string;
}

const flags = ["--full", "--json", "--diff", "--against", "--out"];

/** Strict: an unknown flag, a missing value or a stray word is an error with the usage, never a silent default. */
export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): Args {
    // `npm run plan STACK --diff` without `--` hands --diff to npm, which sets npm_config_diff and passes only STACK.
    const swallowed = flags.filter((f) => env[`npm_config_${f.slice(2)}`] !== undefined);
    if (swallowed.length > 0) throw new UsageError(`${swallowed.join(", ")} reached npm, not the tool: put -- before the tool's arguments`);
    const words: string[] = [];
    const a: Partial<Args> = { view: "summary" };
    for (let i = 0; i < argv.length; i++) {
        const w = argv[i];
        if (w === "--full" || w === "--json") a.view = w === "--full" ? "full" : "json";
        else if (w === "--diff") a.diff = argv[i + 1] !== undefined && !argv[i + 1].startsWith("--") ? argv[++i] : "HEAD";
        else if (w === "--against") {
            if (argv[i + 1] === undefined || argv[i + 1].startsWith("--")) throw new UsageError("--against needs a stack name");
            a.against = argv[++i];
        } else if (w === "--out") {
            if (argv[i + 1] === undefined || argv[i + 1].startsWith("--")) throw new UsageError("--out needs a file name");
            a.out = argv[++i];
        } else if (w.startsWith("-")) throw new UsageError(`unknown option ${w}`);
        else words.push(w);
    }
    if (words.length !== 1) throw new UsageError(words.length === 0 ? "name one stack" : `one stack, not ${words.join(" ")}`);
    if (a.diff !== undefined && a.against !== undefined) throw new UsageError("--diff and --against do not go together");
    if (a.view === "full" && (a.diff !== undefined || a.against !== undefined)) throw new UsageError("--full is for one stack");
    return { ...a, stack: words[0] } as Args;
}

/** Evaluates a stack of the project in `dir` in a child process: Pulumi's runtime state is one stack per process. */
function planInChild(dir: string, stack: string): Plan {
    const out = execFileSync(process.execPath, [path.join(repoRoot, "tools", "run-ts.js"), __filename, "--evaluate", dir, stack], {
        cwd: dir,
        encoding: "utf8",
        maxBuffer: 1 << 30,
        stdio: ["ignore", "pipe", "inherit"],
    });
    return JSON.parse(out) as Plan;
}

/** The plan of a stack of the project in `dir`, in this process, and the declaration it was grouped by. */
export async function planHere(dir: string, stack: string): Promise<{ plan: Plan; model: Declaration }> {
    const cfg = stackConfig(stack, dir);
    const model = stackModel(stack, cfg, dir);
    return { plan: buildPlan(stack, await evaluate(stack, cfg, { entry: path.join(dir, "index.ts") }), dir, model), model };
}

/** The project as committed at REV, in a temp dir beside the same node_modules. */
function checkout(rev: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "parwop-plan-"));
    const tar = execFileSync("git", ["archive", "--format=tar", rev], { cwd: repoRoot, maxBuffer: 1 << 30 });
    execFileSync("tar", ["-x", "-C", dir], { input: tar });
    linkNodeModules(dir);
    return dir;
}

async function main(argv: string[]): Promise<number> {
    if (argv[0] === "--evaluate") {
        process.stdout.write(JSON.stringify((await planHere(argv[1], argv[2])).plan) + "\n");
        return 0;
    }
    const args = parseArgs(argv);
    let text: string;
    let json: unknown;
    if (args.diff !== undefined) {
        const old = checkout(args.diff);
        try {
            const diff = diffPlans(planInChild(old, args.stack), planInChild(repoRoot, args.stack));
            json = { ...diff, from: `${args.stack} at ${args.diff}`, to: `${args.stack} in the working tree` };
            text = renderDiff(json as typeof diff);
        } finally {
            fs.rmSync(old, { recursive: true, force: true });
        }
    } else if (args.against !== undefined) {
        json = diffPlans(planInChild(repoRoot, args.stack), planInChild(repoRoot, args.against));
        text = renderDiff(json as ReturnType<typeof diffPlans>);
    } else {
        const { plan, model } = await planHere(repoRoot, args.stack);
        json = plan;
        text = args.view === "full" ? renderPlan(plan) : renderSummary(plan, model);
    }
    const output = args.view === "json" ? JSON.stringify(json, null, 2) + "\n" : text;
    if (args.out !== undefined) fs.writeFileSync(args.out, output);
    else process.stdout.write(output);
    return 0;
}

/** The program's ConfigError (one line per problem); matched by shape, it is another module instance's class. */
function configProblems(e: unknown): string[] | undefined {
    const problems = (e as { problems?: unknown } | null)?.problems;
    return Array.isArray(problems) && problems.every((p) => typeof p === "string") ? problems : undefined;
}

/** Exits once stdout is flushed: a pipe takes writes asynchronously, and process.exit would cut them off. */
function exitAfterOutput(code: number): void {
    process.stdout.write("", () => process.exit(code));
}

// Run by tools/run-ts.js (argv[1] is this file), not when a test imports parseArgs.
if (process.argv[1] === __filename) {
    main(process.argv.slice(2)).then(
        (code) => exitAfterOutput(code),
        (e: unknown) => {
            const problems = configProblems(e);
            if (e instanceof UsageError) {
                process.stderr.write(`plan: ${e.message}\n${usage}\n`);
                process.exit(2);
            }
            if (problems !== undefined) process.stderr.write(problems.map((p) => `${p}\n`).join(""));
            // A child that already printed its config error exits 1: say nothing more.
            else if ((e as { status?: unknown })?.status === 1) process.exit(1);
            else process.stderr.write(`${(e as Error)?.message ?? String(e)}\n`);
            process.exit(1);
        },
    );
}
