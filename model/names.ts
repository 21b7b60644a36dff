/**
 * Resource names, made in one place: the components name what they create with these (from
 * their own name), and the review tools find a node's or a run's resources by them
 * (tools/nodes.ts), so neither guesses from a name's shape.
 */

/** The names index.ts gives the two top components. */
export const clusterName = "parwop";
export const experimentName = "experiment";

/** What a cluster creates for one node. */
export function nodeNames(cluster: string, node: string) {
    const prefix = `${cluster}-${node}`;
    return { docker: `${prefix}-docker`, preflight: `${prefix}-preflight`, image: `${prefix}-parwop`, worker: `${prefix}-worker` };
}

/** What a cluster creates once. */
export function serviceNames(cluster: string) {
    return {
        command: `${cluster}-command`,
        broker: `${cluster}-broker`,
        coordinator: `${cluster}-coordinator`,
        health: `${cluster}-health`,
    };
}

/** What an experiment creates for one run. */
export function runNames(experiment: string, runId: string) {
    const prefix = `${experiment}-${runId}`;
    return {
        attempt: `${prefix}-attempt`,
        settle: (node: string) => `${prefix}-settle-${node}`,
        drop: (node: string) => `${prefix}-drop-${node}`,
        run: `${prefix}-run`,
        record: `${prefix}-record`,
    };
}

/** What each component creates inside itself, named from its own name: the suffixes live here alone. */
export function childNames(component: string) {
    return {
        container: `${component}-container`,
        image: `${component}-image`,
        ready: `${component}-ready`,
        adminPassword: `${component}-admin-password`,
        wait: `${component}-wait`,
        check: `${component}-check`,
    };
}
