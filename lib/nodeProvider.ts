import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { DeclaredProvider } from "../model/declare";
import { NodeSettings } from "../config/settings";

export { controlPath, sshOptions } from "../model/ssh";
export type { SshSettings } from "../model/ssh";

/** A node as the engine messages name it. */
type EngineNode = Pick<NodeSettings, "name" | "host"> & { dockerHost: string };

/** The Docker engine of one node (model/declare.ts): everything placed on a node goes through its own provider. */
export function dockerProvider(p: DeclaredProvider, nodeName: string, opts: pulumi.CustomResourceOptions): docker.Provider {
    if (p.host === "") {
        // An empty host silently means "the local engine": never let a node land there by accident.
        throw new Error(`node ${nodeName} has an empty Docker host`);
    }
    return new docker.Provider(p.name, { host: p.host, sshOpts: p.sshOpts }, opts);
}

/**
 * Whether every node's engine answers through its provider (over its SSH, for a remote node): one
 * read per node on every preview and up, which changes nothing. What creates, replaces or deletes
 * anything on any node waits for the answer, so a dead engine or a refused host key stops the
 * update in seconds, naming every such node, before a single container is touched (without it the
 * real engine tore the other nodes' containers down first and failed at that node's).
 *
 * `verdict` rejects with one RunError naming every node that did not answer; left unhandled, the
 * program's own handler reports it once, without a stack. `answered` never settles then: what
 * waits for it is never registered, and the program ends (a rejection passed on to the resources
 * would reach the user wrapped in "error serializing property …" a dozen times).
 */
export function enginesAnswer(
    nodes: { where: string; node: EngineNode; provider: docker.Provider }[],
    parent: pulumi.Resource,
): { verdict: Promise<void>; answered: Promise<void> } {
    const asked = Promise.allSettled(nodes.map(({ provider }) => docker.getNetwork({ name: "host" }, { provider, parent })));
    const verdict = asked.then((results) => {
        const problems = results.flatMap((r, i) =>
            r.status === "rejected"
                ? [engineProblem(nodes[i].where, nodes[i].node, r.reason instanceof Error ? r.reason.message : String(r.reason))]
                : [],
        );
        if (problems.length > 0) throw new pulumi.RunError(problems.join("\n    "));
    });
    // From the answers, not from the verdict: a handler on the verdict would mark it handled.
    const answered = asked.then((results) =>
        results.every((r) => r.status === "fulfilled") ? undefined : new Promise<void>(() => undefined),
    );
    return { verdict, answered };
}

/** One line for a node whose engine did not answer: which node, and what to do. */
export function engineProblem(where: string, node: EngineNode, error: string): string {
    const said = error.replace(/\s+/g, " ").trim();
    if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/.test(said)) {
        return `${where}.hostKey of node ${node.name} is not the key ${node.host} presents (ssh refused it): check it with ssh-keyscan -t ed25519 ${node.host} and put the key, without the host name, there`;
    }
    // The provider's own words from the first that says what failed, to the end of that sentence.
    const cause =
        /((?:Error pinging Docker server|Cannot connect to the Docker daemon|Connection closed|Permission denied|connection refused|timed out|No route to host).*?)(?:\.\s|\.?$)/i.exec(
            said,
        );
    return `node ${node.name} (${node.dockerHost}): its Docker engine does not answer, so nothing was changed on any node: ${cause ? cause[1] : said.slice(0, 300)}`;
}
