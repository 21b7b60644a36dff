import { showValue, topProperty } from "./flatten";
import type { ChangedResource, InputChange, PlanDiff } from "./diff";
import { effectText } from "./replaceRules";

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

/** A changed JSON object (a provenance blob) shown by its changed keys. */
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

function changeLine(type: string, c: InputChange): string {
    const prop = topProperty(c.path);
    const long = typeof c.old === "string" && typeof c.new === "string" && c.old.length > 60;
    const words = long ? (jsonChanges(String(c.old), String(c.new)) ?? wordChanges(String(c.old), String(c.new))) : undefined;
    const what = words ?? `${showValue(prop, c.old)} -> ${showValue(prop, c.new)}`;
    return `      ${c.path}: ${what}   [${effectText(type, c.effect)}]`;
}

/** Changes that only follow from a replaced resource's new ID, per property: one line naming the sources. */
function followLines(type: string, changes: InputChange[]): string[] {
    const byProperty = new Map<string, string[]>();
    for (const c of changes) {
        const source = /^\[(?:id|imageId) of (.+)\]$/.exec(String(c.old))?.[1];
        byProperty.set(topProperty(c.path), [...(byProperty.get(topProperty(c.path)) ?? []), source ?? c.path]);
    }
    return [...byProperty].map(([prop, sources]) => {
        const effect = changes.find((c) => topProperty(c.path) === prop)!.effect;
        return `      ${prop}: new ID of ${sources.join(", ")} (replaced)   [${effectText(type, effect)}]`;
    });
}

const followsReplacement = (c: InputChange) => typeof c.new === "string" && c.new.endsWith(" is replaced)");

/** Resources of one type with the very same changes print once, their names listed (12 runs' drops on a node). */
function changedLines(group: ChangedResource[]): string[] {
    const r = group[0];
    const sign = r.action === "replace" ? "+-" : "~";
    const names = group.map((g) => g.name).join(", ");
    return [
        `  ${sign} ${r.type} ${names}: ${effectText(r.type, r.action)}`,
        ...r.changes.filter((c) => !followsReplacement(c)).map((c) => changeLine(r.type, c)),
        ...followLines(r.type, r.changes.filter(followsReplacement)),
    ];
}

function sameChanges(a: ChangedResource, b: ChangedResource): boolean {
    return a.type === b.type && JSON.stringify(a.changes) === JSON.stringify(b.changes);
}

/** The diff as text: a count line, added and removed, then changes per node. */
export function renderDiff(d: PlanDiff): string {
    const replaced = d.changed.filter((c) => c.action === "replace").length;
    const out = [
        `${d.from} -> ${d.to}: ${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed (${replaced} replaced)`,
    ];
    for (const r of d.added) out.push(`  + ${r.type} ${r.name} (${r.node})`);
    for (const r of d.removed) out.push(`  - ${r.type} ${r.name} (${r.node})`);
    const nodes = [...new Set(d.changed.map((c) => c.node))];
    for (const node of nodes) {
        out.push("", `== ${node === "cluster" ? "cluster-wide and local" : `node ${node}`}`);
        const groups: ChangedResource[][] = [];
        for (const r of d.changed.filter((c) => c.node === node)) {
            const last = groups[groups.length - 1];
            if (last !== undefined && sameChanges(last[0], r)) last.push(r);
            else groups.push([r]);
        }
        for (const g of groups) out.push(...changedLines(g));
    }
    return out.join("\n") + "\n";
}
