import { z } from "zod";
import { parse as parseYaml } from "yaml";

// Turning what zod and yaml report into the one-line messages users see.

/** Reads a project file (stacks/<tier>.yaml, envs/<environment>.yaml); undefined when it does not exist. */
export type ReadFile = (path: string) => string | undefined;

function valueAt(input: unknown, path: PropertyKey[]): unknown {
    return path.reduce<unknown>(
        (v, k) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined),
        input,
    );
}

function pathText(path: PropertyKey[]): string {
    return path.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join("");
}

/** Zod issues as lines: "<where><path>: <message> (got <value>)". */
export function issueLines(where: (path: string) => string, input: unknown, error: z.ZodError): string[] {
    return error.issues.map((issue) => {
        const path = pathText(issue.path);
        if (issue.code === "unrecognized_keys") {
            return `${where(path)}: unknown key ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
        }
        const value = valueAt(input, issue.path);
        if (value === undefined && issue.code === "invalid_type") return `${where(path)}: is required`;
        const message = issue.message.replace(/^(Invalid input|Invalid option|Too small|Too big): /, "");
        return `${where(path)}: ${message} (got ${JSON.stringify(value)})`;
    });
}

function parseYamlFile(path: string, text: string): { value?: unknown; error?: string } {
    try {
        return { value: parseYaml(text) };
    } catch (e) {
        return { error: `${path}: not valid YAML: ${(e as Error).message.split("\n")[0]}` };
    }
}

/** A YAML data file checked against its schema; a line naming the config key when it does not exist. */
export function loadFile<T>(path: string, readFile: ReadFile, schema: z.ZodType<T>, missing: string): T | string[] {
    const text = readFile(path);
    if (text === undefined) return [missing];
    const { value, error } = parseYamlFile(path, text);
    if (error) return [error];
    const parsed = schema.safeParse(value);
    return parsed.success ? parsed.data : issueLines((p) => (p === "" ? path : `${path}: ${p}`), value, parsed.error);
}
