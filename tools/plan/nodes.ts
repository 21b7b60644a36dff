import type { Registered } from "../mock/mockrun";
import type { Declaration, OnNode } from "../../model/declare";
import { runNames } from "../../model/names";
import type { NodeStep } from "../../model/steps";

/** The group for what belongs to no single node: the command provider, and local commands on the machine running Pulumi. */
export const clusterGroup = "cluster";

/** Which node each resource the declaration names acts on: a node's own, the services', every step where it runs (model/declare.ts nodeSteps). */
export function modelGroups(d: Declaration, steps: Map<string, OnNode<NodeStep>>): { nodes: string[]; byName: Map<string, string> } {
    const byName = new Map<string, string>();
    for (const n of d.nodes) {
        for (const name of Object.values(n.names)) byName.set(name, n.node.name);
    }
    byName.set(d.names.command, clusterGroup);
    byName.set(d.names.broker, d.broker.node);
    byName.set(d.names.coordinator, d.coordinator.node);
    // The gate runs in the coordinator's container.
    byName.set(d.names.health, d.healthGate.node);
    for (const run of d.runs) {
        const names = runNames(d.names.experiment, run.id);
        byName.set(names.attempt, clusterGroup);
        byName.set(names.record, clusterGroup);
    }
    for (const [name, { node }] of steps) byName.set(name, node);
    return { nodes: d.nodes.map((n) => n.node.name), byName };
}

/**
 * Which node each resource lands on: the declaration's answer for the resources it names, its
 * parent's for the rest (a container belongs where its Worker component is), else `cluster`.
 */
export function assignNodes(resources: Registered[], byName: Map<string, string>): Map<string, string> {
    const byUrn = new Map<string, string>();
    // Parents register before their children, so one pass in registration order sees every parent first.
    for (const r of resources) {
        byUrn.set(r.urn, byName.get(r.name) ?? (r.parent ? byUrn.get(r.parent) : undefined) ?? clusterGroup);
    }
    return byUrn;
}
