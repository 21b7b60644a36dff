import { Evaluation, evaluate, EvaluateOptions, Registered } from "../../tools/mockrun";
import { stackConfig, StackConfig } from "../../tools/stackConfig";

/** Evaluates index.ts for a stack file, with config overrides, in a fresh module registry. */
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

export function byType(ev: Evaluation, type: string): Registered[] {
    return ev.resources.filter((r) => r.type === type).sort((a, b) => a.name.localeCompare(b.name));
}

export function one(ev: Evaluation, name: string): Registered {
    const found = ev.resources.filter((r) => r.name === name);
    if (found.length !== 1) throw new Error(`expected one resource named ${name}, found ${found.length}`);
    return found[0];
}

export const containerType = "docker:index/container:Container";
export const providerType = "pulumi:providers:docker";
