// npm run plan -- <stack> [--json]          what a stack declares, per node, offline
// npm run plan -- <stack> --diff <other>    what switching from <stack> to <other> changes
// Evaluates the real index.ts under Pulumi's mock monitor (tools/mockrun.ts): no CLI, no nodes.
import { execFileSync } from "child_process";
import * as path from "path";
import { diffPlans } from "./diff";
import { renderDiff } from "./renderDiff";
import { evaluate } from "./mockrun";
import { buildPlan, Plan } from "./planModel";
import { renderPlan } from "./render";
import { stackConfig } from "./stackConfig";

const projectRoot = path.resolve(__dirname, "..");
const usage = "usage: npm run plan -- <stack> [--json] [--diff <other-stack>]";

/** Evaluates one stack in a child process: Pulumi's runtime state is per module instance, one stack per process. */
async function planInChild(stack: string): Promise<Plan> {
    const out = execFileSync(process.execPath, [path.join(__dirname, "run-ts.js"), __filename, stack, "--json"], {
        cwd: projectRoot,
        encoding: "utf8",
        maxBuffer: 1 << 30,
        stdio: ["ignore", "pipe", "inherit"],
    });
    return JSON.parse(out) as Plan;
}

async function planHere(stack: string): Promise<Plan> {
    return buildPlan(stack, await evaluate(stack, stackConfig(stack, projectRoot)), projectRoot);
}

/** The program's ConfigError (one line per problem); matched by shape, it is another module instance's class. */
function configProblems(e: unknown): string[] | undefined {
    const problems = (e as { problems?: unknown } | null)?.problems;
    return Array.isArray(problems) && problems.every((p) => typeof p === "string") ? problems : undefined;
}

async function main(argv: string[]): Promise<number> {
    const json = argv.includes("--json");
    const diffAt = argv.indexOf("--diff");
    const other = diffAt === -1 ? undefined : argv[diffAt + 1];
    const positional = argv.filter((a, i) => !a.startsWith("--") && (diffAt === -1 || i !== diffAt + 1));
    if (positional.length !== 1 || (diffAt !== -1 && other === undefined)) {
        process.stderr.write(`${usage}\n`);
        return 2;
    }
    const stack = positional[0];
    if (other === undefined) {
        const plan = await planHere(stack);
        process.stdout.write(json ? JSON.stringify(plan, null, 2) + "\n" : renderPlan(plan));
        return 0;
    }
    const diff = diffPlans(await planInChild(stack), await planInChild(other));
    process.stdout.write(json ? JSON.stringify(diff, null, 2) + "\n" : renderDiff(diff));
    return 0;
}

/** Exits once stdout is flushed: a pipe takes writes asynchronously, and process.exit would cut them off. */
function exitAfterOutput(code: number): void {
    process.stdout.write("", () => process.exit(code));
}

main(process.argv.slice(2)).then(
    (code) => exitAfterOutput(code),
    (e: unknown) => {
        const problems = configProblems(e);
        if (problems !== undefined) process.stderr.write(problems.map((p) => `${p}\n`).join(""));
        // A child that already printed its config error exits 1: say nothing more.
        else if ((e as { status?: unknown })?.status === 1) process.exit(1);
        else process.stderr.write(`${(e as Error)?.message ?? String(e)}\n`);
        process.exit(1);
    },
);
