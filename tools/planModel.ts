import type { Evaluation, Registered } from "./mockrun";
import { chainDepths } from "./depth";
import { assignNodes, clusterGroup, nameInRef } from "./nodes";
import { summariseInputs } from "./summarise";

/** One resource as a reviewer reads it: where it lands, what it is given, what it waits for. */
export interface PlannedResource {
    type: string;
    name: string;
    /** Node name, or `cluster` for cluster-wide and local (machine running Pulumi) resources. */
    node: string;
    /** Provider resource name ("" for components and providers themselves). */
    provider: string;
    /** Parent resource name ("" at the top). */
    parent: string;
    /** Inputs with secrets as "[secret]", scripts and long trigger values summarised. */
    inputs: Record<string, unknown>;
    /** Resources it waits for: explicit dependsOn and outputs feeding its inputs (names, sorted). */
    dependencies: string[];
    /** Length of the longest chain through dependencies and parents that ends here (a root is 1). */
    depth: number;
}

export { clusterGroup };

export interface Plan {
    stack: string;
    /** The longest chain in the whole program: how many resources deploy strictly one after another. */
    depth: number;
    /** Groups in print order: nodes by name (numbers as numbers), then `cluster`. */
    nodes: string[];
    resources: PlannedResource[];
}

/** Byte order, not locale order: a plan must sort the same on every machine. */
export function byText(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

/** Numbers inside names sort as numbers (node2 before node10, triggers[2] before triggers[10]), the rest byte-wise. */
export function byNodeName(a: string, b: string): number {
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

/** Builds the plan from an evaluation of the real program. */
export function buildPlan(stack: string, ev: Evaluation, projectRoot: string): Plan {
    const byUrn = new Map<string, Registered>(ev.resources.map((r) => [r.urn, r]));
    const nameCount = new Map<string, number>();
    for (const r of ev.resources) nameCount.set(r.name, (nameCount.get(r.name) ?? 0) + 1);
    // Names are unique in this program; if two ever collide, the type keeps references unambiguous.
    const ref = (r: Registered) => ((nameCount.get(r.name) ?? 0) > 1 ? `${r.type}::${r.name}` : r.name);
    const refOf = (urn: string) => {
        const r = byUrn.get(urn);
        return r === undefined ? urn : ref(r);
    };
    const depths = chainDepths(ev.resources.map((r) => ({ id: r.urn, after: [...r.dependencies, ...(r.parent ? [r.parent] : [])] })));
    const placed = assignNodes(ev.resources);
    const resources = ev.resources.map((r): PlannedResource => ({
        type: r.type,
        name: ref(r),
        node: placed.byUrn.get(r.urn) ?? clusterGroup,
        provider: nameInRef(r.provider),
        parent: r.parent ? refOf(r.parent) : "",
        inputs: summariseInputs(r, { projectRoot, refOf, resources: ev.resources }),
        dependencies: r.dependencies.map(refOf).sort(byText),
        depth: depths.get(r.urn) ?? 1,
    }));
    const nodes = [...placed.nodes].sort(byNodeName);
    if (resources.some((r) => r.node === clusterGroup)) nodes.push(clusterGroup);
    const rank = new Map(nodes.map((n, i) => [n, i]));
    // Within a node: deployment order (depth), then name; stable for the same program and config.
    resources.sort((a, b) => (rank.get(a.node) ?? 0) - (rank.get(b.node) ?? 0) || a.depth - b.depth || byText(a.name, b.name));
    return { stack, depth: Math.max(0, ...resources.map((r) => r.depth)), nodes, resources };
}
