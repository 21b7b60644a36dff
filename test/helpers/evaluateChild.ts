// Run by tools/run-ts.js (Pulumi's own TypeScript path, as `pulumi up` loads a program) in a
// child process. Each case runs in a store of its own (inOwnStore, what the Automation API runs
// inline programs in), so one process loads the SDK once for many cases.
// usage: node tools/run-ts.js test/helpers/evaluateChild.ts DIR STACK [DIR STACK ...]
// stdout: one JSON array, per case {"evaluation": …, "plan": …} or {"problems": [...]} for a config error.
import * as path from "path";
import { evaluate } from "../../tools/mock/mockrun";
import { inOwnStore } from "../../tools/mock/sdk";
import { buildPlan, stackModel } from "../../tools/plan/planModel";
import { stackConfig } from "../../tools/mock/stackConfig";

/** Forgets the project's modules (not its node_modules), so a second case in the same dir runs index.ts again. */
function forgetProject(dir: string): void {
    for (const file of Object.keys(require.cache)) {
        if (file.startsWith(`${dir}${path.sep}`) && !file.includes(`${path.sep}node_modules${path.sep}`)) delete require.cache[file];
    }
}

async function evaluateCase(dir: string, stack: string): Promise<unknown> {
    forgetProject(dir);
    const cfg = stackConfig(stack, dir);
    try {
        const model = stackModel(stack, cfg, dir);
        const evaluation = await evaluate(stack, cfg, { entry: path.join(dir, "index.ts") });
        return { evaluation, plan: buildPlan(stack, evaluation, dir, model) };
    } catch (e) {
        const problems = (e as { problems?: unknown }).problems;
        if (Array.isArray(problems)) return { problems };
        throw e;
    }
}

async function main(args: string[]): Promise<unknown[]> {
    const out: unknown[] = [];
    for (let i = 0; i + 1 < args.length; i += 2) out.push(await inOwnStore(() => evaluateCase(args[i], args[i + 1])));
    return out;
}

main(process.argv.slice(2)).then(
    (out) => process.stdout.write(JSON.stringify(out) + "\n", () => process.exit(0)),
    (e: unknown) => {
        process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
        process.exit(1);
    },
);
