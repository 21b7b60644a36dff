/** One leaf of an input value: its path (`envs[2]`, `labels[1].value`) and the value there. */
export type Leaf = [path: string, value: unknown];

/**
 * Inputs as leaves, in key order: one line each in the plan, and the unit the diff compares,
 * so a changed env var reads as that var, not as the whole list.
 */
export function leaves(value: unknown, path = ""): Leaf[] {
    if (Array.isArray(value)) {
        if (value.length === 0) return [[path, []]];
        return value.flatMap((v, i) => leaves(v, `${path}[${i}]`));
    }
    if (value !== null && typeof value === "object") {
        const keys = Object.keys(value).sort();
        // An empty object at the top (a component's inputs) has nothing to show.
        if (keys.length === 0) return path === "" ? [] : [[path, {}]];
        return keys.flatMap((k) => leaves((value as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
    }
    return [[path, value]];
}

/** The top-level input a leaf belongs to: what the providers' replace rules are written for. */
export function topProperty(path: string): string {
    return /^[^.[]+/.exec(path)?.[0] ?? path;
}

/** A leaf as the plan prints it: JSON, with the docker provider's MiB made explicit. */
export function showValue(path: string, value: unknown): string {
    if (value === undefined) return "(none)";
    const text = JSON.stringify(value);
    return typeof value === "number" && (path === "memory" || path === "memorySwap") ? `${text} MiB` : text;
}
