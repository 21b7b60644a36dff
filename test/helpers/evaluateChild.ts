// Run by tools/run-ts.js (Pulumi's own TypeScript path, as `pulumi up` loads a program) in a
// child process: one stack per process, since Pulumi's runtime state is per module instance.
// usage: node tools/run-ts.js test/helpers/evaluateChild.ts PROJECT_DIR STACK
// stdout: {"evaluation": …, "plan": …}, or {"problems": [...]} for a config error.
import * as path from "path";
import { evaluate } from "../../tools/mockrun";
import { buildPlan, stackModel } from "../../tools/planModel";
import { stackConfig } from "../../tools/stackConfig";

async function main(dir: string, stack: string): Promise<unknown> {
    const cfg = stackConfig(stack, dir);
    try {
        const model = stackModel(cfg, dir);
        const evaluation = await evaluate(stack, cfg, { entry: path.join(dir, "index.ts") });
        return { evaluation, plan: buildPlan(stack, evaluation, dir, model) };
    } catch (e) {
        const problems = (e as { problems?: unknown }).problems;
        if (Array.isArray(problems)) return { problems };
        throw e;
    }
}

main(process.argv[2], process.argv[3]).then(
    (out) => process.stdout.write(JSON.stringify(out) + "\n", () => process.exit(0)),
    (e: unknown) => {
        process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
        process.exit(1);
    },
);
