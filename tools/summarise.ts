import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { Registered } from "./mockrun";

export interface SummaryContext {
    projectRoot: string;
    /** URN -> the name the plan uses for that resource. */
    refOf: (urn: string) => string;
    resources: Registered[];
}

/** Trigger values longer than this are shown as length + digest: they are JSON blobs nobody reads whole. */
const longTrigger = 80;

function sha(text: string): string {
    return createHash("sha256").update(text).digest("hex").slice(0, 12);
}

function lineCount(text: string): number {
    return text === "" ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

/** Scripts under scripts/ by content, so a stdin can be named by the file it came from. */
function scriptsByContent(projectRoot: string): Map<string, string> {
    const dir = path.join(projectRoot, "scripts");
    const found = new Map<string, string>();
    if (!fs.existsSync(dir)) return found;
    for (const file of fs.readdirSync(dir).sort()) {
        const full = path.join(dir, file);
        if (fs.statSync(full).isFile()) found.set(fs.readFileSync(full, "utf8"), `scripts/${file}`);
    }
    return found;
}

/**
 * The mock monitor invents outputs (tools/mockrun.ts fakeState): `<name>-id` for IDs, `sha256:<name>`
 * for image IDs. Naming the resource instead shows what a real preview shows: a value known after
 * that resource exists, and which resource it is.
 */
function fakeNames(resources: Registered[]): Map<string, string> {
    const fakes = new Map<string, string>();
    for (const r of resources) {
        if (!r.custom) continue;
        fakes.set(`${r.name}-id`, `[id of ${r.name}]`);
        if (r.type === "docker:index/remoteImage:RemoteImage") fakes.set(`sha256:${r.name}`, `[imageId of ${r.name}]`);
    }
    return fakes;
}

function replaceFakes(value: unknown, fakes: Map<string, string>): unknown {
    if (typeof value === "string") return fakes.get(value) ?? value;
    if (Array.isArray(value)) return value.map((v) => replaceFakes(v, fakes));
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceFakes(v, fakes)]));
    }
    return value;
}

function summariseTrigger(item: unknown): unknown {
    const text = typeof item === "string" ? item : JSON.stringify(item);
    return text.length > longTrigger ? `<${text.length} chars, sha256 ${sha(text)}>` : item;
}

const cache = new WeakMap<Registered[], { scripts: Map<string, string>; fakes: Map<string, string> }>();

/** A resource's inputs as the plan shows them: keys sorted, stdin and long triggers summarised. */
export function summariseInputs(r: Registered, ctx: SummaryContext): Record<string, unknown> {
    let known = cache.get(ctx.resources);
    if (known === undefined) {
        known = { scripts: scriptsByContent(ctx.projectRoot), fakes: fakeNames(ctx.resources) };
        cache.set(ctx.resources, known);
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(r.inputs).sort()) {
        const value = replaceFakes(r.inputs[key], known.fakes);
        const from = (r.propertyDependencies[key] ?? []).map(ctx.refOf);
        if (key === "stdin" && typeof value === "string") {
            const script = known.scripts.get(value);
            if (script !== undefined) out[key] = `${script} (${lineCount(value)} lines, sha256 ${sha(value)})`;
            // Another resource's output (a run's stdout): under mocks its value is invented, so name the source.
            else if (from.length > 0) out[key] = `[output of ${from.join(", ")}]`;
            else out[key] = `text (${lineCount(value)} lines, sha256 ${sha(value)})`;
        } else if (key === "triggers" && Array.isArray(value)) {
            out[key] = value.map(summariseTrigger);
        } else if (key === "dir" && typeof value === "string" && value.startsWith(ctx.projectRoot)) {
            // The checkout's location is not part of the plan: two clones must print the same bytes.
            out[key] = `<project>${value.slice(ctx.projectRoot.length)}`;
        } else {
            out[key] = value;
        }
    }
    return out;
}
