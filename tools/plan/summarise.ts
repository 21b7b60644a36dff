import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { OnNode } from "../../model/declare";
import type { NodeStep } from "../../model/steps";
import { commandLine } from "../../lib/nodeCommand";
import { commandOf, scriptsOf } from "../../lib/scripts";
import type { Registered } from "../mock/mockrun";

export interface SummaryContext {
    projectRoot: string;
    /** URN -> the name the plan uses for that resource. */
    refOf: (urn: string) => string;
    /** The step the resource runs on a node, when the declaration has one by its name (model/declare.ts nodeSteps). */
    step?: OnNode<NodeStep>;
}

function sha(text: string): string {
    return createHash("sha256").update(text).digest("hex").slice(0, 12);
}

function lineCount(text: string): number {
    return text === "" ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

const fileTexts = new Map<string, string | undefined>();

/** A file of the project evaluated (another revision's with --diff), read once. */
function projectText(file: string): string | undefined {
    if (!fileTexts.has(file)) fileTexts.set(file, fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined);
    return fileTexts.get(file);
}

/**
 * The step's scripts ("scripts/run-query.sh + scripts/driver.py") when the stdin is their text in
 * the project evaluated; undefined when it is other text, so a plan of another revision never
 * names a stdin by scripts that revision did not feed.
 */
function scriptNames(step: NodeStep, stdin: string, projectRoot: string): string | undefined {
    const files = scriptsOf(step).map((name) => `scripts/${name}`);
    const texts = files.map((f) => projectText(path.join(projectRoot, f)));
    return texts.every((t) => t !== undefined) && texts.join("") === stdin ? files.join(" + ") : undefined;
}

/**
 * The step's command on its node, when the line is the one the program renders for it over ssh
 * (lib/nodeCommand.ts commandLine); undefined when the node is local or the line is another one.
 */
function overSsh({ access, step }: OnNode<NodeStep>, line: string): string | undefined {
    if (access.node.local) return undefined;
    const onNode = commandOf(step);
    return commandLine(access, onNode) === line ? onNode : undefined;
}

/**
 * A resource's inputs as the plan shows them: keys sorted, a stdin by the declared step's script
 * files, a command line as the declared step's command on its node (the ssh options are the
 * node's, shown once per node), the project root as <project>.
 */
export function summariseInputs(r: Registered, ctx: SummaryContext): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(r.inputs).sort()) {
        const value = r.inputs[key];
        const from = (r.propertyDependencies[key] ?? []).map(ctx.refOf);
        if (value === "[unknown]") {
            out[key] = from.length > 0 ? `[unknown: output of ${from.join(", ")}]` : value;
        } else if (key === "stdin" && typeof value === "string") {
            const scripts = ctx.step && scriptNames(ctx.step.step, value, ctx.projectRoot);
            out[key] = `${scripts ?? "text"} (${lineCount(value)} lines, sha256 ${sha(value)})`;
        } else if (key === "create" && typeof value === "string" && ctx.step !== undefined) {
            const inner = overSsh(ctx.step, value);
            out[key] = inner === undefined ? value : `[over ssh] ${inner}`;
        } else if (key === "dir" && typeof value === "string" && value.startsWith(ctx.projectRoot)) {
            out[key] = `<project>${value.slice(ctx.projectRoot.length)}`;
        } else {
            out[key] = value;
        }
    }
    return out;
}
