import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { commandOnNode, NodeAccess } from "../../lib/nodeCommand";
import type { Registered } from "../mock/mockrun";

export interface SummaryContext {
    projectRoot: string;
    /** URN -> the name the plan uses for that resource. */
    refOf: (urn: string) => string;
    /** How the resource's node is reached, when it acts on one. */
    access?: NodeAccess;
}

function sha(text: string): string {
    return createHash("sha256").update(text).digest("hex").slice(0, 12);
}

function lineCount(text: string): number {
    return text === "" ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

const scriptCache = new Map<string, Map<string, string>>();

/** Scripts under scripts/ by content, so a stdin can be named by the file it came from. */
function scriptsByContent(projectRoot: string): Map<string, string> {
    const cached = scriptCache.get(projectRoot);
    if (cached) return cached;
    const dir = path.join(projectRoot, "scripts");
    const found = new Map<string, string>();
    if (fs.existsSync(dir)) {
        for (const file of fs.readdirSync(dir).sort()) {
            const full = path.join(dir, file);
            if (fs.statSync(full).isFile()) found.set(fs.readFileSync(full, "utf8"), `scripts/${file}`);
        }
    }
    scriptCache.set(projectRoot, found);
    return found;
}

/** The scripts a stdin is made of, one after another ("scripts/run-query.sh + scripts/driver.py"); undefined when it is other text. */
function scriptNames(text: string, scripts: Map<string, string>): string | undefined {
    const names: string[] = [];
    let rest = text;
    while (rest !== "") {
        const next = [...scripts].find(([content]) => content !== "" && rest.startsWith(content));
        if (next === undefined) return undefined;
        names.push(next[1]);
        rest = rest.slice(next[0].length);
    }
    return names.length > 0 ? names.join(" + ") : undefined;
}

/**
 * A resource's inputs as the plan shows them: keys sorted, a stdin script by its file name, a
 * command line as the command on its node (the ssh options are the node's, shown once per node),
 * the project root as <project>.
 */
export function summariseInputs(r: Registered, ctx: SummaryContext): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(r.inputs).sort()) {
        const value = r.inputs[key];
        const from = (r.propertyDependencies[key] ?? []).map(ctx.refOf);
        if (value === "[unknown]") {
            out[key] = from.length > 0 ? `[unknown: output of ${from.join(", ")}]` : value;
        } else if (key === "stdin" && typeof value === "string") {
            const scripts = scriptNames(value, scriptsByContent(ctx.projectRoot));
            out[key] = `${scripts ?? "text"} (${lineCount(value)} lines, sha256 ${sha(value)})`;
        } else if (key === "create" && typeof value === "string" && ctx.access !== undefined && !ctx.access.node.local) {
            const inner = commandOnNode(ctx.access, value);
            out[key] = inner === undefined ? value : `[over ssh] ${inner}`;
        } else if (key === "dir" && typeof value === "string" && value.startsWith(ctx.projectRoot)) {
            out[key] = `<project>${value.slice(ctx.projectRoot.length)}`;
        } else {
            out[key] = value;
        }
    }
    return out;
}
