/**
 * The shipped program (index.ts with a shipped stack file, not the unit suite's fixtures) under
 * Pulumi's mocks, for the lab tests that run what it declares on the real engine.
 */
import { Evaluation, evaluate, EvaluateOptions } from "../../tools/mock/mockrun";
import { stackConfig, StackConfig } from "../../tools/mock/stackConfig";

/** Evaluates index.ts for a shipped stack, with config overrides, in a fresh module registry. */
export async function evaluateStack(
    stack: string,
    overrides: Record<string, string> = {},
    options: EvaluateOptions = {},
): Promise<Evaluation> {
    const cfg = stackConfig(stack);
    const merged: StackConfig = { config: { ...cfg.config, ...overrides }, secretKeys: cfg.secretKeys };
    let result: Evaluation | undefined;
    await jest.isolateModulesAsync(async () => {
        result = await evaluate(stack, merged, options);
    });
    return result!;
}

export { one } from "../helpers/evaluations";
