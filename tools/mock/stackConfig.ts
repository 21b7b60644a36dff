import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/** The config a stack's program receives, read the way Pulumi reads it: Pulumi.yaml's values, then the stack file. */
export interface StackConfig {
    /** "namespace:key" -> value; objects and lists as JSON text, as Pulumi hands them to a program. */
    config: Record<string, string>;
    /** Keys whose values are `secure:` in the stack file: they cannot be decrypted offline. */
    secretKeys: string[];
}

/** Placeholder for a secret that only the stack's secrets provider could decrypt. */
export const encryptedPlaceholder = "[encrypted]";

function asConfigValue(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * @param root where Pulumi.<stack>.yaml is
 * @param projectRoot where Pulumi.yaml is (default: `root`)
 */
export function stackConfig(stack: string, root = path.resolve(__dirname, "..", ".."), projectRoot = root): StackConfig {
    const project = parse(fs.readFileSync(path.join(projectRoot, "Pulumi.yaml"), "utf8")) as {
        name: string;
        config?: Record<string, unknown>;
    };
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        throw new Error(`no stack file Pulumi.${stack}.yaml in ${root}`);
    }
    const stackFile = (parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, spec] of Object.entries(project.config ?? {})) {
        // Project-level config: {value: x}, {default: x}, or a bare value.
        const full = key.includes(":") ? key : `${project.name}:${key}`;
        const v =
            spec !== null && typeof spec === "object" && !Array.isArray(spec)
                ? ((spec as Record<string, unknown>).value ?? (spec as Record<string, unknown>).default)
                : spec;
        if (v !== undefined) config[full] = asConfigValue(v);
    }
    for (const [key, value] of Object.entries(stackFile.config ?? {})) {
        const full = key.includes(":") ? key : `${project.name}:${key}`;
        if (value !== null && typeof value === "object" && "secure" in (value as object)) {
            config[full] = encryptedPlaceholder;
            secretKeys.push(full);
        } else {
            config[full] = asConfigValue(value);
        }
    }
    return { config, secretKeys };
}
