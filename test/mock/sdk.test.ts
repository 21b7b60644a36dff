import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Recorder, recordRegistrations, Registered } from "../../tools/mock/mockrun";
import { inOwnStore, isKnown, waitForRegistrations } from "../../tools/mock/sdk";

// Every reach past @pulumi/pulumi's public API (tools/mock/sdk.ts, tools/run-ts.js, config/stack.ts), each checked
// by name: an SDK upgrade that moves one fails here, saying which, rather than as a wrong plan.

class Box extends pulumi.ComponentResource {
    constructor(name: string) {
        super("test:index:Box", name, {}, {});
    }
}

class Thing extends pulumi.CustomResource {
    declare readonly out: pulumi.Output<unknown>;
    constructor(name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions = {}) {
        super("test:index:Thing", name, props, opts);
    }
}

const urnOf = (r: pulumi.Resource) => new Promise<string>((resolve) => r.urn.apply(resolve));
const byName = (rec: Recorder, name: string) => rec.resources.find((r) => r.name === name) as Registered;

let rec: Recorder;
let box: Box;
let first: Thing;
let second: Thing;
let zero: Thing;
beforeAll(async () => {
    rec = await recordRegistrations("sdk-check", { config: {}, secretKeys: [] });
    zero = new Thing("zero", { size: 0 });
    box = new Box("box");
    first = new Thing("first", { size: 1, out: undefined }, { parent: box });
    second = new Thing(
        "second",
        { size: 2, from: first.out, password: pulumi.secret("hunter2") },
        {
            parent: box,
            dependsOn: [zero],
            ignoreChanges: ["size"],
            deleteBeforeReplace: true,
            customTimeouts: { create: "2m", update: "3m", delete: "4m" },
        },
    );
    await waitForRegistrations();
});

test("the mock monitor's registerResource (wrapped on runtime.getMonitor()) shows parent, dependencies and options, with the URN it answered", async () => {
    // In the order the monitor answered, which is not the order of construction.
    expect(rec.resources.map((r) => r.name).sort()).toEqual(["box", "first", "second", "zero"]);
    const [zeroUrn, boxUrn, firstUrn] = [await urnOf(zero), await urnOf(box), await urnOf(first)];
    expect(boxUrn).toBe("urn:pulumi:sdk-check::parwop::test:index:Box::box");
    expect(byName(rec, "second")).toEqual({
        type: "test:index:Thing",
        name: "second",
        urn: await urnOf(second),
        custom: true,
        parent: boxUrn,
        provider: "",
        inputs: { size: 2, from: "[unknown]", password: "[secret]" },
        dependencies: [firstUrn, zeroUrn].sort(),
        ignoreChanges: ["size"],
        deleteBeforeReplace: true,
        customTimeouts: { create: "2m", update: "3m", delete: "4m" },
        propertyDependencies: { from: [firstUrn] },
    });
    expect(firstUrn).toBe("urn:pulumi:sdk-check::parwop::test:index:Box$test:index:Thing::first");
});

test("waitForRegistrations is runtime/settings.js waitForRPCs: it resolves once nothing is in flight", async () => {
    // Registered only once first's URN is there: the wait must cover registrations not yet sent.
    new Thing("late", { size: first.urn.apply(() => 3) });
    await waitForRegistrations();
    expect(byName(rec, "late").inputs).toEqual({ size: 3 });
});

test("isKnown reads an Output's internal isKnown: false for what a preview leaves unknown, true for a value", async () => {
    expect(await isKnown(first.out)).toBe(false);
    expect(await isKnown(pulumi.output(1))).toBe(true);
});

test("inOwnStore is runtime/state.js withLocalStorage: a second stack's runtime apart from this one's", async () => {
    const inner = await inOwnStore(async () => {
        const other = await recordRegistrations("sdk-other", { config: {}, secretKeys: [] });
        new Thing("elsewhere", { size: 4 });
        await other.settle();
        return { stack: pulumi.runtime.getStack(), names: other.resources.map((r) => r.name) };
    });
    expect(inner).toEqual({ stack: "sdk-other", names: ["elsewhere"] });
    expect(pulumi.runtime.getStack()).toBe("sdk-check");
    expect(rec.resources.map((r) => r.name)).not.toContain("elsewhere");
});

test("config/stack.ts's plain-text secret check is runtime/config.js isConfigSecret (@internal): true for a key set as secret", async () => {
    const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean }).isConfigSecret;
    expect(typeof isConfigSecret).toBe("function");
    const answers = await inOwnStore(async () => {
        await recordRegistrations("sdk-config", { config: { "parwop:a": "1", "parwop:b": "2" }, secretKeys: ["parwop:a"] });
        return ["parwop:a", "parwop:b"].map((k) => isConfigSecret?.(k));
    });
    expect(answers).toEqual([true, false]);
});

test("tools/run-ts.js compiles as pulumi up does, through the SDK's tsutils.js", () => {
    const tsutils = require(path.join(path.dirname(require.resolve("@pulumi/pulumi")), "tsutils.js")) as Record<string, unknown>;
    expect([typeof tsutils.loadTypeScriptCompilerOptions, typeof tsutils.typeScriptRequireStrings]).toEqual(["function", "function"]);
});
