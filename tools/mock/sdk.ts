// The one module that reaches past @pulumi/pulumi's public API, and why. setMocks (public) shows a
// mock each resource's type, name, inputs, provider and custom flag, nothing more; the plan and the
// tests read what else the program asks of the engine: the parent, dependsOn and the outputs that
// feed each input (the plan's `parent`, `after`, depth and `[unknown: output of …]`), ignoreChanges,
// deleteBeforeReplace, customTimeouts. Those travel only in the RegisterResourceRequest the SDK
// hands its monitor. Each reach below says which internal and why; test/mock/sdk.test.ts checks
// each one by name, so an SDK upgrade that moves one fails there, not as a wrong plan. That is why
// package.json pins @pulumi/pulumi exactly: upgrade it together with a green run of that test.
// Two reaches live elsewhere and are checked there too: tools/run-ts.js loads TypeScript through
// the SDK's own tsutils.js, and config/stack.ts asks runtime.isConfigSecret.
import * as path from "path";
import type { RegisterResourceRequest, RegisterResourceResponse } from "@pulumi/pulumi/proto/resource_pb";

export type { RegisterResourceRequest };
type Pulumi = typeof import("@pulumi/pulumi");

/**
 * The SDK instance the program loads. Required at each call, not imported: the module registry
 * must be the caller's (jest isolates one per evaluation, and the SDK's runtime state is per instance).
 */
function sdk(): Pulumi {
    return require("@pulumi/pulumi") as Pulumi;
}

/** A file of the same SDK instance's runtime/ directory: where its unexported functions live. */
function runtimeFile<T>(file: string): T {
    return require(path.join(path.dirname(require.resolve("@pulumi/pulumi")), "runtime", file)) as T;
}

type Callback = (err: unknown, res?: RegisterResourceResponse) => void;
interface RegisteringMonitor {
    registerResource(req: RegisterResourceRequest, callback: Callback): Promise<void>;
}

/**
 * Calls `record` with every registration the mock monitor answered, in the order it answered,
 * with the URN it gave. Internal: wraps `registerResource` on the monitor that the public
 * `runtime.getMonitor()` returns after setMocks (a MockMonitor): the SDK's runtime/resource.js
 * sends every registration through that method of that object, and the request it passes is the
 * only place parent, dependencies and options are. Wrapped on the instance, so evaluations in
 * one process (each in its own store) record apart. A registration the mock refused is not one.
 */
export function onRegistration(record: (req: RegisterResourceRequest, urn: string) => void): void {
    const monitor = sdk().runtime.getMonitor() as unknown as RegisteringMonitor;
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = async (req, callback) => {
        let urn: string | undefined;
        await original(req, (err, res) => {
            urn = err ? undefined : res?.getUrn();
            callback(err, res);
        });
        if (urn !== undefined) record(req, urn);
    };
}

/**
 * Resolves once every RPC the SDK has in flight is done, registrations that waited on others'
 * outputs included. Internal: `waitForRPCs` of runtime/settings.js (@internal). The public
 * `runtime.disconnect()` waits for the same, then shuts the runtime down, which a test that goes
 * on registering cannot have.
 */
export function waitForRegistrations(): Promise<void> {
    return runtimeFile<{ waitForRPCs(): Promise<void> }>("settings.js").waitForRPCs();
}

/**
 * Whether an Output has a value. Internal: the Output's `isKnown` promise (@internal). A preview
 * leaves a provider's outputs unknown, and an unknown Output never calls `apply`: without this a
 * stack output waits for ever. The public API has no such question.
 */
export function isKnown(output: import("@pulumi/pulumi").Output<unknown>): Promise<boolean> {
    return (output as unknown as { isKnown: Promise<boolean> }).isKnown;
}

/**
 * Runs `f` in a runtime state of its own, so one process can evaluate many stacks one after the
 * other (Pulumi's state is one stack per store). Internal: `withLocalStorage` of runtime/state.js
 * (@internal), the store the Automation API runs inline programs in.
 */
export function inOwnStore<T>(f: () => Promise<T>): Promise<T> {
    return runtimeFile<{ withLocalStorage<R>(callback: () => Promise<R>): Promise<R> }>("state.js").withLocalStorage(f);
}
