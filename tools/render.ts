import { leaves, showValue, topProperty } from "./flatten";
import type { Plan, PlannedResource } from "./planModel";

/** What a reviewer looks at first; everything else follows in name order, so nothing is hidden. */
const firstKeys = [
    "name",
    "image",
    "memory",
    "memorySwap",
    "cpus",
    "envs",
    "volumes",
    "networkMode",
    "ports",
    "labels",
    "restart",
    "create",
    "stdin",
    "triggers",
    "connection",
    "host",
];

function keyRank(path: string): number {
    const i = firstKeys.indexOf(topProperty(path));
    return i === -1 ? firstKeys.length : i;
}

/** Input lines of one resource, reviewer keys first, then the rest by path (stable). */
export function inputLines(r: PlannedResource): string[] {
    return leaves(r.inputs)
        .map(([path, value], i) => ({ path, value, i }))
        .sort((a, b) => keyRank(a.path) - keyRank(b.path) || a.i - b.i)
        .map(({ path, value }) => `${path}: ${showValue(topProperty(path), value)}`);
}

function resourceLines(r: PlannedResource): string[] {
    const where = [r.provider && `provider ${r.provider}`, r.parent && `parent ${r.parent}`, `depth ${r.depth}`].filter(Boolean);
    const head = [`  ${r.type} ${r.name}`, `      ${where.join(", ")}`];
    if (r.dependencies.length > 0) head.push(`      after: ${r.dependencies.join(", ")}`);
    return [...head, ...inputLines(r).map((l) => `      ${l}`)];
}

/** The plan as text: a header, then one block per node, resources in deployment order. */
export function renderPlan(plan: Plan): string {
    const out = [
        `stack ${plan.stack}: ${plan.resources.length} resources on ${plan.nodes.filter((n) => n !== "cluster").length} nodes, dependency depth ${plan.depth}`,
    ];
    for (const node of plan.nodes) {
        const here = plan.resources.filter((r) => r.node === node);
        out.push("", `== ${node === "cluster" ? "cluster-wide and local" : `node ${node}`} (${here.length} resources)`);
        for (const r of here) out.push(...resourceLines(r));
    }
    return out.join("\n") + "\n";
}
