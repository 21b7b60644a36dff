import { projectFiles, rawStackConfig } from "../../config/stack";
import { Declaration, declare, nodeSteps } from "../../model/declare";
import { loadSettings } from "../../model/load";
import { chainDepths } from "./depth";
import type { Evaluation, Registered } from "../mock/mockrun";
import { assignNodes, clusterGroup, modelGroups } from "./nodes";
import type { StackConfig } from "../mock/stackConfig";
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
    /** Inputs with secrets as "[secret]", unknowns as "[unknown]", scripts named by file. */
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
    /** Groups in print order: the inventory's nodes, then `cluster`. */
    nodes: string[];
    resources: PlannedResource[];
}

/**
 * What the program declares for a stack of the project in a dir (the working tree, or a checkout
 * of another revision), for grouping by node and showing each step: declared once per plan.
 */
export function stackModel(stack: string, cfg: StackConfig, projectDir: string): Declaration {
    const { read, list } = projectFiles(projectDir);
    // The scripts' digests go into triggers only: no name, node or command line depends on them.
    return declare(loadSettings(rawStackConfig(cfg.config), read, list), { stack, scripts: { driver: "", dropCaches: "" } });
}

/** Byte order, not locale order: a plan must sort the same on every machine. */
export function byText(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

/** Builds the plan from an evaluation of the real program and the declaration of the same stack. */
export function buildPlan(stack: string, ev: Evaluation, projectRoot: string, model: Declaration): Plan {
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
    const steps = nodeSteps(model);
    const groups = modelGroups(model, steps);
    const placed = assignNodes(ev.resources, groups.byName);
    const resources = ev.resources.map((r): PlannedResource => {
        const node = placed.get(r.urn) ?? clusterGroup;
        return {
            type: r.type,
            name: ref(r),
            node,
            provider: r.provider ? (byUrn.get(r.provider.split("::").slice(0, -1).join("::"))?.name ?? r.provider) : "",
            parent: r.parent ? refOf(r.parent) : "",
            inputs: summariseInputs(r, { projectRoot, refOf, step: steps.get(r.name) }),
            dependencies: r.dependencies.map(refOf).sort(byText),
            depth: depths.get(r.urn) ?? 1,
        };
    });
    const nodes = [...groups.nodes];
    if (resources.some((r) => r.node === clusterGroup)) nodes.push(clusterGroup);
    const rank = new Map(nodes.map((n, i) => [n, i]));
    // Within a node: deployment order (depth), then name; stable for the same program and config.
    resources.sort((a, b) => (rank.get(a.node) ?? 0) - (rank.get(b.node) ?? 0) || a.depth - b.depth || byText(a.name, b.name));
    return { stack, depth: Math.max(0, ...resources.map((r) => r.depth)), nodes, resources };
}
