import { Recorder, recordRegistrations, Registered } from "../../tools/mockrun";
import { stackConfig } from "../../tools/stackConfig";
import { fixtureRoot, repoRoot } from "./fixture";

export type { Recorder };

/**
 * Pulumi's mock runtime for one fixture stack (its config and name), recording what the test
 * then constructs: one setMocks per test file, the components built directly.
 */
export function mockStack(stack: string, fakeOutputs?: (type: string, name: string) => Record<string, unknown>): Promise<Recorder> {
    return recordRegistrations(stack, stackConfig(stack, fixtureRoot, repoRoot), {
        fakeOutputs: fakeOutputs && ((type, name) => fakeOutputs(type, name)),
    });
}

export function named(rec: Recorder, name: string): Registered {
    const found = rec.resources.filter((r) => r.name === name);
    if (found.length !== 1) throw new Error(`expected one resource named ${name}, found ${found.length}`);
    return found[0];
}

/** Whether `r` waits for the resource named `name` (dependsOn, or an output feeding its inputs). */
export const waitsFor = (r: Registered, name: string) => r.dependencies.some((d) => d.endsWith(`::${name}`));

/** The URN suffix of a provider reference: which provider resource a resource uses. */
export const providerName = (r: Registered) => r.provider.split("::").slice(-2, -1)[0];
