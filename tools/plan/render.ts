import { leaves, showValue, topProperty } from "./flatten";
import type { Declaration } from "../../model/declare";
import { clusterGroup, Plan, PlannedResource } from "./planModel";

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

const containerType = "docker:index/container:Container";

/** One line per container on a node: name, limits, where it listens. */
function containerLine(r: PlannedResource): string {
    const i = r.inputs;
    const limits = i.memory === undefined ? "" : `, ${i.memory} MiB, cpus ${i.cpus}`;
    const net = i.networkMode === "host" ? "host network" : `ports ${JSON.stringify(i.ports)}`;
    return `    ${String(i.name)} (image ${String(i.image)}${limits}, ${net})`;
}

/**
 * A page a reviewer reads first: per node its engine, containers and how many commands act
 * there, then the runs in order. The full plan (--full, --json) has every input.
 */
export function renderSummary(plan: Plan, model: Declaration): string {
    const out = [
        `stack ${plan.stack}: ${plan.resources.length} resources on ${model.placement.nodes.length} nodes, dependency depth ${plan.depth}`,
    ];
    for (const node of model.placement.nodes) {
        const here = plan.resources.filter((r) => r.node === node.name);
        const commands = here.filter((r) => r.type.startsWith("command:")).length;
        out.push(`  node ${node.name}: engine ${node.dockerHost}, ${commands} commands`);
        out.push(...here.filter((r) => r.type === containerType).map(containerLine));
    }
    const runs = model.runs;
    if (runs.length === 0) {
        out.push("  experiment: disabled");
    } else {
        const r0 = runs[0];
        const settles = r0.settles.length === 0 ? "" : `a settle of ${r0.settles.length} workers and `;
        const drops = r0.drops.length === 0 ? `${settles}no cache drops` : `${settles}a cache drop on ${r0.drops.length} nodes before each`;
        out.push(`  experiment: ${runs.length} runs on ${r0.runner.node.name} (${r0.runner.container}), ${drops}:`);
        out.push(`    ${runs.map((r) => `${r.query.name} ${r.warmup ? "warm-up" : "rep"} ${r.repetition}`).join(", ")}`);
    }
    const elsewhere = plan.resources.filter((r) => r.node === clusterGroup && r.type.startsWith("command:")).length;
    out.push(`  on this machine: ${elsewhere} commands (results recorded under results/${plan.stack}/)`);
    return out.join("\n") + "\n";
}
