import { leaves } from "./flatten";
import { byText, Plan, PlannedResource } from "./planModel";

/** One changed leaf of a resource's inputs. */
export interface InputChange {
    path: string;
    /** undefined: the leaf does not exist on that side. */
    old?: unknown;
    new?: unknown;
}

export interface ChangedResource {
    type: string;
    name: string;
    node: string;
    changes: InputChange[];
}

export interface PlanDiff {
    from: string;
    to: string;
    added: PlannedResource[];
    removed: PlannedResource[];
    changed: ChangedResource[];
}

/** Numbers inside paths sort as numbers (envs[2] before envs[10]), the rest byte-wise. */
export function naturalCompare(a: string, b: string): number {
    const split = (s: string) => s.split(/(\d+)/).map((p, i) => (i % 2 === 1 ? Number(p) : p));
    const pa = split(a);
    const pb = split(b);
    for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
        const x = pa[i];
        const y = pb[i];
        if (x === y) continue;
        return typeof x === "number" && typeof y === "number" ? x - y : byText(String(x), String(y));
    }
    return pa.length - pb.length;
}

const key = (r: PlannedResource) => `${r.type}::${r.name}`;

function inputChanges(a: PlannedResource, b: PlannedResource): InputChange[] {
    const olds = new Map(leaves(a.inputs));
    const news = new Map(leaves(b.inputs));
    const paths = [...new Set([...olds.keys(), ...news.keys()])].sort(naturalCompare);
    return paths
        .filter((p) => JSON.stringify(olds.get(p)) !== JSON.stringify(news.get(p)))
        .map((p) => ({ path: p, old: olds.get(p), new: news.get(p) }));
}

/**
 * What one plan declares differently from another: resources matched by type and name (as
 * Pulumi matches them by URN), added, removed, and changed leaf by leaf. What a provider does
 * about a change (update or replace) is for `pulumi preview --diff` to say: it asks the
 * provider installed, which no table kept here could follow.
 */
export function diffPlans(from: Plan, to: Plan): PlanDiff {
    const olds = new Map(from.resources.map((r) => [key(r), r]));
    const news = new Map(to.resources.map((r) => [key(r), r]));
    const changed: ChangedResource[] = [];
    for (const b of to.resources) {
        const a = olds.get(key(b));
        if (a === undefined) continue;
        const changes = inputChanges(a, b);
        if (changes.length > 0) changed.push({ type: b.type, name: b.name, node: b.node, changes });
    }
    return {
        from: from.stack,
        to: to.stack,
        added: to.resources.filter((r) => !olds.has(key(r))),
        removed: from.resources.filter((r) => !news.has(key(r))),
        changed,
    };
}
