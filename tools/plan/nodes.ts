import type { Registered } from "../mock/mockrun";
import { clusterName, experimentName, nodeNames, runNames, serviceNames } from "../../model/names";
import type { Placement } from "../../model/placement";
import type { ScheduledRun } from "../../model/schedule";

/** The group for what belongs to no single node: the command provider, and local commands on the machine running Pulumi. */
export const clusterGroup = "cluster";

/** Which node each named resource of the model acts on, by the names the components give them (model/names.ts). */
export function modelGroups(p: Placement, runs: ScheduledRun[]): { nodes: string[]; byName: Map<string, string> } {
    const byName = new Map<string, string>();
    for (const node of p.nodes) {
        for (const name of Object.values(nodeNames(clusterName, node.name))) byName.set(name, node.name);
    }
    const services = serviceNames(clusterName);
    byName.set(services.command, clusterGroup);
    byName.set(services.broker, p.broker.node.name);
    byName.set(services.coordinator, p.coordinator.node.name);
    // The gate runs in the coordinator's container.
    byName.set(services.health, p.coordinator.node.name);
    for (const run of runs) {
        const names = runNames(experimentName, run.id);
        byName.set(names.attempt, clusterGroup);
        for (const node of run.settles) byName.set(names.settle(node.name), node.name);
        for (const node of run.drops) byName.set(names.drop(node.name), node.name);
        byName.set(names.run, run.runner.node.name);
        byName.set(names.record, clusterGroup);
    }
    return { nodes: p.nodes.map((n) => n.name), byName };
}

/**
 * Which node each resource lands on: the model's answer for the resources it names, its
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
