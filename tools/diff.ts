import { leaves, topProperty } from "./flatten";
import { byNodeName, byText, Plan, PlannedResource } from "./planModel";
import { Effect, effectOf } from "./replaceRules";

/** One changed leaf of a resource's inputs. */
export interface InputChange {
    path: string;
    /** undefined: the leaf does not exist on that side. */
    old?: unknown;
    new?: unknown;
    effect: Effect;
}

export interface ChangedResource {
    type: string;
    name: string;
    node: string;
    /** The strongest effect of its changes: replace > unknown > update > state. */
    action: Effect;
    changes: InputChange[];
}

export interface PlanDiff {
    from: string;
    to: string;
    added: { type: string; name: string; node: string }[];
    removed: { type: string; name: string; node: string }[];
    changed: ChangedResource[];
}

const strength: Record<Effect, number> = { state: 0, update: 1, unknown: 2, replace: 3 };

const key = (r: PlannedResource) => `${r.type}::${r.name}`;
const brief = (r: PlannedResource) => ({ type: r.type, name: r.name, node: r.node });

function inputChanges(type: string, a: PlannedResource, b: PlannedResource): InputChange[] {
    const olds = new Map(leaves(a.inputs));
    const news = new Map(leaves(b.inputs));
    const paths = [...new Set([...olds.keys(), ...news.keys()])].sort(byNodeName);
    return paths
        .filter((p) => JSON.stringify(olds.get(p)) !== JSON.stringify(news.get(p)))
        .map((p) => ({ path: p, old: olds.get(p), new: news.get(p), effect: effectOf(type, topProperty(p)) }));
}

/** Resources matched by type and name (as Pulumi matches them by URN): added, removed, changed inputs. */
export function diffPlans(from: Plan, to: Plan): PlanDiff {
    const olds = new Map(from.resources.map((r) => [key(r), r]));
    const news = new Map(to.resources.map((r) => [key(r), r]));
    const changed: ChangedResource[] = [];
    // In the new plan's order (node, deployment order), so the diff reads like the plan.
    for (const b of to.resources) {
        const a = olds.get(key(b));
        if (a === undefined) continue;
        const changes = inputChanges(b.type, a, b);
        if (changes.length === 0) continue;
        const action = changes.map((c) => c.effect).reduce((x, y) => (strength[y] > strength[x] ? y : x));
        changed.push({ type: b.type, name: b.name, node: b.node, action, changes });
    }
    followReplacements(changed, to);
    const sorted = (rs: PlannedResource[]) => rs.map(brief).sort((x, y) => byText(x.node, y.node) || byText(x.name, y.name));
    return {
        from: from.stack,
        to: to.stack,
        added: sorted(to.resources.filter((r) => !olds.has(key(r)))),
        removed: sorted(from.resources.filter((r) => !news.has(key(r)))),
        changed,
    };
}

/**
 * A replaced resource gets a new ID, and the plan shows inputs built from IDs as "[id of X]"
 * (tools/summarise.ts): those inputs change too, as `pulumi preview` shows them "known after
 * apply". Repeated until nothing new is replaced, since a replacement can cascade.
 */
function followReplacements(changed: ChangedResource[], to: Plan): void {
    const byKey = new Map(changed.map((c) => [`${c.type}::${c.name}`, c]));
    let replaced = new Set(changed.filter((c) => c.action === "replace").map((c) => c.name));
    while (replaced.size > 0) {
        const next = new Set<string>();
        for (const r of to.resources) {
            for (const [path, value] of leaves(r.inputs)) {
                const source = typeof value === "string" ? /^\[(?:id|imageId) of (.+)\]$/.exec(value)?.[1] : undefined;
                if (source === undefined || !replaced.has(source)) continue;
                let entry = byKey.get(key(r));
                if (entry === undefined) {
                    entry = { type: r.type, name: r.name, node: r.node, action: "state", changes: [] };
                    byKey.set(key(r), entry);
                    changed.push(entry);
                }
                if (entry.changes.some((c) => c.path === path)) continue;
                const effect = effectOf(r.type, topProperty(path));
                entry.changes.push({ path, old: value, new: `${value} (new: ${source} is replaced)`, effect });
                entry.changes.sort((a, b) => byNodeName(a.path, b.path));
                if (strength[effect] > strength[entry.action]) {
                    if (effect === "replace" && entry.action !== "replace") next.add(r.name);
                    entry.action = effect;
                }
            }
        }
        replaced = next;
    }
    const rank = new Map(to.resources.map((r, i) => [key(r), i]));
    changed.sort((a, b) => (rank.get(`${a.type}::${a.name}`) ?? 0) - (rank.get(`${b.type}::${b.name}`) ?? 0));
}
