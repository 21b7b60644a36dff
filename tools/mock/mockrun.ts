import * as path from "path";
import { isKnown, onRegistration, RegisterResourceRequest, waitForRegistrations } from "./sdk";
import type { StackConfig } from "./stackConfig";

/** One resource as the program registered it. */
export interface Registered {
    type: string;
    name: string;
    /** The URN the mock monitor gave it: the same strings `parent`, `provider` and `dependencies` hold. */
    urn: string;
    custom: boolean;
    /** Parent URN ("" for the stack). */
    parent: string;
    /** Provider reference (urn::id) for custom resources. */
    provider: string;
    /** Inputs, secrets replaced by "[secret]", unknowns by "[unknown]". */
    inputs: Record<string, unknown>;
    /** URNs of explicit dependsOn and of resources whose outputs feed an input. */
    dependencies: string[];
    /** Inputs whose changes the engine ignores (the ignoreChanges option). */
    ignoreChanges: string[];
    /** The deleteBeforeReplace option: the old resource goes before its replacement is created. */
    deleteBeforeReplace: boolean;
    /** The customTimeouts option, where set ("60m"). */
    customTimeouts?: { create: string; update: string; delete: string };
    /** Per input property: URNs of the resources whose outputs feed it (sorted; only non-empty entries). */
    propertyDependencies: Record<string, string[]>;
}

export interface Evaluation {
    resources: Registered[];
    /** Stack outputs, as the program exported them (secrets as "[secret]"). */
    outputs: Record<string, unknown>;
}

const secretSig = "1b47061264138c4ac30d75fd1eb44270";
const sigKey = "4dabf18193072939515e22adb298388d";
const unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Replaces Pulumi's wire forms with readable markers: unknowns, and secrets unless `reveal`
 * (only the lab's tests reveal them, to start the declared broker with its real files).
 */
export function readable(value: unknown, reveal = false): unknown {
    if (value === unknownValue) return "[unknown]";
    if (Array.isArray(value)) return value.map((v) => readable(v, reveal));
    if (value !== null && typeof value === "object") {
        const o = value as Record<string, unknown>;
        if (o[sigKey] === secretSig) return reveal ? readable(o.value, reveal) : "[secret]";
        return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, readable(v, reveal)]));
    }
    return value;
}

export interface EvaluateOptions {
    /** Path of the program; default the project's index.ts. */
    entry?: string;
    /** Keep secret inputs' values instead of "[secret]" (never for anything printed). */
    revealSecrets?: boolean;
    /**
     * Outputs the fake providers return, per resource. Without it the evaluation is a preview:
     * every output a provider computes (an image ID, a command's stdout) is unknown, as in
     * `pulumi preview` before the first deployment, and prints as "[unknown]".
     */
    fakeOutputs?: (type: string, name: string, inputs: Record<string, unknown>) => Record<string, unknown>;
    /** What an invoke (a provider function) returns; default: its arguments. A throw is the provider's error. */
    invoke?: (token: string, inputs: Record<string, unknown>, provider: string) => Record<string, unknown>;
}

/** What a recorder holds once the program (or a test's components) has registered its resources. */
export interface Recorder {
    resources: Registered[];
    /** Waits for every registration still in flight. */
    settle(): Promise<void>;
}

/**
 * Installs Pulumi's mock monitor for a stack's config and records every registration. Call it
 * in a fresh module registry (a new process, or jest.isolateModulesAsync): Pulumi's runtime
 * state is per module instance, and the program must load the same instance after this.
 */
export async function recordRegistrations(stack: string, cfg: StackConfig, options: EvaluateOptions = {}): Promise<Recorder> {
    // require, not import(): the module registry must be the caller's (jest isolates it per evaluation).
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const fake = options.fakeOutputs;
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({
                // An empty ID is an unknown one, as a preview's resources to be created have.
                id: fake ? `${args.name}-id` : "",
                state: fake ? { ...args.inputs, ...fake(args.type, args.name, args.inputs) } : withUnknownOutputs(args.type, args.inputs),
            }),
            call: (args) => (options.invoke ? options.invoke(args.token, args.inputs, args.provider ?? "") : args.inputs),
        },
        "parwop",
        stack,
        fake === undefined,
    );
    const resources: Registered[] = [];
    onRegistration((req, urn) =>
        resources.push({
            type: req.getType(),
            name: req.getName(),
            // The monitor's own URN (it includes the parent's type), so references resolve to this entry.
            urn,
            custom: req.getCustom(),
            parent: req.getParent(),
            provider: req.getProvider(),
            inputs: readable(req.getObject()?.toJavaScript() ?? {}, options.revealSecrets) as Record<string, unknown>,
            dependencies: [...new Set(req.getDependenciesList())].sort(),
            ignoreChanges: req.getIgnorechangesList(),
            deleteBeforeReplace: req.getDeletebeforereplace(),
            ...timeoutsOf(req),
            propertyDependencies: propertyDependencies(req),
        }),
    );
    pulumi.runtime.setAllConfig(cfg.config, cfg.secretKeys);
    return { resources, settle: waitForRegistrations };
}

/** The outputs a provider computes, unknown as in a preview; everything else echoes the inputs. */
function withUnknownOutputs(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const computed: Record<string, string[]> = {
        "docker:index/remoteImage:RemoteImage": ["imageId", "repoDigest"],
        "random:index/randomPassword:RandomPassword": ["result", "bcryptHash"],
        "command:local:Command": ["stdout", "stderr"],
    };
    return { ...inputs, ...Object.fromEntries((computed[type] ?? []).map((k) => [k, unknownValue])) };
}

/**
 * Runs the real program (index.ts) with a stack's config under Pulumi's mock monitor and returns
 * every registration and the stack outputs.
 */
export async function evaluate(stack: string, cfg: StackConfig, options: EvaluateOptions = {}): Promise<Evaluation> {
    const entry = options.entry ?? path.resolve(__dirname, "..", "..", "index.ts");
    const recorder = await recordRegistrations(stack, cfg, options);
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const program = require(entry) as Record<string, unknown>;
    const outputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(program)) {
        outputs[key] = await settleOutput(pulumi, value);
    }
    await recorder.settle();
    return { resources: recorder.resources, outputs };
}

function timeoutsOf(req: RegisterResourceRequest): { customTimeouts?: { create: string; update: string; delete: string } } {
    const t = req.getCustomtimeouts();
    if (t === undefined || (t.getCreate() === "" && t.getUpdate() === "" && t.getDelete() === "")) return {};
    return { customTimeouts: { create: t.getCreate(), update: t.getUpdate(), delete: t.getDelete() } };
}

function propertyDependencies(req: RegisterResourceRequest): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps, key) => {
        const urns = [...new Set(deps.getUrnsList())].sort();
        if (urns.length > 0) out[key] = urns;
    });
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

async function settleOutput(pulumi: typeof import("@pulumi/pulumi"), value: unknown): Promise<unknown> {
    if (!pulumi.Output.isInstance(value)) return value;
    const output = value as import("@pulumi/pulumi").Output<unknown>;
    if (await pulumi.isSecret(output)) return "[secret]";
    // An unknown output (a preview's) never calls apply: say so instead of waiting for ever.
    if (!(await isKnown(output))) return "[unknown]";
    return await new Promise<unknown>((resolve) => output.apply((v) => resolve(v)));
}
