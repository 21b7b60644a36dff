import type { Registered } from "./mockrun";

/** The group for resources that belong to no single node (and local commands on the machine running Pulumi). */
export const clusterGroup = "cluster";

const dockerProviderType = "pulumi:providers:docker";

/** A URN, or a provider reference (URN::id), -> the resource's name. */
export function nameInRef(ref: string): string {
    return ref === "" ? "" : (ref.split("::")[3] ?? ref);
}

/** A per-node docker provider is named `<cluster>-<node>-docker`, its parent being the cluster. */
function providerNode(r: Registered): string {
    const prefix = r.parent ? `${nameInRef(r.parent)}-` : "";
    const bare = r.name.replace(/-docker$/, "");
    return bare.startsWith(prefix) ? bare.slice(prefix.length) : bare;
}

/** The node whose name is a dash-separated part of a resource name (the longest, so node10 beats node1). */
function nodeInName(name: string, nodes: string[]): string | undefined {
    const padded = `-${name}-`;
    return nodes.filter((n) => padded.includes(`-${n}-`)).sort((a, b) => b.length - a.length)[0];
}

/**
 * Which node each resource lands on. Docker resources: their provider's node. Remote commands:
 * the node whose engine has the connection's host, else the node named in the command's name. Components: their children's node when
 * they all agree. Everything else (local commands, providers of the whole cluster): `cluster`.
 */
export function assignNodes(resources: Registered[]): { nodes: string[]; byUrn: Map<string, string> } {
    const providers = resources.filter((r) => r.type === dockerProviderType);
    const nodes = providers.map(providerNode);
    const byProvider = new Map(providers.map((p) => [nameInRef(p.urn), providerNode(p)]));
    const byHost = new Map<string, string>();
    for (const p of providers) {
        const host = /^ssh:\/\/(?:[^@/]+@)?([^:/]+)/.exec(String(p.inputs.host ?? ""))?.[1];
        if (host !== undefined) byHost.set(host, providerNode(p));
    }
    // A local environment (dev): every node is this machine, so a node named in a local command's name is where it acts.
    const local = !providers.some((p) => String(p.inputs.host ?? "").startsWith("ssh://"));
    const byUrn = new Map<string, string>();
    for (const r of resources) {
        let node: string | undefined;
        if (r.type === dockerProviderType) node = providerNode(r);
        else if (r.provider) node = byProvider.get(nameInRef(r.provider));
        if (node === undefined && r.connectionHost !== undefined) node = byHost.get(r.connectionHost);
        const localCommand = r.type === "command:local:Command";
        if (node === undefined && r.custom && (!localCommand || local)) node = nodeInName(r.name, nodes);
        byUrn.set(r.urn, node ?? clusterGroup);
    }
    // Components last: a component sits on a node when all its children (direct or deeper) do.
    const children = new Map<string, string[]>();
    for (const r of resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
    const components = resources.filter((r) => !r.custom);
    for (let pass = 0; pass < components.length; pass++) {
        let changed = false;
        for (const c of components) {
            const only = new Set((children.get(c.urn) ?? []).map((u) => byUrn.get(u) ?? clusterGroup));
            const node = only.size === 1 ? [...only][0] : clusterGroup;
            if (byUrn.get(c.urn) !== node) {
                byUrn.set(c.urn, node);
                changed = true;
            }
        }
        if (!changed) break;
    }
    return { nodes, byUrn };
}
