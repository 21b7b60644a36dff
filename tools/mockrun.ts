import * as path from "path";
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
    /** The customTimeouts option, where set ("60m"). */
    customTimeouts?: { create: string; update: string; delete: string };
    /** Per input property: URNs of the resources whose outputs feed it (sorted; only non-empty entries). */
    propertyDependencies: Record<string, string[]>;
    /**
     * A remote command's SSH host. @pulumi/command wraps the whole `connection` in a secret, so
     * `inputs.connection` is "[secret]"; the host alone is not secret (the docker providers show it).
     */
    connectionHost?: string;
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
}

/** Fake outputs so the program's applies see plausible values (image IDs, a driver's JSON line). */
function fakeState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    if (type === "docker:index/remoteImage:RemoteImage") return { ...inputs, imageId: `sha256:${name}` };
    if (type === "random:index/randomPassword:RandomPassword") return { ...inputs, result: `generated-${name}` };
    if (type.startsWith("command:")) {
        const stdout = name.endsWith("-run")
            ? JSON.stringify({ query: name, wall_seconds: 1 })
            : /-drop-/.test(name)
              ? // A drop time per node (its name's digits), so tests can tell whose drop a run was given.
                `drop-caches: Cached 2 -> 1 kB at ${1700000000 + Number(name.replace(/^.*-drop-/, "").replace(/\D/g, "") || 0)}.000000000`
              : "";
        return { ...inputs, stdout, stderr: "" };
    }
    return inputs;
}

/**
 * Runs the real program (index.ts) with a stack's config under Pulumi's mock monitor and returns
 * every registration. Call it with a fresh module registry (a new process, or jest.isolateModulesAsync):
 * Pulumi's runtime state is per module instance.
 */
export async function evaluate(stack: string, cfg: StackConfig, options: EvaluateOptions = {}): Promise<Evaluation> {
    const entry = options.entry ?? path.resolve(__dirname, "..", "index.ts");
    // require, not import(): the module registry must be the caller's (jest isolates it per evaluation).
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    // Internal modules of the same @pulumi/pulumi instance the program uses.
    const runtimeDir = path.join(path.dirname(require.resolve("@pulumi/pulumi")), "runtime");
    const mocksModule = require(path.join(runtimeDir, "mocks.js"));
    const settingsModule = require(path.join(runtimeDir, "settings.js"));
    const resources: Registered[] = [];
    const monitorProto = (mocksModule as unknown as { MockMonitor: { prototype: Record<string, unknown> } }).MockMonitor.prototype;
    const original = monitorProto.registerResource as (this: unknown, req: RegisterRequest, cb: unknown) => Promise<void>;
    monitorProto.registerResource = async function (
        this: { newUrn(parent: string, type: string, name: string): string },
        req: RegisterRequest,
        cb: unknown,
    ) {
        const raw = req.getObject()?.toJavaScript() ?? {};
        const inputs = readable(raw, options.revealSecrets) as Record<string, unknown>;
        const name = req.getName();
        const type = req.getType();
        await original.call(this, req, cb);
        resources.push({
            type,
            name,
            // The monitor's own URN (it includes the parent's type), so references resolve to this entry.
            urn: this.newUrn(req.getParent(), type, name),
            custom: req.getCustom(),
            parent: req.getParent(),
            provider: req.getProvider(),
            inputs,
            dependencies: [...new Set(req.getDependenciesList())].sort(),
            ignoreChanges: req.getIgnorechangesList(),
            ...timeoutsOf(req),
            propertyDependencies: propertyDependencies(req),
            ...hostOf(raw.connection),
        });
    };
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({ id: `${args.name}-id`, state: fakeState(args.type, args.name, args.inputs) }),
            call: (args) => args.inputs,
        },
        "parwop",
        stack,
        false,
    );
    pulumi.runtime.setAllConfig(cfg.config, cfg.secretKeys);
    const program = require(entry) as Record<string, unknown>;
    const outputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(program)) {
        outputs[key] = await settleOutput(pulumi, value);
    }
    await (settingsModule as unknown as { waitForRPCs: () => Promise<void> }).waitForRPCs();
    return { resources, outputs };
}

function timeoutsOf(req: RegisterRequest): { customTimeouts?: { create: string; update: string; delete: string } } {
    const t = req.getCustomtimeouts();
    if (t === undefined || (t.getCreate() === "" && t.getUpdate() === "" && t.getDelete() === "")) return {};
    return { customTimeouts: { create: t.getCreate(), update: t.getUpdate(), delete: t.getDelete() } };
}

function hostOf(connection: unknown): { connectionHost?: string } {
    const unwrapped = (v: unknown) =>
        v !== null && typeof v === "object" && (v as Record<string, unknown>)[sigKey] === secretSig
            ? (v as Record<string, unknown>).value
            : v;
    const host = (unwrapped(connection) as Record<string, unknown> | undefined)?.host;
    return typeof unwrapped(host) === "string" ? { connectionHost: unwrapped(host) as string } : {};
}

function propertyDependencies(req: RegisterRequest): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps, key) => {
        const urns = [...new Set(deps.getUrnsList())].sort();
        if (urns.length > 0) out[key] = urns;
    });
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getProvider(): string;
    getCustom(): boolean;
    getDependenciesList(): string[];
    getIgnorechangesList(): string[];
    getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
    getPropertydependenciesMap(): { forEach(f: (deps: { getUrnsList(): string[] }, key: string) => void): void };
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

async function settleOutput(pulumi: typeof import("@pulumi/pulumi"), value: unknown): Promise<unknown> {
    if (!pulumi.Output.isInstance(value)) return value;
    const output = value as import("@pulumi/pulumi").Output<unknown>;
    const secret = await (output as unknown as { isSecret: Promise<boolean> }).isSecret;
    const plain = await new Promise<unknown>((resolve) => output.apply((v) => resolve(v)));
    return secret ? "[secret]" : plain;
}
