import { showValue, topProperty } from "./flatten";
import type { ChangedResource, InputChange, PlanDiff } from "./diff";
import { clusterGroup, PlannedResource } from "./planModel";

/**
 * A changed command line shown by the words that differ, with the word before each as context
 * (`--memory-limit 5000000 -> 10000000`): the lines are long and differ in one or two flags.
 */
export function wordChanges(old: string, now: string): string | undefined {
    const a = old.split(" ");
    const b = now.split(" ");
    if (a.length !== b.length) return undefined;
    const diffs = a.flatMap((w, i) => (w === b[i] ? [] : [`${i > 0 ? `${a[i - 1]} ` : ""}${w} -> ${b[i]}`]));
    return diffs.length > 0 && diffs.length <= 4 ? diffs.join("; ") : undefined;
}

/** A changed JSON object (the provenance a record carries) shown by its changed keys. */
export function jsonChanges(old: string, now: string): string | undefined {
    try {
        const a = JSON.parse(old) as unknown;
        const b = JSON.parse(now) as unknown;
        if (a === null || b === null || typeof a !== "object" || typeof b !== "object" || Array.isArray(a) || Array.isArray(b))
            return undefined;
        const ra = a as Record<string, unknown>;
        const rb = b as Record<string, unknown>;
        const keys = [...new Set([...Object.keys(ra), ...Object.keys(rb)])];
        const diffs = keys.filter((k) => JSON.stringify(ra[k]) !== JSON.stringify(rb[k]));
        return diffs.map((k) => `${k} ${JSON.stringify(ra[k]) ?? "(none)"} -> ${JSON.stringify(rb[k]) ?? "(none)"}`).join("; ");
    } catch {
        return undefined;
    }
}

function changeLine(c: InputChange): string {
    const prop = topProperty(c.path);
    const long = typeof c.old === "string" && typeof c.new === "string" && c.old.length > 60;
    const words = long ? (jsonChanges(String(c.old), String(c.new)) ?? wordChanges(String(c.old), String(c.new))) : undefined;
    return `      ${c.path}: ${words ?? `${showValue(prop, c.old)} -> ${showValue(prop, c.new)}`}`;
}

const where = (node: string) => (node === clusterGroup ? "cluster-wide and local" : `node ${node}`);

/** Resources with the very same changes print once, their names listed (a run's drops on every node). */
function changedBlocks(changed: ChangedResource[]): string[] {
    const groups: ChangedResource[][] = [];
    for (const r of changed) {
        const same = groups.find((g) => g[0].type === r.type && JSON.stringify(g[0].changes) === JSON.stringify(r.changes));
        if (same) same.push(r);
        else groups.push([r]);
    }
    return groups.flatMap((g) => [`  ~ ${g[0].type} ${g.map((r) => r.name).join(", ")}`, ...g[0].changes.map(changeLine)]);
}

function countLine(sign: string, what: string, rs: { node: string }[]): string[] {
    if (rs.length === 0) return [];
    const byNode = new Map<string, number>();
    for (const r of rs) byNode.set(r.node, (byNode.get(r.node) ?? 0) + 1);
    return [`  ${sign} ${what}: ${[...byNode].map(([n, k]) => `${k} on ${n === clusterGroup ? "cluster" : n}`).join(", ")}`];
}

/** The diff as text: one summary line and a count per node first, then resource by resource, field by field. */
export function renderDiff(d: PlanDiff): string {
    const out = [`${d.from} -> ${d.to}: ${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed`];
    out.push(...countLine("+", "added", d.added), ...countLine("-", "removed", d.removed), ...countLine("~", "changed", d.changed));
    const nodes = [...new Set([...d.added, ...d.removed, ...d.changed].map((r) => r.node))];
    for (const node of nodes) {
        out.push("", `== ${where(node)}`);
        const listed = (sign: string, rs: PlannedResource[]) =>
            rs.filter((r) => r.node === node).map((r) => `  ${sign} ${r.type} ${r.name}`);
        out.push(...listed("+", d.added), ...listed("-", d.removed), ...changedBlocks(d.changed.filter((r) => r.node === node)));
    }
    return out.join("\n") + "\n";
}
