import { EvaluateOptions, Recorder, recordRegistrations, Registered } from "../../tools/mock/mockrun";
import { stackConfig } from "../../tools/mock/stackConfig";
import { one } from "./evaluations";
import { fixtureRoot, repoRoot } from "./fixture";

export type { Recorder };

/**
 * Pulumi's mock runtime for one fixture stack (its config and name), recording what the test
 * then constructs: one setMocks per test file, the components built directly.
 */
export function mockStack(
    stack: string,
    fakeOutputs?: (type: string, name: string) => Record<string, unknown>,
    invoke?: EvaluateOptions["invoke"],
): Promise<Recorder> {
    return recordRegistrations(stack, stackConfig(stack, fixtureRoot, repoRoot), {
        fakeOutputs: fakeOutputs && ((type, name) => fakeOutputs(type, name)),
        invoke,
    });
}

/** The one resource of that name the test registered. */
export const named = one;

/** Whether `r` waits for the resource named `name` (dependsOn, or an output feeding its inputs). */
export const waitsFor = (r: Registered, name: string) => r.dependencies.some((d) => d.endsWith(`::${name}`));

/** The URN suffix of a provider reference: which provider resource a resource uses. */
export const providerName = (r: Registered) => r.provider.split("::").slice(-2, -1)[0];
